// SPDX-License-Identifier: GPL-2.0
// Model of the kernel's sh scheduler (net/netfilter/ipvs/ip_vs_sh.c, 6.1 and
// 6.12), decision for decision:
//  - 2^tab_bits buckets (Debian: 8 bits, 256 buckets), refilled on every
//    change by walking the dest list in kernel order (svc.dests, head first)
//    and giving each dest as many consecutive buckets as its current weight
//    (a dest of weight 0 still gets one bucket), wrapping round the list;
//  - bucket of a flow: hash_32(client port + folded client address) plus an
//    offset, masked; the port only with flag-2 (sh-port);
//  - a dest is unavailable when its weight <= 0 or it is overloaded; with
//    flag-1 (sh-fallback) the offsets ihash, ihash+1, ... are tried in turn.
#ifndef IPVS_SCHED_SIM_SCHED_SH_H_
#define IPVS_SCHED_SIM_SCHED_SH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sched_util.h"
#include "scheduler.h"

namespace ipvs_sim {

class ShScheduler : public Scheduler {
 public:
  // REQUIRES: 1 <= tab_bits <= 20 (CONFIG_IP_VS_SH_TAB_BITS's range).
  explicit ShScheduler(int tab_bits);

  std::string_view name() const override { return "sh"; }
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // ip_vs_sh_hashkey().
  static uint32_t HashKey(Family svc_family, const IpAddr& addr, uint16_t port, uint32_t offset,
                          int tab_bits);

  uint32_t table_size() const { return static_cast<uint32_t>(bucket_.size()); }
  // The dest of bucket @b when the table was built, or nullptr when empty.
  const DestRef* BucketOwner(uint32_t b) const;

 private:
  int tab_bits_;
  std::vector<int32_t> bucket_;  // index into refs_, -1 when empty
  std::vector<DestRef> refs_;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_SH_H_
