// SPDX-License-Identifier: GPL-2.0
// Models of the kernel's stateless schedulers that read connection counts
// and weights (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c,
// ip_vs_ovf.c, ip_vs_twos.c). Each scans svc.dests in kernel list order and
// breaks ties the way the kernel's comparisons do (the first dest wins on
// equal load). Overhead is ConnOverhead(): active * 256 + active + inactive.
//
//  lc   least overhead; skips overloaded and weight-0 dests.
//  wlc  least overhead / weight; the first dest with weight > 0 that is not
//       overloaded seeds the search, later ones compete by cross-multiplying.
//  sed  as wlc with (active + 1) as the load.
//  nq   the first idle dest (no active conns) if any, else as sed.
//  fo   the highest weight among dests not overloaded (first on ties).
//  ovf  the highest weight among dests with active <= weight, weight != 0
//       and not overloaded.
//  twos power of two choices: two weighted random picks, the less loaded
//       (overhead / weight) wins. The kernel draws from prandom; the model
//       draws from a splitmix64 stream seeded with a constant (kTwosSeed)
//       and maps it to [0, n) like prandom_u32_max ((r * n) >> 32). So twos
//       decisions are deterministic and statistically faithful, not the
//       kernel's flow by flow.
#ifndef IPVS_SCHED_SIM_SCHED_CONN_H_
#define IPVS_SCHED_SIM_SCHED_CONN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "scheduler.h"

namespace ipvs_sim {

// A scheduler that needs no callbacks: Update does nothing.
class StatelessScheduler : public Scheduler {
 public:
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;
};

class LcScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "lc"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class WlcScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "wlc"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class SedScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "sed"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class NqScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "nq"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class FoScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "fo"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class OvfScheduler : public StatelessScheduler {
 public:
  std::string_view name() const override { return "ovf"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;
};

class TwosScheduler : public StatelessScheduler {
 public:
  static constexpr uint64_t kTwosSeed = 0x74776f7320736565ULL;  // "twos see"

  explicit TwosScheduler(uint64_t seed = kTwosSeed) : state_(seed) {}
  std::string_view name() const override { return "twos"; }
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The next value of the model's prandom_u32_max(n). REQUIRES: n > 0.
  uint32_t RandomBelow(uint32_t n);

 private:
  uint64_t state_;
};

// Index of the least loaded dest by the wlc rule for a given overhead
// function, or -1: shared by wlc, sed and the lblc/lblcr schedulers.
int LeastWeightedLoad(const Service& svc, int64_t (*overhead)(const Dest&));

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_CONN_H_
