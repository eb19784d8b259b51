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
#include <unordered_map>
#include <utility>
#include <vector>

#include "conn_table.h"
#include "ipvsadm_config.h"
#include "mark_map.h"
#include "outcome.h"
#include "persistence.h"
#include "scheduler.h"
#include "service.h"
#include "sysctl_config.h"
#include "timeline.h"
#include "trace.h"

namespace ipvs_sim {

struct DirectorOptions {
  SchedulerOptions sched;
  ConnTimeouts timeouts;
  // Non-empty: every service uses this scheduler whatever the configuration
  // or the timeline's -E says (how `compare` runs each candidate).
  std::string sched_override;
  // net.ipv4.vs.*: expire_nodest_conn, expire_quiescent_template,
  // conn_reuse_mode, sloppy_tcp, sloppy_sctp (see Handle, Adopt, Apply).
  IpvsSysctls sysctls;
  // Firewall marks of the flows (nullptr or empty: none); must outlive the
  // director. A marked flow goes to the fwmark service of its mark first.
  const MarkMap* marks = nullptr;
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

  // Runs connection-table and template timers up to @now, in time order.
  void Advance(double now);

  // Offers a new connection (the packet that would create or find its
  // entry: a TCP SYN, an SCTP INIT, a UDP datagram), as ip_vs_in_hook:
  //  - the service: a marked flow's fwmark service, else proto/VIP/port,
  //    else the VIP's port-zero service (ip_vs_service_find);
  //  - an entry of the 5-tuple is used, unless (TCP/SCTP only) its dest has
  //    weight 0 under expire_nodest_conn, or conn_reuse_mode finds it closed
  //    (TIME_WAIT under NAT; FIN_WAIT with bit 2 under DR/tunnel, where the
  //    director sees only the client; SCTP CLOSED) and no template controls
  //    it: then it is expired and the flow scheduled afresh;
  //  - an entry whose dest was deleted drops the packet and stays
  //    (FlowOutcome.dropped), or under expire_nodest_conn is expired and
  //    the flow scheduled afresh;
  //  - a persistent service schedules through its template (persistence.h).
  // REQUIRES: Advance(flow.start) done. @hash is HashFlowKey(flow.key).
  FlowOutcome Handle(const TraceFlow& flow) { return Handle(flow, HashFlowKey(flow.key)); }
  FlowOutcome Handle(const TraceFlow& flow, uint64_t hash);

  // A flow of @key live elsewhere (entry @c there) has its next packet sent
  // here (ECMP change) at @now, bound to c.dest_id until c.flow_end. With
  // @synced the entry (and its template) is already here (connection
  // sync); otherwise a mid-flow packet is scheduled only for UDP, or TCP
  // with sloppy_tcp, SCTP with sloppy_sctp (else the director does not
  // schedule it and the flow breaks), and the flow survives only if the
  // scheduler (through this director's own templates) picks the same dest.
  // Returns true if the flow survives (and then holds an entry here).
  bool Adopt(const Conn& c, const FlowKey& key, double now, bool synced);

  // Applies one timeline edit (not director up/down). *broken receives the
  // number of flows in progress that lost their dest. A deleted dest's
  // entries stay, dropping packets, until they time out; with
  // expire_nodest_conn the next packet expires them, and a UDP flow in
  // progress is scheduled afresh (it goes on elsewhere). False with *err =
  // "file:line: ..." if the event names a missing service or dest.
  bool Apply(const TimelineEvent& ev, uint64_t* broken, std::string* err);

  // Director failure: forgets every entry. Boot: fresh schedulers (kInit),
  // built from the rules (served tables, sched.wmh_served, are dropped).
  void Crash(double now);
  bool Boot(std::string* err);
  bool up() const { return up_; }

  // Templates the last Apply() made invalid: those of a deleted dest, or of
  // a dest set to weight 0 under expire_quiescent_template.
  uint64_t templates_broken() const { return templates_broken_; }
  // Flows in progress on a dest the last Apply() drained (weight to 0):
  // they keep their dest (a drain breaks nothing).
  uint64_t kept() const { return kept_; }
  const TemplateTable& templates() const { return templates_; }

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

  int ServiceOf(const FlowKey& key, uint32_t mark);
  // The dest id a new connection of @key to slot @svc gets at @now, or
  // kNoDest; through the template when the service is persistent
  // (*tmpl: the template to control the entry, *persisted: it existed).
  uint32_t Pick(int svc, const FlowKey& key, double now, uint32_t* tmpl, bool* persisted);
  // FlowOutcome::load of a flow just placed on @dest_id in @s.
  float PlacedLoad(const Slot& s, uint32_t dest_id) const;
  // Inserts the entry of a connection scheduled by Pick.
  uint32_t Enter(const FlowKey& key, uint64_t hash, int svc, uint32_t dest_id, uint32_t tmpl,
                 double start, double duration);
  // The dest of entry @c: live, or as it was when deleted (nullptr if unknown).
  const Dest* DestInfo(uint32_t dest_id) const;
  bool ReuseExpected(uint32_t idx, const Dest* info) const;
  uint64_t OrphanDest(int svc, uint32_t dest_id, double now);
  uint64_t CountTemplates(uint32_t dest_id) const;
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
  TemplateTable templates_;
  // Deleted dests as they were, by id, while entries may still point at
  // them (the kernel's trash list); a dest added again leaves it.
  std::unordered_map<uint32_t, Dest> gone_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int last_svc_ = -1;       // cache for ServiceOf
  bool port_zero_ = false;  // some service has port 0
  uint64_t templates_broken_ = 0;
  uint64_t kept_ = 0;
  bool up_ = true;
  std::vector<std::string> warnings_;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_DIRECTOR_H_
