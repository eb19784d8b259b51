// SPDX-License-Identifier: GPL-2.0
#include "sched_dh.h"

#include "kernel_hash.h"

namespace ipvs_sim {

DhScheduler::DhScheduler() : bucket_(size_t{1} << kTabBits, -1) {}

const DestRef* DhScheduler::BucketOwner(uint32_t b) const {
  return bucket_[b] < 0 ? nullptr : &refs_[bucket_[b]];
}

bool DhScheduler::Update(const Service& svc, SchedEvent /*event*/, const Dest* /*dest*/,
                         std::string* /*err*/) {
  // ip_vs_dh_reassign(): one bucket per dest, round the list.
  refs_ = SnapshotDests(svc);
  const size_t n = svc.dests.size();
  for (size_t b = 0; b < bucket_.size(); ++b)
    bucket_[b] = n == 0 ? -1 : static_cast<int32_t>(b % n);
  return true;
}

int DhScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  uint32_t h = KernelHash32(KernelAddrFold(svc.family(), flow.vip.addr), kTabBits);
  if (bucket_[h] < 0) return -1;
  int i = ResolveDest(svc, refs_[bucket_[h]]);
  if (i < 0 || svc.dests[i].weight <= 0 || svc.dests[i].overloaded) return -1;
  return i;
}

}  // namespace ipvs_sim
