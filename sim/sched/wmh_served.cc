// SPDX-License-Identifier: GPL-2.0
#include "wmh_served.h"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "wmh_export.h"
#include "wmh_table.h"

namespace ipvs_sim {

namespace {

Family FamilyOf(int af) { return af == AF_INET6 ? Family::kV6 : Family::kV4; }

Endpoint EndpointOf(int af, const unsigned char* addr, unsigned short port) {
  Endpoint ep;
  ep.addr.family = FamilyOf(af);
  std::copy(addr, addr + ep.addr.size(), ep.addr.bytes.begin());
  ep.port = port;
  return ep;
}

// A fwmark service's key is its mark and family only, as the loaders
// leave proto and VIP at their defaults.
ServiceKey Normal(const ServiceKey& k) {
  if (!k.fwmark) return k;
  ServiceKey n;
  n.fwmark = k.fwmark;
  n.fwmark_family = k.fwmark_family;
  return n;
}

bool Convert(const std::string& file, const wmh_export& e, WmhServedTable* out, std::string* err) {
  WmhServedTable t;
  t.file = file;
  if (e.fwmark) {
    t.key.fwmark = e.fwmark;
    t.key.fwmark_family = FamilyOf(e.af);
  } else if (e.protocol == 6 || e.protocol == 17 || e.protocol == 132) {
    t.key.proto = static_cast<Proto>(e.protocol);
    t.key.vip = EndpointOf(e.af, e.addr, e.port);
  } else {
    *err = fmt::format("{}: protocol {} is not one the simulator models", file, e.protocol);
    return false;
  }
  t.sched_name = e.sched_name;
  t.table_size = e.table_size;
  t.key_fingerprint = e.key_fingerprint;
  t.generation = e.generation;
  t.last_error = e.last_error;
  t.last_reason = e.last_reason;
  for (unsigned int i = 0; i < e.ndests; ++i) {
    const export_dest& d = e.dests[i];
    t.dests.push_back(WmhServedDest{.ep = EndpointOf(d.af, d.addr, d.port),
                                    .table_weight = d.table_weight,
                                    .weight = d.weight,
                                    .removed = d.state == EXPORT_DEST_REMOVED});
  }
  t.slots.assign(e.slots, e.slots + e.table_size);
  *out = std::move(t);
  return true;
}

}  // namespace

std::string WmhServiceName(const ServiceKey& key) {
  if (key.fwmark)
    return fmt::format("fwmark {} {}", key.fwmark,
                       key.fwmark_family == Family::kV6 ? "ipv6" : "ipv4");
  return fmt::format("{} {}", ProtoName(key.proto), key.vip.ToString());
}

bool ParseServedTable(const std::string& file, std::string_view text, WmhServedTable* out,
                      std::string* err) {
  wmh_export e;
  char msg[256];
  int ret = export_parse(text.data(), text.size(), &e, msg, sizeof(msg));
  if (ret == -ENOMEM) {
    *err = fmt::format("{}: out of memory", file);
    return false;
  }
  if (ret) {
    *err = fmt::format("{}: {}", file, msg);
    return false;
  }
  bool ok = Convert(file, e, out, err);
  export_free(&e);
  return ok;
}

bool LoadServedTables(const std::string& dir, const std::string& prefix, WmhServedTables* out,
                      std::string* err) {
  DIR* d = opendir(dir.c_str());
  if (!d) {
    *err = fmt::format("{}: {}", dir, std::strerror(errno));
    return false;
  }
  std::vector<std::string> names;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n[0] == '.' || n.compare(0, prefix.size(), prefix) != 0) continue;
    names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string path = dir + "/" + n;
    char* text = nullptr;
    size_t len = 0;
    int ret = export_read_file(path.c_str(), &text, &len);
    if (ret) {
      *err = fmt::format("{}: {}", path, std::strerror(-ret));
      return false;
    }
    WmhServedTable t;
    bool ok = ParseServedTable(path, std::string_view(text, len), &t, err);
    std::free(text);
    if (!ok) return false;
    ServiceKey k = Normal(t.key);
    if (auto it = out->find(k); it != out->end()) {
      *err = fmt::format("{}: a second export of {} (the first is {}): keep one namespace's files",
                         path, WmhServiceName(k), it->second.file);
      return false;
    }
    (*out)[k] = std::move(t);
  }
  return true;
}

std::string OwnNetnsPrefix() {
  struct stat st;
  if (stat("/proc/self/ns/net", &st) != 0) return "";
  return fmt::format("{}-", static_cast<unsigned long long>(st.st_ino));
}

bool CheckServedTables(const WmhServedTables& tables, uint32_t table_size, uint32_t fingerprint,
                       std::string* err) {
  for (const auto& [key, t] : tables) {
    if (t.table_size != table_size) {
      *err = fmt::format(
          "{}: table_size {}, but --wmh-table-size is {} (the module's table_size must be given)",
          t.file, t.table_size, table_size);
      return false;
    }
    if (t.key_fingerprint != fingerprint) {
      *err = fmt::format(
          "{}: hash key fingerprint {:08x}, but --wmh-hash-key's is {:08x} (the module's "
          "hash_key must be given)",
          t.file, t.key_fingerprint, fingerprint);
      return false;
    }
  }
  return true;
}

const WmhServedTable* FindServed(const WmhServedTables& tables, const ServiceKey& key) {
  auto it = tables.find(Normal(key));
  return it == tables.end() ? nullptr : &it->second;
}

int ApplyServedWeights(const WmhServedTables& tables, std::vector<Service>* services) {
  int changed = 0;
  for (Service& s : *services) {
    const WmhServedTable* t = FindServed(tables, s.key);
    if (!t) continue;
    for (const WmhServedDest& sd : t->dests) {
      int i = s.Find(sd.ep);
      if (i < 0 || sd.table_weight == 0) continue;
      Dest& d = s.dests[i];
      if (d.weight != 0 || d.last_weight == static_cast<int32_t>(sd.table_weight)) continue;
      d.last_weight = static_cast<int32_t>(sd.table_weight);
      ++changed;
    }
  }
  return changed;
}

}  // namespace ipvs_sim
