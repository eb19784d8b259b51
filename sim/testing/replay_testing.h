// SPDX-License-Identifier: GPL-2.0
// Test helpers for the replay engine: an in-memory trace, flow builders and
// a one-director prediction.
#ifndef IPVS_SCHED_SIM_REPLAY_TESTING_H_
#define IPVS_SCHED_SIM_REPLAY_TESTING_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "replay.h"
#include "sched_testing.h"
#include "trace.h"

namespace ipvs_sim {
namespace replay_testing {

// Replays a vector of flows; optionally fails after @fail_after flows.
class VectorTrace : public TraceReader {
 public:
  explicit VectorTrace(std::vector<TraceFlow> flows, size_t fail_after = SIZE_MAX)
      : flows_(std::move(flows)), fail_after_(fail_after) {}
  bool Next(TraceFlow* flow) override {
    if (next_ == fail_after_) {
      error_ = "mem:" + std::to_string(next_ + 1) + ": broken record";
      return false;
    }
    if (next_ >= flows_.size()) return false;
    *flow = flows_[next_++];
    return true;
  }
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return next_; }
  uint64_t size() const override { return flows_.size(); }

 private:
  std::vector<TraceFlow> flows_;
  size_t next_ = 0;
  size_t fail_after_;
  std::string error_;
};

inline TraceFlow F(double start, const std::string& client, double duration = 1,
                   const std::string& vip = "10.0.0.1:80", Proto proto = Proto::kTcp) {
  TraceFlow f;
  f.start = start;
  f.key = sched_testing::Flow(client, vip, proto);
  f.duration = duration;
  return f;
}

// What `ipvs-sim predict` prints for @flows through one director: a line
// per flow (FormatPrediction). A failing replay fails the calling test.
inline std::string Predict(const IpvsConfig& config, std::vector<TraceFlow> flows,
                           const std::vector<TimelineEvent>& timeline = {}) {
  VectorTrace trace(std::move(flows));
  ReplayOptions opts;
  opts.probe_keys = 0;
  std::string out;
  opts.on_flow = [&](const TraceFlow& f, const FlowOutcome&, const Endpoint* d) {
    out += FormatPrediction(f, d);
  };
  RunResult r;
  std::string err;
  EXPECT_TRUE(RunReplay(config, &trace, timeline, opts, &r, &err)) << err;
  return out;
}

}  // namespace replay_testing
}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_REPLAY_TESTING_H_
