// SPDX-License-Identifier: GPL-2.0
// Models of the kernel's locality-based schedulers (ip_vs_lblc.c,
// ip_vs_lblcr.c), keyed by the packet's destination address (the VIP for a
// VIP:port service, the real target for a firewall-mark cache service).
//
// Modelled exactly: the choice of a new dest (the wlc rule over svc.dests),
// the cache hit rules (lblc: the cached dest is used while it is still in
// the service, has weight > 0 and is not "overloaded" in lblc's own sense:
// more active conns than its weight while some dest has active * 2 < weight;
// lblcr: the least loaded dest of the entry's set, newest first, then the
// same overload test), and set growth (lblcr inserts the new dest at the
// head of the set).
//
// Simplified: there are no timers. Entries never expire (the kernel drops
// entries idle for lblc_expiration / lblcr_expiration, 24 h by default, and
// trims an over-full table every minute), the table has no size limit (the
// kernel stops adding entries at 1.5 x 16384), and lblcr never shrinks a set
// (the kernel drops the most loaded member of a set not modified for
// lblcr_expiration). Traces shorter than a day with fewer than 16384
// destination addresses see the kernel's decisions.
#ifndef IPVS_SCHED_SIM_SCHED_LBLC_H_
#define IPVS_SCHED_SIM_SCHED_LBLC_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sched_util.h"
#include "scheduler.h"

namespace ipvs_sim {

class LblcScheduler : public Scheduler {
 public:
  std::string_view name() const override { return "lblc"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  size_t entries() const { return cache_.size(); }

 private:
  std::map<IpAddr, DestRef> cache_;
};

class LblcrScheduler : public Scheduler {
 public:
  std::string_view name() const override { return "lblcr"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The dest set of destination address @addr, newest first (empty if none).
  std::vector<Endpoint> SetOf(const IpAddr& addr) const;

 private:
  std::map<IpAddr, std::vector<DestRef>> cache_;
};

// is_overloaded() of lblc and lblcr: @i has more active conns than its
// weight and some dest of the service has active * 2 < weight.
bool LblcOverloaded(const Service& svc, int i);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_LBLC_H_
