// SPDX-License-Identifier: GPL-2.0
#include "sched_conn.h"

#include <gtest/gtest.h>

#include "sched_testing.h"
#include "sched_util.h"

namespace ipvs_sim {
namespace {

using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::Init;
using sched_testing::Svc;

Dest Conns(const char* ep, int weight, uint32_t active, uint32_t inactive) {
  Dest d = D(ep, weight);
  d.active_conns = active;
  d.inactive_conns = inactive;
  return d;
}

TEST(ConnOverhead, ActiveTimes256PlusTotal) {
  EXPECT_EQ(ConnOverhead(Conns("192.168.1.1:80", 1, 0, 0)), 0);
  EXPECT_EQ(ConnOverhead(Conns("192.168.1.1:80", 1, 1, 0)), 257);
  EXPECT_EQ(ConnOverhead(Conns("192.168.1.1:80", 1, 2, 5)), 2 * 256 + 7);
}

TEST(LcScheduler, LeastOverheadFirstOnTies) {
  LcScheduler lc;
  // A: 257, B: 10 (inactive only), C: 10.
  Service svc = Svc({Conns("192.168.1.1:80", 1, 1, 0), Conns("192.168.1.2:80", 5, 0, 10),
                     Conns("192.168.1.3:80", 1, 0, 10)});
  Init(&lc, svc);
  EXPECT_EQ(lc.Schedule(svc, ClientV4(1)), 1);  // weight does not matter
  svc.dests[1].overloaded = true;
  EXPECT_EQ(lc.Schedule(svc, ClientV4(1)), 2);
  svc.dests[2].weight = 0;
  EXPECT_EQ(lc.Schedule(svc, ClientV4(1)), 0);
  svc.dests[0].overloaded = true;
  EXPECT_EQ(lc.Schedule(svc, ClientV4(1)), -1);
}

TEST(WlcScheduler, OverheadOverWeight) {
  WlcScheduler wlc;
  // A: 257 / 1; B: 514 / 3 = 171.3 -> B.
  Service svc = Svc({Conns("192.168.1.1:80", 1, 1, 0), Conns("192.168.1.2:80", 3, 2, 0)});
  EXPECT_EQ(wlc.Schedule(svc, ClientV4(1)), 1);
  // B: 514 / 2 = 257 ties A: the first stays.
  svc.dests[1].weight = 2;
  EXPECT_EQ(wlc.Schedule(svc, ClientV4(1)), 0);
  // A has weight 0: B seeds; a later weight-0 dest never wins.
  svc.dests[0].weight = 0;
  EXPECT_EQ(wlc.Schedule(svc, ClientV4(1)), 1);
  svc.dests.push_back(Conns("192.168.1.3:80", 0, 0, 0));
  EXPECT_EQ(wlc.Schedule(svc, ClientV4(1)), 1);
  svc.dests[1].overloaded = true;
  EXPECT_EQ(wlc.Schedule(svc, ClientV4(1)), -1);
}

TEST(SedScheduler, ActivePlusOneOverWeight) {
  SedScheduler sed;
  // A: (0 + 1) / 1 = 1; B: (2 + 1) / 3 = 1 -> tie, A. Inactive ignored.
  Service svc = Svc({Conns("192.168.1.1:80", 1, 0, 100), Conns("192.168.1.2:80", 3, 2, 0)});
  EXPECT_EQ(sed.Schedule(svc, ClientV4(1)), 0);
  svc.dests[1].weight = 4;  // 3 / 4 < 1
  EXPECT_EQ(sed.Schedule(svc, ClientV4(1)), 1);
}

TEST(NqScheduler, IdleFirstElseSed) {
  NqScheduler nq;
  // B is idle: taken at once even though C is idle too and heavier.
  Service svc = Svc({Conns("192.168.1.1:80", 1, 3, 0), Conns("192.168.1.2:80", 1, 0, 50),
                     Conns("192.168.1.3:80", 9, 0, 0)});
  EXPECT_EQ(nq.Schedule(svc, ClientV4(1)), 1);
  svc.dests[1].weight = 0;  // quiesced idle dest skipped
  EXPECT_EQ(nq.Schedule(svc, ClientV4(1)), 2);
  // Nobody idle: A (3 + 1) / 1 = 4, C (2 + 1) / 5 -> C.
  svc.dests[2].active_conns = 2;
  svc.dests[2].weight = 5;
  EXPECT_EQ(nq.Schedule(svc, ClientV4(1)), 2);
  svc.dests[2].overloaded = true;
  EXPECT_EQ(nq.Schedule(svc, ClientV4(1)), 0);
  svc.dests[0].weight = 0;
  EXPECT_EQ(nq.Schedule(svc, ClientV4(1)), -1);
}

TEST(FoScheduler, HighestWeightFirstOnTies) {
  FoScheduler fo;
  Service svc = Svc({D("192.168.1.1:80", 2), D("192.168.1.2:80", 5), D("192.168.1.3:80", 5)});
  EXPECT_EQ(fo.Schedule(svc, ClientV4(1)), 1);
  svc.dests[1].overloaded = true;
  EXPECT_EQ(fo.Schedule(svc, ClientV4(1)), 2);
  svc.dests[2].weight = 0;
  EXPECT_EQ(fo.Schedule(svc, ClientV4(1)), 0);
  svc.dests[0].weight = 0;
  EXPECT_EQ(fo.Schedule(svc, ClientV4(1)), -1);
}

TEST(OvfScheduler, HighestWeightWithRoom) {
  OvfScheduler ovf;
  // A is over its weight in active conns; B has room.
  Service svc = Svc({Conns("192.168.1.1:80", 3, 4, 0), Conns("192.168.1.2:80", 2, 2, 9),
                     Conns("192.168.1.3:80", 1, 0, 0)});
  EXPECT_EQ(ovf.Schedule(svc, ClientV4(1)), 1);  // active == weight still fits
  svc.dests[1].active_conns = 3;
  EXPECT_EQ(ovf.Schedule(svc, ClientV4(1)), 2);
  svc.dests[2].active_conns = 2;
  EXPECT_EQ(ovf.Schedule(svc, ClientV4(1)), -1);
}

TEST(TwosScheduler, DeterministicAndWeighted) {
  Service svc = Svc({D("192.168.1.1:80", 1), D("192.168.1.2:80", 3)});
  TwosScheduler a, b;
  int to_b = 0;
  for (int i = 0; i < 4000; ++i) {
    int x = a.Schedule(svc, ClientV4(i));
    ASSERT_EQ(x, b.Schedule(svc, ClientV4(i)));
    ASSERT_TRUE(x == 0 || x == 1);
    to_b += x == 1;
  }
  // Idle dests tie, so the first draw decides: B unless the draw lands in
  // [0, 1] of [0, 4], i.e. B with probability 3/5.
  EXPECT_GT(to_b, 4000 * 0.55);
  EXPECT_LT(to_b, 4000 * 0.65);
  // Loaded B loses whenever a draw picks A: B needs both, (3/5)^2 = 0.36.
  svc.dests[1].active_conns = 100;
  int to_b_loaded = 0;
  for (int i = 0; i < 4000; ++i) to_b_loaded += a.Schedule(svc, ClientV4(i)) == 1;
  EXPECT_GT(to_b_loaded, 4000 * 0.31);
  EXPECT_LT(to_b_loaded, 4000 * 0.41);
  svc.dests[0].overloaded = true;
  svc.dests[1].weight = 0;
  EXPECT_EQ(a.Schedule(svc, ClientV4(1)), -1);
}

TEST(TwosScheduler, RandomBelowStaysInRange) {
  TwosScheduler t(1);
  for (uint32_t n : {1u, 2u, 7u, 1000u}) {
    for (int i = 0; i < 1000; ++i) ASSERT_LT(t.RandomBelow(n), n);
  }
}

}  // namespace
}  // namespace ipvs_sim
