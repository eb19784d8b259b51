// SPDX-License-Identifier: GPL-2.0
#include "sched_mh.h"

#include <fmt/format.h>

#include "kernel_hash.h"

namespace ipvs_sim {

namespace {

constexpr uint32_t kPrimes[] = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

bool Unavailable(const Dest& d) { return d.weight <= 0 || d.overloaded; }

}  // namespace

wmh_hash_key MhScheduler::Hash1() { return {2654435761ULL, 2654435761ULL}; }
wmh_hash_key MhScheduler::Hash2() { return {2654446892ULL, 2654446892ULL}; }

uint32_t MhScheduler::TableSizeFor(int tab_index) {
  if (tab_index < 8 || tab_index > 17) return 0;
  return kPrimes[tab_index - 8];
}

uint32_t MhScheduler::HashKey(Family svc_family, const IpAddr& addr, uint16_t port,
                              const wmh_hash_key& key, uint32_t offset) {
  uint32_t v = offset + port + KernelAddrFold(svc_family, addr);
  return KernelHsiphashU32(v, key);
}

MhScheduler::MhScheduler(int tab_index)
    : size_(TableSizeFor(tab_index)), tab_bits_(tab_index / 2), slot_(size_, -1) {}

const DestRef* MhScheduler::SlotOwner(uint32_t s) const {
  return slot_[s] < 0 ? nullptr : &refs_[slot_[s]];
}

bool MhScheduler::Update(const Service& svc, SchedEvent /*event*/, const Dest* /*dest*/,
                         std::string* err) {
  // ip_vs_mh_gcd_weight() and ip_vs_mh_shift_weight(), on last_weight.
  int32_t gcd = 0;
  int32_t max_weight = 0;
  for (const Dest& d : svc.dests) {
    int32_t w = d.last_weight;
    if (w > 0) gcd = gcd > 0 ? static_cast<int32_t>(KernelGcd(w, gcd)) : w;
    if (w > max_weight) max_weight = w;
  }
  int rshift = 0;
  if (gcd >= 1) {
    int shift = KernelFls(static_cast<uint32_t>(max_weight / gcd)) - tab_bits_;
    rshift = shift > 0 ? shift : 0;
  }

  // ip_vs_mh_reassign().
  if (svc.dests.size() > size_) {
    *err = fmt::format("mh: {}: {} dests do not fit in {} slots, table kept", svc.key.ToString(),
                       svc.dests.size(), size_);
    return false;
  }
  refs_ = SnapshotDests(svc);
  if (gcd < 1) {  // no dest with a non-zero last weight: reset the table
    std::fill(slot_.begin(), slot_.end(), -1);
    return true;
  }

  // ip_vs_mh_permutate().
  struct Setup {
    uint32_t offset, skip, perm;
    int turns;
  };
  const size_t n = svc.dests.size();
  std::vector<Setup> ds(n);
  Family af = svc.family();
  for (size_t i = 0; i < n; ++i) {
    const Dest& d = svc.dests[i];
    ds[i].offset = HashKey(af, d.ep.addr, d.ep.port, Hash1(), 0) % size_;
    ds[i].skip = HashKey(af, d.ep.addr, d.ep.port, Hash2(), 0) % (size_ - 1) + 1;
    ds[i].perm = ds[i].offset;
    int32_t lw = d.last_weight;
    int turns = (lw / gcd) >> rshift;
    ds[i].turns = turns != 0 ? turns : (lw != 0);
  }

  // ip_vs_mh_populate(): every slot is rewritten, in list order, each dest
  // taking `turns` slots per round.
  std::vector<bool> taken(size_, false);
  uint32_t filled = 0;
  size_t p = n;  // n stands for the list head
  int dt_count = 0;
  while (filled < size_) {
    if (p == n) p = 0;
    while (p != n) {
      Setup& s = ds[p];
      if (s.turns < 1) {  // added with weight 0: no slots
        ++p;
        continue;
      }
      uint32_t c = s.perm;
      while (taken[c]) {
        s.perm += s.skip;
        if (s.perm >= size_) s.perm -= size_;
        c = s.perm;
      }
      taken[c] = true;
      slot_[c] = static_cast<int32_t>(p);
      if (++filled == size_) return true;
      if (++dt_count >= s.turns) {
        dt_count = 0;
        ++p;
      }
    }
  }
  return true;
}

int MhScheduler::SlotDest(const Service& svc, uint32_t s, bool* empty) const {
  *empty = slot_[s] < 0;
  if (*empty) return -1;
  // A dest the table still names but the service lost (only after a failed
  // rebuild) cannot be handed out by the simulator: count it unavailable.
  int i = ResolveDest(svc, refs_[slot_[s]]);
  if (i < 0 || Unavailable(svc.dests[i])) return -1;
  return i;
}

// ip_vs_mh_schedule(): opens like ShScheduler::Schedule, as the kernel's two do.
int MhScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  uint32_t flags = svc.flags;
  uint16_t port = (flags & kSchedFlag2) ? HashedClientPort(flow) : 0;
  Family af = svc.family();
  const IpAddr& addr = flow.client.addr;
  bool empty;
  uint32_t ihash = HashKey(af, addr, port, Hash1(), 0) % size_;
  int i = SlotDest(svc, ihash, &empty);
  if (i >= 0 || empty || !(flags & kSchedFlag1)) return i;

  // ip_vs_mh_get_fallback(): rehash with offsets starting at ihash.
  for (uint32_t offset = 0; offset < size_; ++offset) {
    uint32_t roffset = (offset + ihash) % size_;
    uint32_t hash = HashKey(af, addr, port, Hash1(), roffset) % size_;
    i = SlotDest(svc, hash, &empty);
    if (empty) break;
    if (i >= 0) return i;
  }
  return -1;
}

}  // namespace ipvs_sim
