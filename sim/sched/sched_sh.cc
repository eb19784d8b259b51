// SPDX-License-Identifier: GPL-2.0
#include "sched_sh.h"

#include "kernel_hash.h"

namespace ipvs_sim {

ShScheduler::ShScheduler(int tab_bits) : tab_bits_(tab_bits), bucket_(size_t{1} << tab_bits, -1) {}

uint32_t ShScheduler::HashKey(Family svc_family, const IpAddr& addr, uint16_t port, uint32_t offset,
                              int tab_bits) {
  uint32_t mask = (uint32_t{1} << tab_bits) - 1;
  return (offset + KernelHash32(port + KernelAddrFold(svc_family, addr), tab_bits)) & mask;
}

const DestRef* ShScheduler::BucketOwner(uint32_t b) const {
  return bucket_[b] < 0 ? nullptr : &refs_[bucket_[b]];
}

bool ShScheduler::Update(const Service& svc, SchedEvent /*event*/, const Dest* /*dest*/,
                         std::string* /*err*/) {
  // ip_vs_sh_reassign().
  refs_ = SnapshotDests(svc);
  const size_t n = svc.dests.size();
  size_t p = 0;
  int32_t d_count = 0;
  for (int32_t& b : bucket_) {
    if (n == 0) {
      b = -1;
      continue;
    }
    if (p == n) p = 0;
    b = static_cast<int32_t>(p);
    // Stay on a dest until it has `weight` buckets (at least one).
    if (++d_count >= svc.dests[p].weight) {
      ++p;
      d_count = 0;
    }
  }
  return true;
}

// ip_vs_sh_schedule(): opens like MhScheduler::Schedule, as the kernel's two do.
int ShScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  uint32_t flags = svc.flags;
  uint16_t port = (flags & kSchedFlag2) ? HashedClientPort(flow) : 0;
  Family af = svc.family();
  const IpAddr& addr = flow.client.addr;
  auto dest_at = [&](uint32_t h, bool* empty) {
    *empty = bucket_[h] < 0;
    if (*empty) return -1;
    int i = ResolveDest(svc, refs_[bucket_[h]]);
    if (i < 0 || svc.dests[i].weight <= 0 || svc.dests[i].overloaded) return -1;
    return i;
  };
  bool empty;
  uint32_t ihash = HashKey(af, addr, port, 0, tab_bits_);
  int i = dest_at(ihash, &empty);
  if (i >= 0 || empty || !(flags & kSchedFlag1)) return i;

  // ip_vs_sh_get_fallback().
  const uint32_t size = table_size();
  for (uint32_t offset = 0; offset < size; ++offset) {
    uint32_t roffset = (offset + ihash) % size;
    i = dest_at(HashKey(af, addr, port, roffset, tab_bits_), &empty);
    if (empty) break;
    if (i >= 0) return i;
  }
  return -1;
}

}  // namespace ipvs_sim
