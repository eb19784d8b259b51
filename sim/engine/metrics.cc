// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"

#include <algorithm>
#include <cmath>

namespace ipvs_sim {

Balance ComputeBalance(std::span<const double> weight_share, std::span<const double> observed) {
  Balance b;
  double total = 0, wtotal = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    total += observed[i];
    if (weight_share[i] > 0) wtotal += weight_share[i];
  }
  if (total <= 0 || wtotal <= 0) return b;
  double sum = 0, sumsq = 0;
  int n = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    double s = observed[i] / total;
    double w = weight_share[i] / wtotal;
    if (weight_share[i] <= 0) {
      b.zero_weight_share += s;
      continue;
    }
    double load = s / w;
    b.max_rel_err = std::max(b.max_rel_err, std::fabs(s - w) / w);
    b.max_load = std::max(b.max_load, load);
    sum += load;
    sumsq += load * load;
    ++n;
  }
  double mean = sum / n;
  double var = std::max(0.0, sumsq / n - mean * mean);
  b.cv = mean > 0 ? std::sqrt(var) / mean : 0;
  b.max_over_mean = mean > 0 ? b.max_load / mean : 0;
  b.valid = true;
  return b;
}

bool WeightShares(std::span<const int32_t> weights, std::vector<double>* shares) {
  double total = 0;
  for (int32_t w : weights)
    if (w > 0) total += w;
  shares->assign(weights.size(), 0.0);
  if (total <= 0) return false;
  for (size_t i = 0; i < weights.size(); ++i)
    if (weights[i] > 0) (*shares)[i] = weights[i] / total;
  return true;
}

double IdealRemap(std::span<const double> before, std::span<const double> after) {
  double moved = 0;
  for (size_t i = 0; i < std::max(before.size(), after.size()); ++i) {
    double b = i < before.size() ? before[i] : 0;
    double a = i < after.size() ? after[i] : 0;
    if (a > b) moved += a - b;
  }
  return moved;
}

Metrics::Metrics(double window, const DestIds* ids)
    : window_(window > 0 ? window : 60), ids_(ids) {}

Metrics::DestAcc& Metrics::NewAcc(uint32_t id) {
  if (id >= dests_.size()) dests_.resize(id + 1);
  DestAcc& d = dests_[id];
  if (d.svc < 0) {
    d.svc = ids_->svc(id);
    d.last = window_start_;
  }
  return d;
}

Metrics::SvcAcc& Metrics::NewSvc(int svc) {
  if (svc >= static_cast<int>(svcs_.size())) svcs_.resize(svc + 1);
  svcs_[svc].seen = true;
  return svcs_[svc];
}

// Windows without a flow, a break or a flow in progress hold nothing but
// the weights: they are skipped, not closed one by one, so that memory and
// time follow the windows that hold data, not the length of the time axis
// (a trace in Unix epoch seconds starts 1.8e9 s after the first weights).
void Metrics::RollWindows(double now) {
  while (now >= window_start_ + window_) {
    Close(window_start_ + window_);
    window_start_ += window_;
    if (now < window_start_ + window_) break;
    bool idle = std::none_of(dests_.begin(), dests_.end(),
                             [](const DestAcc& d) { return d.svc >= 0 && d.concurrent > 0; });
    if (!idle) continue;
    window_start_ += std::floor((now - window_start_) / window_) * window_;
    for (DestAcc& d : dests_) d.last = window_start_;
  }
}

void Metrics::Close(double end) {
  size_t first = windows_.size();
  covered_ += end - window_start_;
  for (size_t s = 0; s < svcs_.size(); ++s) {
    if (!svcs_[s].seen) continue;
    ServiceWindow w;
    w.svc = static_cast<int>(s);
    w.start = window_start_;
    w.end = end;
    w.new_flows = svcs_[s].new_flows;
    w.no_dest = svcs_[s].no_dest;
    w.broken = svcs_[s].broken;
    svcs_[s].run_new_flows += w.new_flows;
    svcs_[s].run_no_dest += w.no_dest;
    svcs_[s].run_broken += w.broken;
    svcs_[s].new_flows = svcs_[s].no_dest = svcs_[s].broken = 0;
    windows_.push_back(std::move(w));
  }
  double len = end - window_start_;
  for (uint32_t id = 0; id < dests_.size(); ++id) {
    DestAcc& d = dests_[id];
    if (d.svc < 0 || d.svc >= static_cast<int>(svcs_.size())) continue;
    Touch(d, end);
    for (size_t i = first; i < windows_.size(); ++i) {
      if (windows_[i].svc != d.svc) continue;
      DestWindow dw;
      dw.dest_id = id;
      dw.weight_share = len > 0 ? d.weight_int / len : d.weight_share;
      dw.new_flows = d.new_flows;
      dw.bytes = d.bytes;
      dw.concurrent = len > 0 ? d.conc_int / len : static_cast<double>(d.concurrent);
      windows_[i].dests.push_back(dw);
    }
    d.run_weight_int += d.weight_int;
    d.run_conc_int += d.conc_int;
    d.run_new_flows += d.new_flows;
    d.run_bytes += d.bytes;
    d.weight_int = d.conc_int = 0;
    d.new_flows = d.bytes = 0;
  }
  for (size_t i = first; i < windows_.size(); ++i) Derive(&windows_[i]);
}

void Metrics::Derive(ServiceWindow* w) {
  std::vector<double> ws, nf, cc, by;
  for (const DestWindow& d : w->dests) {
    ws.push_back(d.weight_share);
    nf.push_back(static_cast<double>(d.new_flows));
    cc.push_back(d.concurrent);
    by.push_back(static_cast<double>(d.bytes));
  }
  w->new_flows_balance = ComputeBalance(ws, nf);
  w->concurrent_balance = ComputeBalance(ws, cc);
  w->bytes_balance = ComputeBalance(ws, by);
}

void Metrics::SetWeights(double now, int svc, std::span<const uint32_t> dest_ids,
                         std::span<const int32_t> weights) {
  Roll(now);
  Svc(svc);
  std::vector<double> shares;
  WeightShares(weights, &shares);
  for (uint32_t id = 0; id < dests_.size(); ++id) {
    DestAcc& d = dests_[id];
    if (d.svc != svc) continue;
    Touch(d, now);
    d.weight_share = 0;
  }
  for (size_t i = 0; i < dest_ids.size(); ++i) {
    DestAcc& d = Acc(dest_ids[i]);
    Touch(d, now);
    d.weight_share = shares[i];
  }
}

void Metrics::OnBroken(double now, int svc, uint64_t count) {
  Roll(now);
  if (svc >= 0) Svc(svc).broken += count;
}

void Metrics::OnFlowEnd(double now, const Conn& c) {
  Roll(now);
  DestAcc& d = Acc(c.dest_id);
  Touch(d, now);
  if (d.concurrent > 0) --d.concurrent;
}

void Metrics::OnFlowMoved(double now, const Conn& c) {
  Roll(now);
  DestAcc& d = Acc(c.dest_id);
  Touch(d, now);
  ++d.concurrent;
}

void Metrics::Finish(double end) {
  Roll(end);
  if (end > window_start_ || windows_.empty()) Close(std::max(end, window_start_));
  totals_.clear();
  double t0 = windows_.empty() ? 0 : windows_.front().start;
  double len = covered_;
  for (size_t s = 0; s < svcs_.size(); ++s) {
    if (!svcs_[s].seen) continue;
    ServiceWindow w;
    w.svc = static_cast<int>(s);
    w.start = t0;
    w.end = std::max(end, window_start_);
    w.new_flows = svcs_[s].run_new_flows;
    w.no_dest = svcs_[s].run_no_dest;
    w.broken = svcs_[s].run_broken;
    for (uint32_t id = 0; id < dests_.size(); ++id) {
      const DestAcc& d = dests_[id];
      if (d.svc != static_cast<int>(s)) continue;
      DestWindow dw;
      dw.dest_id = id;
      dw.weight_share = len > 0 ? d.run_weight_int / len : d.weight_share;
      dw.new_flows = d.run_new_flows;
      dw.bytes = d.run_bytes;
      dw.concurrent = len > 0 ? d.run_conc_int / len : 0;
      w.dests.push_back(dw);
    }
    Derive(&w);
    totals_.push_back(std::move(w));
  }
}

}  // namespace ipvs_sim
