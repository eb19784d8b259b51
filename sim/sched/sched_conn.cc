// SPDX-License-Identifier: GPL-2.0
#include "sched_conn.h"

#include "sched_util.h"

namespace ipvs_sim {

namespace {

int64_t ActivePlusOne(const Dest& d) { return int64_t{d.active_conns} + 1; }

}  // namespace

bool StatelessScheduler::Update(const Service& /*svc*/, SchedEvent /*event*/, const Dest* /*dest*/,
                                std::string* /*err*/) {
  return true;
}

int LeastWeightedLoad(const Service& svc, int64_t (*overhead)(const Dest&)) {
  const int n = static_cast<int>(svc.dests.size());
  int least = -1;
  int64_t loh = 0;
  int i = 0;
  for (; i < n; ++i) {
    const Dest& d = svc.dests[i];
    if (!d.overloaded && d.weight > 0) {
      least = i;
      loh = overhead(d);
      break;
    }
  }
  if (least < 0) return -1;
  // Later dests compete by loh * w > doh * lw; weight-0 dests cannot win.
  for (++i; i < n; ++i) {
    const Dest& d = svc.dests[i];
    if (d.overloaded) continue;
    int64_t doh = overhead(d);
    if (loh * d.weight > doh * svc.dests[least].weight) {
      least = i;
      loh = doh;
    }
  }
  return least;
}

int LcScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  int least = -1;
  int64_t loh = 0;
  for (size_t i = 0; i < svc.dests.size(); ++i) {
    const Dest& d = svc.dests[i];
    if (d.overloaded || d.weight == 0) continue;
    int64_t doh = ConnOverhead(d);
    if (least < 0 || doh < loh) {
      least = static_cast<int>(i);
      loh = doh;
    }
  }
  return least;
}

int WlcScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  return LeastWeightedLoad(svc, &ConnOverhead);
}

int SedScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  return LeastWeightedLoad(svc, &ActivePlusOne);
}

int NqScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  int least = -1;
  int64_t loh = 0;
  for (size_t i = 0; i < svc.dests.size(); ++i) {
    const Dest& d = svc.dests[i];
    if (d.overloaded || d.weight == 0) continue;
    int64_t doh = ActivePlusOne(d);
    if (d.active_conns == 0) return static_cast<int>(i);  // idle: take it at once
    if (least < 0 || loh * d.weight > doh * svc.dests[least].weight) {
      least = static_cast<int>(i);
      loh = doh;
    }
  }
  return least;
}

int FoScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  int best = -1;
  int32_t hw = 0;
  for (size_t i = 0; i < svc.dests.size(); ++i) {
    const Dest& d = svc.dests[i];
    if (!d.overloaded && d.weight > hw) {
      best = static_cast<int>(i);
      hw = d.weight;
    }
  }
  return best;
}

int OvfScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  int best = -1;
  int32_t hw = 0;
  for (size_t i = 0; i < svc.dests.size(); ++i) {
    const Dest& d = svc.dests[i];
    int32_t w = d.weight;
    if (d.overloaded || int64_t{d.active_conns} > w || w == 0) continue;
    if (best < 0 || w > hw) {
      best = static_cast<int>(i);
      hw = w;
    }
  }
  return best;
}

uint32_t TwosScheduler::RandomBelow(uint32_t n) {
  // splitmix64 (Steele, Lea, Flood 2014), high 32 bits as the u32 draw.
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  uint32_t r = static_cast<uint32_t>(z >> 32);
  return static_cast<uint32_t>((uint64_t{r} * n) >> 32);
}

int TwosScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  const int n = static_cast<int>(svc.dests.size());
  int64_t total_weight = 0;
  int choice1 = -1;
  for (int i = 0; i < n; ++i) {
    const Dest& d = svc.dests[i];
    if (!d.overloaded && d.weight > 0) {
      total_weight += d.weight;
      choice1 = i;
    }
  }
  if (choice1 < 0) return -1;

  // Random weights in [0, total] (inclusive, as the kernel adds 1).
  total_weight += 1;
  int64_t rweight1 = RandomBelow(static_cast<uint32_t>(total_weight));
  int64_t rweight2 = RandomBelow(static_cast<uint32_t>(total_weight));
  int choice2 = -1;
  int64_t weight1 = -1, weight2 = -1, overhead1 = 0, overhead2 = 0;
  for (int i = 0; i < n; ++i) {
    const Dest& d = svc.dests[i];
    if (d.overloaded || d.weight <= 0) continue;
    rweight1 -= d.weight;
    rweight2 -= d.weight;
    if (rweight1 <= 0 && weight1 == -1) {
      choice1 = i;
      weight1 = d.weight;
      overhead1 = ConnOverhead(d);
    }
    if (rweight2 <= 0 && weight2 == -1) {
      choice2 = i;
      weight2 = d.weight;
      overhead2 = ConnOverhead(d);
    }
    if (weight1 != -1 && weight2 != -1) break;
  }
  if (choice2 >= 0 && weight2 * overhead1 > weight1 * overhead2) choice1 = choice2;
  return choice1;
}

}  // namespace ipvs_sim
