// SPDX-License-Identifier: GPL-2.0
// MakeScheduler and SchedulerNames (scheduler.cc).
#include <gtest/gtest.h>

#include "sched_testing.h"
#include "scheduler.h"

namespace ipvs_sim {
namespace {

using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::Svc;

TEST(MakeScheduler, EveryNameBuildsAndSchedules) {
  std::vector<std::string> names = SchedulerNames();
  ASSERT_EQ(names.front(), "wmh");
  EXPECT_EQ(names.size(), 15u);
  SchedulerOptions opts;
  opts.wmh_table_size = 251;
  for (const std::string& n : names) {
    std::string err;
    std::unique_ptr<Scheduler> s = MakeScheduler(n, opts, &err);
    ASSERT_NE(s, nullptr) << n << ": " << err;
    EXPECT_EQ(s->name(), n);
    Service svc = Svc({D("192.168.1.1:80", 2), D("192.168.1.2:80", 1)});
    ASSERT_TRUE(s->Update(svc, SchedEvent::kInit, nullptr, &err)) << n << ": " << err;
    int d = s->Schedule(svc, ClientV4(7));
    EXPECT_TRUE(d == 0 || d == 1) << n;
    // Nobody schedules to a service whose dests all have weight 0.
    for (Dest& dest : svc.dests) dest.weight = 0;
    ASSERT_TRUE(s->Update(svc, SchedEvent::kUpdDest, &svc.dests[0], &err)) << n;
    ASSERT_TRUE(s->Update(svc, SchedEvent::kUpdDest, &svc.dests[1], &err)) << n;
    EXPECT_EQ(s->Schedule(svc, ClientV4(7)), -1) << n;
  }
}

TEST(MakeScheduler, UnknownNameIsAnError) {
  std::string err;
  EXPECT_EQ(MakeScheduler("maglev", SchedulerOptions(), &err), nullptr);
  EXPECT_NE(err.find("unknown scheduler 'maglev'"), std::string::npos) << err;
  EXPECT_NE(err.find("wmh, rr"), std::string::npos) << err;
}

TEST(MakeScheduler, BadOptionsAreErrors) {
  std::string err;
  SchedulerOptions o;
  o.wmh_table_size = 65536;
  EXPECT_EQ(MakeScheduler("wmh", o, &err), nullptr);
  EXPECT_NE(err.find("65536"), std::string::npos) << err;
  o = SchedulerOptions();
  o.mh_tab_index = 18;
  EXPECT_EQ(MakeScheduler("mh", o, &err), nullptr);
  EXPECT_NE(err.find("18"), std::string::npos) << err;
  o = SchedulerOptions();
  o.sh_tab_bits = 0;
  EXPECT_EQ(MakeScheduler("sh", o, &err), nullptr);
  EXPECT_NE(err.find("sh"), std::string::npos) << err;
}

}  // namespace
}  // namespace ipvs_sim
