// SPDX-License-Identifier: GPL-2.0
#include "service.h"

#include <fmt/core.h>

namespace ipvs_sim {

std::string ServiceKey::ToString() const {
  if (fwmark) return "-f " + std::to_string(fwmark);
  const char* opt = proto == Proto::kUdp    ? "-u "
                    : proto == Proto::kSctp ? "--sctp-service "
                                            : "-t ";
  return opt + vip.ToString();
}

int Service::Find(const Endpoint& ep) const {
  for (size_t i = 0; i < dests.size(); ++i)
    if (dests[i].ep == ep) return static_cast<int>(i);
  return -1;
}

void UpdateOverload(Dest* d, int mode) {
  if (d->u_threshold == 0) {
    d->overloaded = false;
    return;
  }
  uint64_t conns = uint64_t{d->active_conns} + d->inactive_conns;
  uint32_t u = d->u_threshold, l = LowerThreshold(*d);
  if (conns >= (mode > 0 ? l : u)) {
    d->overloaded = true;
    return;
  }
  if (conns >= (mode < 0 ? u : l)) return;
  d->overloaded = false;
}

void CountConnIn(Dest* d, bool active) {
  if (active)
    ++d->active_conns;
  else
    ++d->inactive_conns;
  if (uint64_t{d->active_conns} + d->inactive_conns == d->u_threshold) UpdateOverload(d, 1);
}

void CountConnOut(Dest* d, bool active) {
  uint64_t before = uint64_t{d->active_conns} + d->inactive_conns;
  uint32_t& n = active ? d->active_conns : d->inactive_conns;
  if (n == 0) return;
  --n;
  if (d->u_threshold != 0 && before == LowerThreshold(*d)) UpdateOverload(d, -1);
}

bool ApplyDestEdit(Service* svc, char cmd, const Dest& dest, DestInsert pos, int* index,
                   std::string* err) {
  int i = svc->Find(dest.ep);
  if (cmd == 'a') {
    if (i >= 0) {
      *err = fmt::format("duplicate real server {} in service {}", dest.ep.ToString(),
                         svc->key.ToString());
      return false;
    }
    Dest d = dest;
    d.last_weight = d.weight;
    d.active_conns = d.inactive_conns = d.persist_conns = 0;
    d.overloaded = false;
    if (pos == DestInsert::kHead) {
      svc->dests.insert(svc->dests.begin(), d);
      *index = 0;
    } else {
      svc->dests.push_back(d);
      *index = static_cast<int>(svc->dests.size()) - 1;
    }
    return true;
  }
  if (i < 0) {
    *err = fmt::format("unknown real server {} in service {}", dest.ep.ToString(),
                       svc->key.ToString());
    return false;
  }
  *index = i;
  if (cmd == 'e') {
    Dest& d = svc->dests[i];
    bool thresholds = dest.u_threshold != d.u_threshold || dest.l_threshold != d.l_threshold;
    d.weight = dest.weight;
    if (dest.weight != 0) d.last_weight = dest.weight;
    d.u_threshold = dest.u_threshold;
    d.l_threshold = dest.l_threshold;
    d.forward = dest.forward;
    if (thresholds) UpdateOverload(&d, 0);
    return true;
  }
  svc->dests.erase(svc->dests.begin() + i);
  return true;
}

void ApplyServiceEdit(Service* svc, const Service& edit) {
  svc->scheduler = edit.scheduler;
  svc->flags = edit.flags;
  svc->persistence = edit.persistence;
  svc->netmask_bits = edit.netmask_bits;
}

}  // namespace ipvs_sim
