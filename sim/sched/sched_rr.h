// SPDX-License-Identifier: GPL-2.0
// Models of the kernel's round-robin schedulers, exact given the list order
// (svc.dests, head first) and the dest states:
//  - rr (ip_vs_rr.c): a cursor on a dest or on the list head. A new flow
//    goes to the first available dest (weight > 0, not overloaded) after the
//    cursor, wrapping round once; the cursor moves to it. Adding a dest does
//    not move the cursor; deleting the dest under the cursor moves it back
//    to the dest before it (or the head).
//  - wrr (ip_vs_wrr.c): the cursor plus a current weight cw, stepped down by
//    the gcd of the weights from the maximum; a dest takes a flow when its
//    weight >= cw. Every add/del/edit resets the cursor to the head and
//    adjusts cw as ip_vs_wrr_dest_changed does.
#ifndef IPVS_SCHED_SIM_SCHED_RR_H_
#define IPVS_SCHED_SIM_SCHED_RR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sched_util.h"
#include "scheduler.h"

namespace ipvs_sim {

class RrScheduler : public Scheduler {
 public:
  std::string_view name() const override { return "rr"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The dest under the cursor, or nullopt for the list head.
  const std::optional<DestRef>& cursor() const { return cursor_; }

 private:
  std::optional<DestRef> cursor_;
  std::vector<DestRef> order_;  // list order seen at the last callback
};

class WrrScheduler : public Scheduler {
 public:
  std::string_view name() const override { return "wrr"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  int cw() const { return cw_; }
  int mw() const { return mw_; }
  int di() const { return di_; }

 private:
  // Index of the cursor in svc.dests, -1 for the head (or a lost dest).
  int CursorIndex(const Service& svc) const;

  std::optional<DestRef> cursor_;
  int cw_ = 0;  // current weight
  int mw_ = 0;  // maximum weight, less di - 1
  int di_ = 1;  // decreasing interval: gcd of the positive weights
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_RR_H_
