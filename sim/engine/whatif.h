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
//
// An entry belongs to the service the kernel would have found for its
// first packet: with marks, the fwmark service of the mark the rules give
// (proto, client, VIP), else the VIP's service, else the VIP's port-zero
// service. A fwmark service's template (protocol "IP", the mark as its
// address) belongs to the fwmark service of that mark and family.
#ifndef IPVS_SCHED_SIM_WHATIF_H_
#define IPVS_SCHED_SIM_WHATIF_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ipvsadm_config.h"
#include "mark_map.h"
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

// What the change does to one entry of the table.
enum class WhatifVerdict {
  kStays,        // its dest is still in its service (drained or not)
  kBreaks,       // its dest (or service) is deleted; a template made invalid
  kRescheduled,  // UDP under expire_nodest_conn=1: the next datagram moves
  kStale,        // its dest was not in the service before the change
  kNoService,    // no configured service has it
};
// "stays", "breaks", "rescheduled", "stale", "no-service".
const char* WhatifVerdictName(WhatifVerdict v);

struct WhatifConn {
  const IpvsConnEntry* entry = nullptr;  // into the entries judged
  int service = -1;                      // index into the config's services
  WhatifVerdict verdict = WhatifVerdict::kStays;
  bool has_to = false;  // rescheduled: the dest the next datagram gets,
  Endpoint to;          // with the packet's port for a dest without one
};

struct WhatifResult {
  std::vector<WhatifService> services;  // those the change touches
  uint64_t entries = 0;                 // entries read
  uint64_t no_service = 0;              // entries of no configured service
  // The broken entries ("PROTO CLIENT VIP DEST"), when asked for.
  std::vector<std::string> broken_list;
  // Every entry in the order read, when opts.list_conns; services named by
  // service_keys.
  std::vector<WhatifConn> conns;
  std::vector<std::string> service_keys;  // ServiceKey::ToString by index
};

struct WhatifOptions {
  SchedulerOptions sched;
  IpvsSysctls sysctls;
  std::vector<std::string> alternatives;  // --schedulers
  uint32_t probe_keys = 100000;
  bool list_broken = false;
  bool list_conns = false;
  // Firewall marks of the entries' first packets (nullptr or empty: none);
  // must outlive the call.
  const MarkMap* marks = nullptr;
};

// Applies @change (one change: every event at once) to @config and judges
// @entries. False with *err on an edit that does not apply or an unknown
// scheduler.
// With @after, also the configuration after the change (services in the
// order of @config, deleted ones left out, added ones at the end).
bool RunWhatif(const IpvsConfig& config, const std::vector<TimelineEvent>& change,
               const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
               WhatifResult* out, std::string* err, IpvsConfig* after = nullptr);

// A timeline cut into changes: the events that share one time stamp are one
// change (25 of 500 servers reweighted at once is one change), in time
// order; with @per_edit every event is a change of its own.
std::vector<std::vector<TimelineEvent>> SplitChanges(const std::vector<TimelineEvent>& timeline,
                                                     bool per_edit);

// One change of a sequence, judged against the table as the changes before
// it left it.
struct WhatifStep {
  double time = 0;
  std::string where;  // the first edit's file:line
  size_t edits = 0;
  WhatifResult result;
  // The table this change was judged against (result.conns point into it).
  std::shared_ptr<const std::vector<IpvsConnEntry>> table;
};

// Applies @changes one after the other: each is judged by RunWhatif against
// the configuration the ones before it made and the entries they left
// (broken entries gone, rescheduled ones on their new dest, templates
// broken gone). @entries must outlive @out (the first step refers to them).
// False with *err as RunWhatif.
bool RunWhatifSteps(const IpvsConfig& config,
                    const std::vector<std::vector<TimelineEvent>>& changes,
                    const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
                    std::vector<WhatifStep>* out, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_WHATIF_H_
