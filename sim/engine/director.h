// SPDX-License-Identifier: GPL-2.0
// One IPVS director: its own copy of every virtual service, one scheduler
// instance per service and a connection table. A fleet of directors shares
// the configuration and the timeline but nothing else.
#ifndef IPVS_SCHED_SIM_DIRECTOR_H_
#define IPVS_SCHED_SIM_DIRECTOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conn_table.h"
#include "ipvsadm_config.h"
#include "outcome.h"
#include "scheduler.h"
#include "service.h"
#include "timeline.h"
#include "trace.h"

namespace ipvs_sim {

struct DirectorOptions {
  SchedulerOptions sched;
  ConnTimeouts timeouts;
  // Non-empty: every service uses this scheduler whatever the configuration
  // or the timeline's -E says (how `compare` runs each candidate).
  std::string sched_override;
  // A new TCP flow on the 5-tuple of a closed entry is scheduled afresh
  // (net.ipv4.vs.conn_reuse_mode=1, the default); else it reuses the entry.
  bool reuse_closed_tcp = true;
};

class Director {
 public:
  // @ids and @observer must outlive the director.
  Director(int index, const DirectorOptions& opts, DestIds* ids, ConnObserver* observer);
  Director(const Director&) = delete;
  Director& operator=(const Director&) = delete;

  // Loads @config: services and dests in the given list order, then binds
  // each scheduler (kInit). False with *err if a scheduler is unknown.
  bool Load(const IpvsConfig& config, std::string* err);

  // Runs connection-table timers up to @now.
  void Advance(double now) { table_.Advance(now); }

  // Offers a new flow (the packet that would create or find its entry).
  // REQUIRES: Advance(flow.start) done. @hash is HashFlowKey(flow.key).
  FlowOutcome Handle(const TraceFlow& flow) { return Handle(flow, HashFlowKey(flow.key)); }
  FlowOutcome Handle(const TraceFlow& flow, uint64_t hash);

  // A flow of @key live elsewhere (entry @c there) has its next packet sent
  // here (ECMP change) at @now, bound to c.dest_id until c.flow_end. With @synced the entry is
  // already here (connection sync); otherwise the scheduler is asked and the
  // flow survives only if it picks the same dest. Returns true if the flow
  // survives (and then holds an entry here).
  bool Adopt(const Conn& c, const FlowKey& key, double now, bool synced);

  // Applies one timeline edit (not director up/down). *broken receives the
  // number of flows in progress that lost their dest. False with *err =
  // "file:line: ..." if the event names a missing service or dest.
  bool Apply(const TimelineEvent& ev, uint64_t* broken, std::string* err);

  // Director failure: forgets every entry. Boot: fresh schedulers (kInit).
  void Crash(double now);
  bool Boot(std::string* err);
  bool up() const { return up_; }

  // Scheduler Update() failures seen so far ("director N: svc: message").
  std::vector<std::string>& warnings() { return warnings_; }

  int index() const { return index_; }
  ConnTable& table() { return table_; }
  size_t num_services() const { return slots_.size(); }
  // nullptr for a deleted service slot.
  const Service* service(int svc) const {
    return slots_[svc]->deleted ? nullptr : &slots_[svc]->svc;
  }
  const std::vector<uint32_t>& dest_ids(int svc) const { return slots_[svc]->dest_ids; }
  // Slot of the live service with @key, or -1.
  int FindService(const ServiceKey& key) const;

 private:
  struct Slot {
    Service svc;
    std::unique_ptr<Scheduler> sched;
    std::vector<uint32_t> dest_ids;  // parallel to svc.dests
    bool deleted = false;
  };

  int ServiceOf(const FlowKey& key);
  bool Bind(Slot& s, const std::string& name, std::string* err);
  void Repoint(Slot& s);
  void CallUpdate(Slot& s, SchedEvent ev, const Dest* d);
  uint64_t Drop(int svc, uint32_t dest_id, double now);
  // The steps of Apply, one per kind of event; *err gets the bare message.
  bool AddService(const Service& svc, std::string* err);
  bool EditService(Slot& s, const Service& edit, std::string* err);
  uint64_t DelService(int svc, double now);
  bool EditDest(int svc, const TimelineEvent& ev, uint64_t* broken, std::string* err);

  int index_;
  DirectorOptions opts_;
  DestIds* ids_;
  ConnTable table_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int last_svc_ = -1;  // cache for ServiceOf
  bool up_ = true;
  std::vector<std::string> warnings_;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_DIRECTOR_H_
