// SPDX-License-Identifier: GPL-2.0
// Replays a trace and a timeline through a fleet of directors and collects
// metrics: the engine behind `ipvs-sim predict`, `replay` and `compare`.
#ifndef IPVS_SCHED_SIM_REPLAY_H_
#define IPVS_SCHED_SIM_REPLAY_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fleet.h"
#include "ipvsadm_config.h"
#include "metrics.h"
#include "timeline.h"
#include "trace.h"

namespace ipvs_sim {

struct ReplayOptions {
  FleetOptions fleet;
  double window = 60;
  // Synthetic keys sampled before and after each dest event to measure the
  // fraction of the hash space that moved (hash schedulers only; 0: off).
  uint32_t probe_keys = 100000;
  uint64_t probe_seed = 1;
  // Timeline events of one service that share a time stamp are one change
  // (25 of 500 servers reweighted at once is one event, its remap measured
  // from before the first edit to after the last); with per_edit every
  // event is measured on its own.
  bool per_edit = false;
  // Called now and then (every 65536 flows and at the end, with @done) with
  // the flows replayed so far and the trace's position() and size(); may be
  // empty. The command line draws its progress line from it.
  std::function<void(uint64_t flows, uint64_t pos, uint64_t size, bool done)> on_progress;
  // Called for every flow, in trace order, with what happened to it and the
  // dest of the entry holding its 5-tuple afterwards (nullptr when none; a
  // dropped packet's stale entry counts).
  std::function<void(const TraceFlow&, const FlowOutcome&, const Endpoint*)> on_flow;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one change (one timeline event, or the events of one service that
// share a time stamp) did.
struct EventStats {
  double time = 0;
  std::string what;   // e.g. "del 10.0.1.3:80", "director-down 1", "25 edits of -t ..."
  std::string where;  // file:line (of the first edit)
  size_t edits = 1;   // timeline events in the change
  int svc = -1;
  // Weight-share change: the least fraction of keys any scheduler must move.
  double ideal_remap = kNaN;
  // Fraction of sampled keys whose dest changed (hash schedulers).
  double hash_remap = kNaN;
  // Of the new flows of the following window (up to the next event) that
  // were scheduled afresh, the fraction that got another dest (or none)
  // than the scheduler before the event would have given them (hash
  // schedulers).
  uint64_t probed_flows = 0;
  uint64_t remapped_flows = 0;
  double new_flow_remap() const {
    return probed_flows ? static_cast<double>(remapped_flows) / probed_flows : kNaN;
  }
  uint64_t broken = 0;            // flows in progress that lost their dest
  uint64_t templates_broken = 0;  // persistence templates made invalid
  uint64_t kept = 0;              // flows in progress on a drained dest, kept
  uint64_t moved = 0;             // director events: flows that changed director
  uint64_t survived = 0;          // ... and kept their dest
};

struct RunResult {
  std::string scheduler;
  std::vector<std::string> services;  // ServiceKey::ToString by slot
  std::vector<Endpoint> dest_ep;      // by dest id
  std::vector<int> dest_svc;          // by dest id
  std::vector<ServiceWindow> windows;
  std::vector<ServiceWindow> totals;  // whole run, one per service
  std::vector<EventStats> events;
  std::vector<std::string> warnings;
  uint64_t flows = 0;
  uint64_t no_service = 0;
  // Flows that matched no service, by what they were sent to (protocol and
  // VIP; ToString() gives "-t 10.0.0.9:80"): a typo in a VIP or a service
  // missing from the configuration (or, for fwmark services, a flow the
  // --marks rules do not mark). Kept as keys so that counting formats
  // nothing per flow.
  std::map<ServiceKey, uint64_t> no_service_vips;
  uint64_t no_dest = 0;
  uint64_t broken = 0;
  uint64_t reused = 0;
  // Packets dropped on an entry of a deleted dest (expire_nodest_conn=0).
  uint64_t dropped = 0;
  // New connections to persistent services, and those of them that an
  // existing template sent on (the share persistence decided).
  uint64_t persistent_flows = 0;
  uint64_t persisted = 0;
  // New connections scheduled afresh, those of them a load bound sent
  // past their first choice (chbl), and the highest weighted load of a
  // dest just given a connection (FlowOutcome::load; 0 when never measured).
  uint64_t scheduled = 0;
  uint64_t bounded = 0;
  double peak_load = 0;
  double duration = 0;      // trace seconds
  double window = 60;       // metrics window length
  double wall_seconds = 0;  // time the replay took
};

// True for a window of at least half the window length: a short last
// window is kept in the CSVs but left out of window statistics and plots.
inline bool FullWindow(const RunResult& r, const ServiceWindow& w) {
  return w.end - w.start >= 0.5 * r.window;
}

// True for schedulers whose choice is a function of the flow key and the
// dest set (wmh, hrw, chbl, mh, sh, dh): remap fractions are meaningful for them.
bool IsHashScheduler(const std::string& name);

// Replays @trace with @timeline through a fleet loaded with @config (the
// scheduler of every service replaced by opts.fleet.director.sched_override
// when set). False with *err ("file:line: ...") on a trace error, a bad
// timeline event or an unknown scheduler.
bool RunReplay(const IpvsConfig& config, TraceReader* trace,
               const std::vector<TimelineEvent>& timeline, const ReplayOptions& opts,
               RunResult* result, std::string* err);

// "N flows to -t 10.0.0.9:80 matched no service" lines, largest first, at
// most @max VIPs (then "... and K more"); empty when every flow matched.
std::vector<std::string> DescribeNoService(const RunResult& r, size_t max = 20);

// One line per flow: "CLIENT VIP DEST" (DEST "-" when none), one director.
std::string FormatPrediction(const TraceFlow& flow, const Endpoint* dest);

// A random client key aimed at @svc (its protocol, VIP and family; a
// fwmark service's flows as TCP), drawn from the splitmix64 stream
// @state: the sample of the hash space that the remap shares of replay
// and whatif are measured on. Deterministic for a given @state.
FlowKey SampleKey(const Service& svc, uint64_t* state);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_REPLAY_H_
