// SPDX-License-Identifier: GPL-2.0
// A fleet of D directors behind an ECMP router.
//
// The router hashes the 5-tuple and picks one of the directors that are up.
// Two models (EcmpMode):
//  - kHashThreshold (RFC 2992; Linux's default for IPv4/IPv6 multipath
//    routes): the hash space is cut into as many equal ranges as there are
//    live directors. A change of membership moves about half of all flows,
//    including flows between two directors that stayed up.
//  - kResilient (Linux nexthop groups "type resilient", most switch ASICs):
//    a table of buckets; a failed director's buckets go to the survivors
//    with the fewest, a returning director takes buckets from the fullest.
//    Only the flows of the buckets that change owner move.
//
// When the mapping changes, every flow in progress whose director changes
// sends its next packet to the new director, which keeps it when connection
// sync is on (it holds a copy of the entry) or when its own scheduler picks
// the same dest (UDP; TCP only with sloppy_tcp=1, SCTP with sloppy_sctp=1,
// else the director does not schedule a mid-flow packet); otherwise the
// flow breaks. A director
// that comes back has an empty table and freshly bound schedulers.
//
// Thread safety: none; a fleet belongs to one replay thread.
#ifndef IPVS_SCHED_SIM_FLEET_H_
#define IPVS_SCHED_SIM_FLEET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "director.h"

namespace ipvs_sim {

enum class EcmpMode { kHashThreshold, kResilient };

struct FleetOptions {
  DirectorOptions director;
  int directors = 1;
  bool sync = false;
  EcmpMode ecmp = EcmpMode::kHashThreshold;
  uint32_t ecmp_buckets = 512;  // kResilient table size
};

struct FleetEventOutcome {
  uint64_t broken = 0;                  // flows in progress that lost their dest
  uint64_t moved = 0;                   // flows in progress that changed director
  uint64_t survived = 0;                // ... and kept their dest
  uint64_t templates_broken = 0;        // persistence templates made invalid
  uint64_t kept = 0;                    // flows in progress on a drained dest
  std::vector<uint64_t> broken_by_svc;  // broken, by service slot
};

class Fleet {
 public:
  // @observer may be nullptr; it must outlive the fleet.
  Fleet(const FleetOptions& opts, FleetObserver* observer);
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  bool Load(const IpvsConfig& config, std::string* err);

  // Offers the next flow of the trace. REQUIRES: start times non-decreasing.
  FlowOutcome Handle(const TraceFlow& flow) { return Handle(flow, HashFlowKey(flow.key)); }
  // The same with @hash = HashFlowKey(flow.key) already computed.
  FlowOutcome Handle(const TraceFlow& flow, uint64_t hash);

  // A hint that a flow of @key (@hash = HashFlowKey(key)) comes soon (see
  // Director::Prefetch).
  void Prefetch(const FlowKey& key, uint64_t hash) const;

  // Applies a timeline event at ev.time to every director (edits) or to the
  // fleet (director-down/up). False with *err = "file:line: ..." on an
  // event that names a missing service, dest or director.
  bool Apply(const TimelineEvent& ev, FleetEventOutcome* out, std::string* err);

  // Runs connection-table timers up to @now on every director.
  void Advance(double now);

  // The director ECMP picks for @key among the directors that are up, or -1.
  int Pick(const FlowKey& key, uint64_t hash) const;

  int size() const { return static_cast<int>(directors_.size()); }
  Director& director(int i) { return *directors_[i]; }
  const DestIds& dest_ids() const { return ids_; }
  // Warnings of every director.
  std::vector<std::string> TakeWarnings();

 private:
  void Remap();
  void Migrate(double now, FleetEventOutcome* out);

  FleetOptions opts_;
  FleetObserver* observer_;
  DestIds ids_;
  std::vector<std::unique_ptr<Director>> directors_;
  std::vector<int> live_;     // indices of directors that are up
  std::vector<int> buckets_;  // kResilient: bucket -> director
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_FLEET_H_
