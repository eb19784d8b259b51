// SPDX-License-Identifier: GPL-2.0
// What one proposed change (ipvsadm edit lines) does to a live director:
// the entries of its connection table (a /proc/net/ip_vs_conn snapshot)
// that break or stay, the share of the hash space and of new flows that
// move under each scheduler, and each dest's load before and after.
//
// The change is applied with the same edit rules as everywhere else
// (ApplyDestEdit, ApplyServiceEdit); dests are chosen by the schedulers of
// MakeScheduler, never here. An entry whose dest the change deletes (or
// whose service it deletes) breaks, except a UDP entry under
// expire_nodest_conn=1, which the next datagram expires and schedules
// afresh (rescheduled). A drained dest (weight 0) keeps its entries; its
// templates break under expire_quiescent_template, as a deleted dest's do.
#ifndef IPVS_SCHED_SIM_WHATIF_H_
#define IPVS_SCHED_SIM_WHATIF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ipvsadm_config.h"
#include "scheduler.h"
#include "sysctl_config.h"
#include "timeline.h"
#include "trace_ipvs_conn.h"

namespace ipvs_sim {

struct WhatifDest {
  Endpoint ep;
  int32_t weight_before = -1;  // -1: not in the service on that side
  int32_t weight_after = -1;
  uint64_t active_before = 0, inactive_before = 0, templates_before = 0;
  uint64_t active_after = 0, inactive_after = 0, templates_after = 0;
  // (active * 256 + inactive) / weight, as wlc compares; -1 without weight.
  double load_before = -1, load_after = -1;
};

struct WhatifSched {
  std::string name;
  double hash_moved = -1;       // sampled keys whose dest changed (-1: n/a)
  double new_flows_moved = -1;  // the snapshot's clients as new flows (-1: none)
  uint64_t new_flows = 0;
};

struct WhatifService {
  std::string key;  // ServiceKey::ToString
  std::string scheduler;
  double ideal = 0;  // least share of keys any scheduler must move
  uint64_t entries = 0, broken = 0, rescheduled = 0, stayed = 0;
  uint64_t templates = 0, templates_broken = 0;
  // Entries (and templates) bound to a dest the service does not have
  // before the change (left from an earlier deletion): not judged.
  uint64_t stale = 0;
  std::vector<WhatifDest> dests;
  std::vector<WhatifSched> scheds;  // the service's scheduler first
};

struct WhatifResult {
  std::vector<WhatifService> services;  // those the change touches
  uint64_t entries = 0;                 // entries read
  uint64_t no_service = 0;              // entries of no configured service
  // The broken entries ("PROTO CLIENT VIP DEST"), when asked for.
  std::vector<std::string> broken_list;
};

struct WhatifOptions {
  SchedulerOptions sched;
  IpvsSysctls sysctls;
  std::vector<std::string> alternatives;  // --schedulers
  uint32_t probe_keys = 100000;
  bool list_broken = false;
};

// Applies @change (one change: every event at once) to @config and judges
// @entries. False with *err on an edit that does not apply or an unknown
// scheduler.
bool RunWhatif(const IpvsConfig& config, const std::vector<TimelineEvent>& change,
               const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
               WhatifResult* out, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_WHATIF_H_
