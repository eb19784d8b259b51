// SPDX-License-Identifier: GPL-2.0
#include "sched_rr.h"

#include <gtest/gtest.h>

#include <string>

#include "sched_testing.h"

namespace ipvs_sim {
namespace {

using sched_testing::AddDest;
using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::DelDest;
using sched_testing::Init;
using sched_testing::SetWeight;
using sched_testing::Svc;

// The next @n choices as a string of dest letters (the last octet of the
// dest address: .1 = A, .2 = B, ...), '-' for no dest.
std::string Seq(Scheduler* s, const Service& svc, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    int d = s->Schedule(svc, ClientV4(i));
    out += d < 0 ? '-' : static_cast<char>('A' + svc.dests[d].ep.addr.bytes[3] - 1);
  }
  return out;
}

Service Abc(int wa = 1, int wb = 1, int wc = 1) {
  return Svc({D("192.168.1.1:80", wa), D("192.168.1.2:80", wb), D("192.168.1.3:80", wc)});
}

TEST(RrScheduler, CyclesInListOrderSkippingUnavailable) {
  Service svc = Abc();
  RrScheduler rr;
  Init(&rr, svc);
  EXPECT_EQ(Seq(&rr, svc, 7), "ABCABCA");
  svc.dests[1].weight = 0;
  EXPECT_EQ(Seq(&rr, svc, 4), "CACA");  // cursor was on A
  svc.dests[2].overloaded = true;
  EXPECT_EQ(Seq(&rr, svc, 2), "AA");
  svc.dests[0].overloaded = true;
  EXPECT_EQ(Seq(&rr, svc, 2), "--");
  ASSERT_TRUE(rr.cursor().has_value());  // cursor stays on A
  EXPECT_EQ(rr.cursor()->ep.ToString(), "192.168.1.1:80");
  svc.dests[1].weight = 1;
  EXPECT_EQ(Seq(&rr, svc, 2), "BB");
}

TEST(RrScheduler, AddingAtTheHeadDoesNotMoveTheCursor) {
  Service svc = Abc();
  RrScheduler rr;
  Init(&rr, svc);
  EXPECT_EQ(Seq(&rr, svc, 1), "A");
  std::string err;
  ASSERT_TRUE(AddDest(&rr, &svc, D("192.168.1.4:80"), &err));  // list: D A B C
  EXPECT_EQ(Seq(&rr, svc, 6), "BCDABC");
}

TEST(RrScheduler, DeletingTheCursorDestStepsBack) {
  Service svc = Abc();
  RrScheduler rr;
  Init(&rr, svc);
  EXPECT_EQ(Seq(&rr, svc, 2), "AB");
  std::string err;
  ASSERT_TRUE(DelDest(&rr, &svc, "192.168.1.2:80", &err));  // cursor B -> A
  EXPECT_EQ(rr.cursor()->ep.ToString(), "192.168.1.1:80");
  EXPECT_EQ(Seq(&rr, svc, 3), "CAC");
  // Deleting the first dest while under the cursor: back to the head.
  ASSERT_TRUE(sched_testing::AddDest(&rr, &svc, D("192.168.1.4:80"), &err));  // D A C
  EXPECT_EQ(Seq(&rr, svc, 1), "D");
  ASSERT_TRUE(DelDest(&rr, &svc, "192.168.1.4:80", &err));
  EXPECT_FALSE(rr.cursor().has_value());
  EXPECT_EQ(Seq(&rr, svc, 3), "ACA");
  // Deleting another dest leaves the cursor alone.
  ASSERT_TRUE(DelDest(&rr, &svc, "192.168.1.3:80", &err));
  EXPECT_EQ(rr.cursor()->ep.ToString(), "192.168.1.1:80");
  EXPECT_EQ(Seq(&rr, svc, 2), "AA");
  ASSERT_TRUE(DelDest(&rr, &svc, "192.168.1.1:80", &err));
  EXPECT_EQ(Seq(&rr, svc, 1), "-");
}

TEST(WrrScheduler, ClassicFourThreeTwo) {
  // cw 4: A; cw 3: A B; cw 2: A B C; cw 1: A B C; then again from cw 4.
  Service svc = Abc(4, 3, 2);
  WrrScheduler wrr;
  Init(&wrr, svc);
  EXPECT_EQ(wrr.mw(), 4);
  EXPECT_EQ(wrr.di(), 1);
  EXPECT_EQ(Seq(&wrr, svc, 18), "AABABCABCAABABCABC");
}

TEST(WrrScheduler, GcdStepsAndMaxWeight) {
  // Weights 2 and 4: di 2, mw 4 - 1 = 3. cw 3: B; cw 1: A B; cw -1 -> 3.
  Service svc = Svc({D("192.168.1.1:80", 2), D("192.168.1.2:80", 4)});
  WrrScheduler wrr;
  Init(&wrr, svc);
  EXPECT_EQ(wrr.di(), 2);
  EXPECT_EQ(wrr.mw(), 3);
  EXPECT_EQ(Seq(&wrr, svc, 9), "BABBABBAB");
}

TEST(WrrScheduler, UpdateResetsCursorAndAdjustsCw) {
  Service svc = Abc(4, 3, 2);
  WrrScheduler wrr;
  Init(&wrr, svc);
  EXPECT_EQ(Seq(&wrr, svc, 3), "AAB");
  EXPECT_EQ(wrr.cw(), 3);
  std::string err;
  // Same weights: cw 3 stays (3 <= mw, di 1), cursor back to the head.
  ASSERT_TRUE(SetWeight(&wrr, &svc, "192.168.1.3:80", 2, &err));
  EXPECT_EQ(wrr.cw(), 3);
  EXPECT_EQ(Seq(&wrr, svc, 3), "ABA");
  // Weights 4 6 2 -> di 2, mw 6 - 1 = 5; cw 2 becomes (2 / 2) * 2 + 1 = 3.
  ASSERT_EQ(wrr.cw(), 2);
  ASSERT_TRUE(SetWeight(&wrr, &svc, "192.168.1.2:80", 6, &err));
  EXPECT_EQ(wrr.di(), 2);
  EXPECT_EQ(wrr.mw(), 5);
  EXPECT_EQ(wrr.cw(), 3);
  // Lower max: cw above mw is reset to mw.
  ASSERT_TRUE(SetWeight(&wrr, &svc, "192.168.1.2:80", 1, &err));
  EXPECT_EQ(wrr.mw(), 4);
  EXPECT_EQ(wrr.cw(), 3);
  ASSERT_TRUE(SetWeight(&wrr, &svc, "192.168.1.1:80", 2, &err));
  EXPECT_EQ(wrr.mw(), 2);
  EXPECT_EQ(wrr.cw(), 2);
}

TEST(WrrScheduler, NoDestCases) {
  Service svc = Abc(0, 0, 0);
  WrrScheduler wrr;
  Init(&wrr, svc);
  EXPECT_EQ(wrr.mw(), 0);
  EXPECT_EQ(Seq(&wrr, svc, 2), "--");

  Service busy = Abc(2, 1, 1);
  WrrScheduler w2;
  Init(&w2, busy);
  EXPECT_EQ(Seq(&w2, busy, 2), "AA");
  for (Dest& d : busy.dests) d.overloaded = true;
  EXPECT_EQ(Seq(&w2, busy, 3), "---");  // terminates from a dest cursor
  busy.dests[2].overloaded = false;
  EXPECT_EQ(Seq(&w2, busy, 3), "CCC");
}

}  // namespace
}  // namespace ipvs_sim
