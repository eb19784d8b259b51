// SPDX-License-Identifier: GPL-2.0
// Load-spread and disruption metrics of one replay.
//
// Balance: per time window and per service, every dest's share of the new
// flows, of the concurrent flows (time-averaged number of flows in
// progress) and of the bytes (of the flows that started in the window),
// against its weight share (time-averaged over the window, over the dests
// of the service with weight > 0). For dest i with weight share w_i and
// observed share s_i:
//   weighted load  L_i = s_i / w_i            (1.0 is a perfect spread)
//   relative error e_i = |s_i - w_i| / w_i
// and a window reports max e_i, max L_i, max L / mean L and the coefficient
// of variation (population stddev / mean) of L over the dests with w_i > 0;
// the share that went to dests of weight 0 is reported apart.
//
// Thread safety: none; one per replay thread.
#ifndef IPVS_SCHED_SIM_METRICS_H_
#define IPVS_SCHED_SIM_METRICS_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "outcome.h"

namespace ipvs_sim {

struct Balance {
  bool valid = false;  // false when nothing was observed or no weight
  double max_rel_err = 0;
  double max_load = 0;
  double max_over_mean = 0;
  double cv = 0;
  double zero_weight_share = 0;
};

// The balance of @observed (any non-negative amounts) against @weight_share
// (summing to 1 over the dests of weight > 0). Same length.
Balance ComputeBalance(std::span<const double> weight_share, std::span<const double> observed);

// Weight shares of a service's dests: weight / total for weight > 0, else 0.
// Returns false (all 0) when no dest has a positive weight.
bool WeightShares(std::span<const int32_t> weights, std::vector<double>* shares);

// The ideal fraction of keys that must move when the weight shares change
// from @before to @after (dests aligned; a dest absent on one side has share
// 0 there): the total variation distance, sum of max(0, after_i - before_i).
double IdealRemap(std::span<const double> before, std::span<const double> after);

struct DestWindow {
  uint32_t dest_id = 0;
  double weight_share = 0;  // time-averaged over the window
  uint64_t new_flows = 0;
  uint64_t bytes = 0;
  double concurrent = 0;  // time-averaged flows in progress
};

struct ServiceWindow {
  int svc = 0;
  double start = 0, end = 0;
  uint64_t new_flows = 0;  // including those with no dest
  uint64_t no_dest = 0;
  uint64_t broken = 0;
  std::vector<DestWindow> dests;
  Balance new_flows_balance, concurrent_balance, bytes_balance;
};

class Metrics : public FleetObserver {
 public:
  // @window in seconds (> 0). @ids names the dests and must outlive this.
  Metrics(double window, const DestIds* ids);
  void set_ids(const DestIds* ids) { ids_ = ids; }

  // The current weights of service @svc's dests (dest ids and weights
  // aligned), from @now on.
  void SetWeights(double now, int svc, std::span<const uint32_t> dest_ids,
                  std::span<const int32_t> weights);

  // A flow of the trace arrived at @now for @svc (-1: no service).
  void OnFlow(double now, int svc, const FlowOutcome& out, uint64_t bytes) {
    Roll(now);
    if (svc < 0) {
      ++no_service_;
      return;
    }
    SvcAcc& s = Svc(svc);
    ++s.new_flows;
    if (out.dest_id == kNoDest) {
      ++s.no_dest;
      return;
    }
    DestAcc& d = Acc(out.dest_id);
    ++d.new_flows;
    d.bytes += bytes;
    if (out.started) {
      Touch(d, now);
      ++d.concurrent;
    }
  }
  // @count flows in progress broke at @now (dest removed, failover).
  void OnBroken(double now, int svc, uint64_t count);

  // FleetObserver.
  void OnFlowEnd(double now, const Conn& c) override;
  void OnFlowMoved(double now, const Conn& c) override;

  // Closes the windows up to @end (the last one may be shorter). Once.
  void Finish(double end);

  const std::vector<ServiceWindow>& windows() const { return windows_; }
  // Whole-run rows, one per service, computed by Finish().
  const std::vector<ServiceWindow>& totals() const { return totals_; }
  uint64_t no_service() const { return no_service_; }

 private:
  struct DestAcc {
    int svc = -1;
    double weight_share = 0;
    double weight_int = 0;
    double conc_int = 0;
    int64_t concurrent = 0;
    double last = 0;
    uint64_t new_flows = 0;
    uint64_t bytes = 0;
    // Whole run.
    double run_weight_int = 0, run_conc_int = 0;
    uint64_t run_new_flows = 0, run_bytes = 0;
  };
  struct SvcAcc {
    uint64_t new_flows = 0, no_dest = 0, broken = 0;
    uint64_t run_new_flows = 0, run_no_dest = 0, run_broken = 0;
    bool seen = false;
  };

  // Hot paths inline; the rare cases (first sight, window end) out of line.
  DestAcc& Acc(uint32_t id) {
    if (id < dests_.size() && dests_[id].svc >= 0) [[likely]]
      return dests_[id];
    return NewAcc(id);
  }
  DestAcc& NewAcc(uint32_t id);
  SvcAcc& Svc(int svc) {
    if (svc < static_cast<int>(svcs_.size())) [[likely]] {
      svcs_[svc].seen = true;
      return svcs_[svc];
    }
    return NewSvc(svc);
  }
  SvcAcc& NewSvc(int svc);
  static void Touch(DestAcc& d, double now) {
    double dt = now - d.last;
    if (dt > 0) {
      d.weight_int += d.weight_share * dt;
      d.conc_int += static_cast<double>(d.concurrent) * dt;
      d.last = now;
    }
  }
  void Roll(double now) {
    if (std::isnan(first_)) [[unlikely]]
      first_ = now;
    if (now >= window_start_ + window_) [[unlikely]]
      RollWindows(now);
  }
  void RollWindows(double now);
  void Close(double end);
  static void Derive(ServiceWindow* w);

  double window_;
  const DestIds* ids_;
  double window_start_ = 0;
  std::vector<DestAcc> dests_;
  std::vector<SvcAcc> svcs_;
  std::vector<ServiceWindow> windows_;
  std::vector<ServiceWindow> totals_;
  uint64_t no_service_ = 0;
  double first_ = std::numeric_limits<double>::quiet_NaN();
  // Seconds of the windows closed so far: the time axis without the idle
  // stretches RollWindows skipped (the whole run's denominator).
  double covered_ = 0;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_METRICS_H_
