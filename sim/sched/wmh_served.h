// SPDX-License-Identifier: GPL-2.0
// The tables a kernel really serves, read from ip_vs_wmh's table export
// (/sys/kernel/debug/ip_vs_wmh/NAME, Documentation/wmh.rst) with the one
// parser of the format (tools/lib/wmh_export.c). A snapshot of the rules
// does not always describe them: a drained dest's last weight is in no
// dump, and a service whose last rebuild failed (out of memory, or more
// dests than slots) is served by an older table. WmhScheduler adopts these
// tables (SchedulerOptions::wmh_served) instead of building its own.
#ifndef IPVS_SCHED_SIM_WMH_SERVED_H_
#define IPVS_SCHED_SIM_WMH_SERVED_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "net.h"
#include "service.h"

namespace ipvs_sim {

struct WmhServedDest {
  Endpoint ep;
  uint32_t table_weight = 0;  // the weight the table was built from
  int32_t weight = 0;         // the dest's weight when the file was read
  bool removed = false;       // no longer in the service (an old table)
};

struct WmhServedTable {
  std::string file;  // where it was read from, for messages
  ServiceKey key;
  std::string sched_name;
  uint32_t table_size = 0;
  uint32_t key_fingerprint = 0;
  uint64_t generation = 0;
  int last_error = 0;  // 0, or the negative errno of the last rebuild
  std::string last_reason;
  std::vector<WmhServedDest> dests;  // in the export's order
  std::vector<uint32_t> slots;       // table_size dest indexes or WMH_NO_DEST
};

using WmhServedTables = std::map<ServiceKey, WmhServedTable>;

// Parses the export @text read from @file. False with *err
// "FILE: line N: what" (the parser's line), or "FILE: ..." otherwise.
bool ParseServedTable(const std::string& file, std::string_view text, WmhServedTable* out,
                      std::string* err);

// Reads every file of @dir whose name starts with @prefix ("" for all) into
// @out. False with *err naming the file: unreadable, not an export, or a
// second export of a service already read (two namespaces' files in one
// directory: keep one, or use a prefix).
bool LoadServedTables(const std::string& dir, const std::string& prefix, WmhServedTables* out,
                      std::string* err);

// The served table of @key, or nullptr.
const WmhServedTable* FindServed(const WmhServedTables& tables, const ServiceKey& key);

// The directory of the live export and this process's namespace prefix
// ("4026531840-"), as the module names its files.
inline constexpr const char* kWmhExportDir = "/sys/kernel/debug/ip_vs_wmh";
std::string OwnNetnsPrefix();

// Checks each table against the simulator's load-time settings: its
// table_size must be @table_size and its fingerprint @fingerprint (the
// fingerprint of --wmh-hash-key). False with *err
// "FILE: table_size 13, but --wmh-table-size is 65537" or
// "FILE: hash key fingerprint 1a2b3c4d, but --wmh-hash-key's is ...".
bool CheckServedTables(const WmhServedTables& tables, uint32_t table_size, uint32_t fingerprint,
                       std::string* err);

// What a dump cannot show: for each dest of @services that has weight 0
// and is in the served table of its service with a non-zero table weight,
// last_weight becomes that weight (the kernel's last non-zero weight, which
// it builds tables from). Returns how many dests it changed.
int ApplyServedWeights(const WmhServedTables& tables, std::vector<Service>* services);

// "udp 10.0.40.5:53", "tcp [fd00::1]:80", "fwmark 7 ipv4": a service as
// the export and the kernel log name it.
std::string WmhServiceName(const ServiceKey& key);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_WMH_SERVED_H_
