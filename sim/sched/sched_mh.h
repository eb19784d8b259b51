// SPDX-License-Identifier: GPL-2.0
// Model of the kernel's mh scheduler (net/netfilter/ipvs/ip_vs_mh.c, the
// same in 6.1 and 6.12), decision for decision on x86-64:
//  - table of primes[tab_index - 8] slots (Debian: index 12, 4093 slots);
//  - fixed hsiphash keys, offset/skip from the dest address folded to 32
//    bits plus its port (added, host order), with the service's family;
//  - turns = ((last_weight / gcd) >> rshift) or 1 for any non-zero weight,
//    rshift = fls(max / gcd) - tab_index / 2 (at least 0);
//  - population walks the dest list in kernel order (svc.dests, head first),
//    so the table depends on the order dests were added;
//  - lookup hashes (offset + client port + folded client address), the port
//    only with flag-2 (mh-port); a dest is unavailable when its current
//    weight <= 0 or it is overloaded; flag-1 (mh-fallback) rehashes with
//    offsets ihash, ihash+1, ... and stops at an empty slot.
#ifndef IPVS_SCHED_SIM_SCHED_MH_H_
#define IPVS_SCHED_SIM_SCHED_MH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sched_util.h"
#include "scheduler.h"
#include "wmh_siphash.h"

namespace ipvs_sim {

class MhScheduler : public Scheduler {
 public:
  // REQUIRES: 8 <= tab_index <= 17 (CONFIG_IP_VS_MH_TAB_INDEX's range).
  explicit MhScheduler(int tab_index);

  std::string_view name() const override { return "mh"; }
  // Recomputes the whole table as ip_vs_mh_dest_changed does. Fails, keeping
  // the table, when there are more dests than slots (the kernel's -EINVAL).
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The kernel's generate_hash_secret() keys.
  static wmh_hash_key Hash1();
  static wmh_hash_key Hash2();
  // primes[] of ip_vs_mh.c for a CONFIG_IP_VS_MH_TAB_INDEX, or 0 when out of
  // range.
  static uint32_t TableSizeFor(int tab_index);
  // ip_vs_mh_hashkey(): hsiphash of (offset + port + folded address).
  static uint32_t HashKey(Family svc_family, const IpAddr& addr, uint16_t port,
                          const wmh_hash_key& key, uint32_t offset);

  uint32_t table_size() const { return size_; }
  // The dest slot @s points at, as it was in svc.dests when the table was
  // built, or nullptr for an empty slot. REQUIRES: s < table_size().
  const DestRef* SlotOwner(uint32_t s) const;

 private:
  // Index in svc.dests of the dest in slot @s, if it is there and available
  // (-1 otherwise); *empty tells an empty slot apart.
  int SlotDest(const Service& svc, uint32_t s, bool* empty) const;

  uint32_t size_;
  int tab_bits_;
  std::vector<int32_t> slot_;  // index into refs_, -1 when empty
  std::vector<DestRef> refs_;  // dest list when the table was built
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_MH_H_
