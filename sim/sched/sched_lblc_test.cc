// SPDX-License-Identifier: GPL-2.0
#include "sched_lblc.h"

#include <gtest/gtest.h>

#include "sched_testing.h"

namespace ipvs_sim {
namespace {

using sched_testing::D;
using sched_testing::DelDest;
using sched_testing::Ep;
using sched_testing::Flow;
using sched_testing::Init;
using sched_testing::Svc;

// A firewall-mark style service: flows to many destination addresses.
FlowKey To(const char* dst) { return Flow("10.9.9.9:5000", dst); }

TEST(LblcScheduler, StickyPerDestinationAddress) {
  Service svc = Svc({D("192.168.1.1:80", 1), D("192.168.1.2:80", 1)});
  LblcScheduler lblc;
  Init(&lblc, svc);
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);  // wlc: tie, first
  svc.dests[0].active_conns = 1;                          // A: 1 active = weight
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);  // cached, not over
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.2:80")), 1);  // new address: wlc -> B
  EXPECT_EQ(lblc.entries(), 2u);
  // The cache ignores IP_VS_DEST_F_OVERLOAD, as the kernel does.
  svc.dests[0].overloaded = true;
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);
  svc.dests[0].overloaded = false;
  // Over its weight while B has room (0 * 2 < 1): rescheduled and replaced.
  svc.dests[0].active_conns = 2;
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 1);
  svc.dests[0].active_conns = 0;
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 1);  // now cached on B
}

TEST(LblcScheduler, OverloadNeedsASpareDest) {
  Service svc = Svc({D("192.168.1.1:80", 1), D("192.168.1.2:80", 1)});
  LblcScheduler lblc;
  Init(&lblc, svc);
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);
  svc.dests[0].active_conns = 5;
  svc.dests[1].active_conns = 1;  // 1 * 2 < 1 is false: nobody has room
  EXPECT_FALSE(LblcOverloaded(svc, 0));
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);
}

TEST(LblcScheduler, RemovedOrQuiescedDestIsRescheduled) {
  Service svc = Svc({D("192.168.1.1:80", 1), D("192.168.1.2:80", 1), D("192.168.1.3:80", 1)});
  LblcScheduler lblc;
  Init(&lblc, svc);
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 0);
  svc.dests[0].weight = 0;
  svc.dests[1].active_conns = 1;
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 2);
  std::string err;
  ASSERT_TRUE(DelDest(&lblc, &svc, "192.168.1.3:80", &err));
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.1:80")), 1);
  svc.dests[1].overloaded = true;
  svc.dests[1].weight = 0;
  EXPECT_EQ(lblc.Schedule(svc, To("172.16.0.9:80")), -1);
}

TEST(LblcrScheduler, SetGrowsNewestFirstAndPicksItsLeastLoaded) {
  Service svc = Svc({D("192.168.1.1:80", 1), D("192.168.1.2:80", 1), D("192.168.1.3:80", 1)});
  LblcrScheduler lblcr;
  Init(&lblcr, svc);
  IpAddr dst = Ep("172.16.0.1").addr;
  EXPECT_EQ(lblcr.Schedule(svc, To("172.16.0.1:80")), 0);
  ASSERT_EQ(lblcr.SetOf(dst).size(), 1u);
  // A over its weight, C idle (0 * 2 < 1): wlc over the service picks B
  // (B and C tie at 0, B first), inserted at the head of the set.
  svc.dests[0].active_conns = 3;
  EXPECT_EQ(lblcr.Schedule(svc, To("172.16.0.1:80")), 1);
  std::vector<Endpoint> set = lblcr.SetOf(dst);
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0].ToString(), "192.168.1.2:80");
  EXPECT_EQ(set[1].ToString(), "192.168.1.1:80");
  // Within the set: B has 1 active (257) vs A 3 (771): B. C stays outside.
  svc.dests[1].active_conns = 1;
  EXPECT_EQ(lblcr.Schedule(svc, To("172.16.0.1:80")), 1);
  // B removed: A is the set's only member left; over weight -> C joins.
  std::string err;
  ASSERT_TRUE(DelDest(&lblcr, &svc, "192.168.1.2:80", &err));
  EXPECT_EQ(lblcr.Schedule(svc, To("172.16.0.1:80")), 1);  // C, index 1 now
  EXPECT_EQ(lblcr.SetOf(dst).size(), 3u);
  EXPECT_EQ(lblcr.SetOf(dst)[0].ToString(), "192.168.1.3:80");
}

TEST(LblcrScheduler, NoDest) {
  Service svc = Svc({D("192.168.1.1:80", 0)});
  LblcrScheduler lblcr;
  Init(&lblcr, svc);
  EXPECT_EQ(lblcr.Schedule(svc, To("172.16.0.1:80")), -1);
  EXPECT_TRUE(lblcr.SetOf(Ep("172.16.0.1").addr).empty());
}

}  // namespace
}  // namespace ipvs_sim
