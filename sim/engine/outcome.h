// SPDX-License-Identifier: GPL-2.0
// What the engine tells those who watch it (metrics, the prediction
// output): stable dest numbers, the outcome of each flow, and the observer
// interface of a fleet. Below director.h and fleet.h, so that metrics need
// not include them.
#ifndef IPVS_SCHED_SIM_OUTCOME_H_
#define IPVS_SCHED_SIM_OUTCOME_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "conn_table.h"
#include "net.h"

namespace ipvs_sim {

constexpr uint32_t kNoDest = UINT32_MAX;
// FlowOutcome::load is measured from this many entries per dest on, where
// one entry no longer moves a dest's load by more than 2%.
constexpr uint64_t kLoadMinEntriesPerDest = 50;

// Stable numbers for (service slot, dest endpoint), shared by every director
// of a fleet so that metrics can add them up. A dest deleted and added again
// keeps its number. Not thread-safe.
class DestIds {
 public:
  uint32_t Get(int svc, const Endpoint& ep);
  size_t size() const { return info_.size(); }
  int svc(uint32_t id) const { return info_[id].first; }
  const Endpoint& ep(uint32_t id) const { return info_[id].second; }

 private:
  std::map<std::pair<int, Endpoint>, uint32_t> ids_;
  std::vector<std::pair<int, Endpoint>> info_;
};

// What happened to one flow offered to a director.
struct FlowOutcome {
  int svc = -1;                // service slot, -1 when no service matched
  uint32_t dest_id = kNoDest;  // kNoDest: no service or no destination
  bool reused = false;         // an existing entry of the 5-tuple was used
  bool started = false;        // the entry went from idle to in progress
  // The 5-tuple's entry is bound to a deleted dest: the packet was dropped
  // and the entry (to stale_dest) kept (expire_nodest_conn=0).
  bool dropped = false;
  uint32_t stale_dest = kNoDest;
  bool persistent = false;  // scheduled for a persistent service (no entry reused)
  bool persisted = false;   // ... by an existing template
  // Scheduled afresh (no entry, no template), and whether the scheduler
  // passed over the first choice at its load bound (chbl).
  bool scheduled = false;
  bool bounded = false;
  // When scheduled: the weighted load of the dest chosen, its entries
  // (active + inactive, what IPVS counts) over its weight share of the
  // service's entries, just after the entry was counted; 0 when not
  // measured (fewer than kLoadMinEntriesPerDest entries per dest).
  float load = 0;
  int director = 0;
  // The dest of the entry that holds the 5-tuple afterwards (what
  // /proc/net/ip_vs_conn shows), kNoDest when none.
  uint32_t entry_dest() const { return dropped ? stale_dest : dest_id; }
};

// Observed on failover, for metrics.
class FleetObserver : public ConnObserver {
 public:
  // A flow of @c moved to another director and kept its dest: it is in
  // progress again there (OnFlowEnd was called as it left).
  virtual void OnFlowMoved(double now, const Conn& c) = 0;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_OUTCOME_H_
