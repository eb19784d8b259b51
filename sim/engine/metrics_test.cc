// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sched_testing.h"

namespace ipvs_sim {
namespace {

using sched_testing::Ep;

TEST(BalanceTest, HandComputed) {
  // Weights 1:1:2, flows 30:20:50. Shares .3 .2 .5 against .25 .25 .5:
  // loads 1.2, 0.8, 1.0; mean 1; stddev sqrt(0.08/3).
  std::vector<double> w = {0.25, 0.25, 0.5};
  std::vector<double> obs = {30, 20, 50};
  Balance b = ComputeBalance(w, obs);
  ASSERT_TRUE(b.valid);
  EXPECT_NEAR(b.max_rel_err, 0.2, 1e-12);
  EXPECT_NEAR(b.max_load, 1.2, 1e-12);
  EXPECT_NEAR(b.max_over_mean, 1.2, 1e-12);
  EXPECT_NEAR(b.cv, std::sqrt(0.08 / 3), 1e-12);
  EXPECT_DOUBLE_EQ(b.zero_weight_share, 0);
}

TEST(BalanceTest, PerfectAndZeroWeight) {
  std::vector<double> w = {0.5, 0.5, 0};
  std::vector<double> obs = {40, 40, 20};  // 20% went to the drained dest
  Balance b = ComputeBalance(w, obs);
  ASSERT_TRUE(b.valid);
  EXPECT_NEAR(b.zero_weight_share, 0.2, 1e-12);
  EXPECT_NEAR(b.max_load, 0.8, 1e-12);
  EXPECT_NEAR(b.cv, 0, 1e-12);
  EXPECT_NEAR(b.max_over_mean, 1, 1e-12);
  EXPECT_FALSE(ComputeBalance(w, std::vector<double>{0, 0, 0}).valid);
}

TEST(BalanceTest, IdealRemap) {
  // Remove one of four equal dests: a quarter of the keys must move.
  EXPECT_NEAR(IdealRemap(std::vector<double>{.25, .25, .25, .25},
                         std::vector<double>{1 / 3., 1 / 3., 1 / 3., 0}),
              0.25, 1e-12);
  // Weight 1:1 -> 3:1: a quarter moves from the second to the first.
  EXPECT_NEAR(IdealRemap(std::vector<double>{.5, .5}, std::vector<double>{.75, .25}), 0.25, 1e-12);
  std::vector<double> s;
  EXPECT_TRUE(WeightShares(std::vector<int32_t>{1, 0, 3}, &s));
  EXPECT_EQ(s, (std::vector<double>{.25, 0, .75}));
  EXPECT_FALSE(WeightShares(std::vector<int32_t>{0, 0}, &s));
}

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest() : m_(10, &ids_) {
    a_ = ids_.Get(0, Ep("192.168.1.1:80"));
    b_ = ids_.Get(0, Ep("192.168.1.2:80"));
  }
  FlowOutcome To(uint32_t id, bool started = true) {
    FlowOutcome o;
    o.svc = 0;
    o.dest_id = id;
    o.started = started;
    return o;
  }
  Conn ConnOf(uint32_t id) {
    Conn c;
    c.dest_id = id;
    return c;
  }
  DestIds ids_;
  Metrics m_;
  uint32_t a_, b_;
};

TEST_F(MetricsTest, WindowsSharesAndConcurrency) {
  std::vector<uint32_t> ids = {a_, b_};
  m_.SetWeights(0, 0, ids, std::vector<int32_t>{1, 3});
  // Window [0,10): a gets 1 flow running 0..10, b gets 3 flows of 0..5.
  m_.OnFlow(0, 0, To(a_), 100);
  for (int i = 0; i < 3; ++i) m_.OnFlow(0, 0, To(b_), 100);
  for (int i = 0; i < 3; ++i) m_.OnFlowEnd(5, ConnOf(b_));
  // At 10 the weights become 1:1 for the second window [10,20) (ends at 15).
  m_.SetWeights(10, 0, ids, std::vector<int32_t>{1, 1});
  m_.OnFlowEnd(10, ConnOf(a_));
  m_.OnFlow(12, 0, To(kNoDest), 0);
  m_.OnBroken(12, 0, 2);
  m_.Finish(15);
  const auto& w = m_.windows();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].new_flows, 4u);
  ASSERT_EQ(w[0].dests.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0].dests[0].weight_share, 0.25);
  EXPECT_DOUBLE_EQ(w[0].dests[1].weight_share, 0.75);
  EXPECT_DOUBLE_EQ(w[0].dests[0].concurrent, 1.0);
  EXPECT_DOUBLE_EQ(w[0].dests[1].concurrent, 1.5);  // 3 flows for half the window
  EXPECT_NEAR(w[0].new_flows_balance.max_rel_err, 0, 1e-12);
  // Concurrent 1 : 1.5 is 0.4 : 0.6 against 0.25 : 0.75.
  EXPECT_NEAR(w[0].concurrent_balance.max_rel_err, 0.6, 1e-12);
  EXPECT_NEAR(w[0].bytes_balance.max_load, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(w[1].start, 10);
  EXPECT_DOUBLE_EQ(w[1].end, 15);
  EXPECT_EQ(w[1].no_dest, 1u);
  EXPECT_EQ(w[1].broken, 2u);
  EXPECT_DOUBLE_EQ(w[1].dests[0].weight_share, 0.5);
  EXPECT_FALSE(w[1].new_flows_balance.valid);
  // Whole run: weight share of a is (0.25*10 + 0.5*5) / 15 = 1/3.
  ASSERT_EQ(m_.totals().size(), 1u);
  EXPECT_NEAR(m_.totals()[0].dests[0].weight_share, 1 / 3., 1e-12);
  EXPECT_EQ(m_.totals()[0].new_flows, 5u);
  EXPECT_EQ(m_.totals()[0].broken, 2u);
}

TEST_F(MetricsTest, EmptyWindowsAreStillReported) {
  std::vector<uint32_t> ids = {a_, b_};
  m_.SetWeights(0, 0, ids, std::vector<int32_t>{1, 1});
  m_.OnFlow(1, 0, To(a_), 0);
  m_.OnFlow(35, 0, To(b_), 0);
  m_.Finish(40);
  ASSERT_EQ(m_.windows().size(), 4u);
  EXPECT_EQ(m_.windows()[1].new_flows, 0u);
  EXPECT_DOUBLE_EQ(m_.windows()[2].dests[0].concurrent, 1.0);  // a never ended
}

}  // namespace
}  // namespace ipvs_sim
