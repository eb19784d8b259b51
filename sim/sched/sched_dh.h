// SPDX-License-Identifier: GPL-2.0
// Model of the kernel's dh scheduler (net/netfilter/ipvs/ip_vs_dh.c): 256
// buckets (CONFIG_IP_VS_DH_TAB_BITS is not set by Debian: default 8) filled
// one per dest round the list in kernel order, indexed by hash_32 of the
// folded destination address of the packet, which for a VIP:port service is
// the VIP itself. No fallback: an unavailable dest means no dest.
#ifndef IPVS_SCHED_SIM_SCHED_DH_H_
#define IPVS_SCHED_SIM_SCHED_DH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sched_util.h"
#include "scheduler.h"

namespace ipvs_sim {

class DhScheduler : public Scheduler {
 public:
  static constexpr int kTabBits = 8;

  DhScheduler();
  std::string_view name() const override { return "dh"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The dest of bucket @b when the table was built, or nullptr when empty.
  const DestRef* BucketOwner(uint32_t b) const;

 private:
  std::vector<int32_t> bucket_;  // index into refs_, -1 when empty
  std::vector<DestRef> refs_;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_DH_H_
