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
  EXPECT_EQ(names.size(), 17u);
  SchedulerOptions opts;
  opts.wmh_table_size = 251;
  opts.hrw_table_size = 251;
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

// The help lists every name MakeScheduler accepts, one line each.
TEST(MakeScheduler, HelpNamesEveryScheduler) {
  std::string help = SchedulerHelp();
  for (const std::string& n : SchedulerNames())
    EXPECT_NE(help.find("\n  " + n + " "), std::string::npos) << n << " missing in\n" << help;
}

// The simulator's wmh defaults are the module's.
TEST(MakeScheduler, WmhDefaultsAreTheCores) {
  SchedulerOptions o;
  EXPECT_EQ(o.wmh_table_size, WMH_TABLE_SIZE_DEFAULT);
  EXPECT_EQ(o.wmh_key.k0, wmh_default_hash_key.k0);
  EXPECT_EQ(o.wmh_key.k1, wmh_default_hash_key.k1);
  EXPECT_EQ(o.hrw_table_size, HRW_TABLE_SIZE_DEFAULT);
}

TEST(MakeScheduler, UnknownNameIsAnError) {
  std::string err;
  EXPECT_EQ(MakeScheduler("maglev", SchedulerOptions(), &err), nullptr);
  EXPECT_NE(err.find("unknown scheduler 'maglev'"), std::string::npos) << err;
  EXPECT_NE(err.find("wmh, hrw, chbl, rr"), std::string::npos) << err;
}

TEST(MakeScheduler, BadOptionsAreErrors) {
  std::string err;
  SchedulerOptions o;
  o.wmh_table_size = 65536;
  EXPECT_EQ(MakeScheduler("wmh", o, &err), nullptr);
  EXPECT_NE(err.find("65536"), std::string::npos) << err;
  o = SchedulerOptions();
  o.hrw_table_size = 262144;
  EXPECT_EQ(MakeScheduler("hrw", o, &err), nullptr);
  EXPECT_NE(err.find("hrw: table size 262144 refused"), std::string::npos) << err;
  o = SchedulerOptions();
  o.mh_tab_index = 18;
  EXPECT_EQ(MakeScheduler("mh", o, &err), nullptr);
  EXPECT_NE(err.find("18"), std::string::npos) << err;
  o = SchedulerOptions();
  o.sh_tab_bits = 0;
  EXPECT_EQ(MakeScheduler("sh", o, &err), nullptr);
  EXPECT_NE(err.find("sh"), std::string::npos) << err;
}

// Decisions of @name under @opts for clients 0..n-1 on varying ports.
std::vector<int> Decisions(const std::string& name, const SchedulerOptions& opts,
                           const Service& svc, int n) {
  std::string err;
  std::unique_ptr<Scheduler> s = MakeScheduler(name, opts, &err);
  EXPECT_NE(s, nullptr) << name << ": " << err;
  if (!s) return {};
  EXPECT_TRUE(s->Update(svc, SchedEvent::kInit, nullptr, &err)) << err;
  std::vector<int> out;
  for (int i = 0; i < n; ++i)
    out.push_back(s->Schedule(svc, ClientV4(i % 97, static_cast<uint16_t>(1024 + i))));
  return out;
}

// sched_name=mh/sh: the name is served by the wmh code, with mh-port /
// sh-port (flag-2) as port hashing and the fallback (flag-1) as overflow;
// "wmh" is then not found, as in the kernel.
TEST(MakeScheduler, WmhUnderTheNameOfMhOrSh) {
  std::vector<Dest> dests;
  for (int i = 1; i <= 6; ++i) dests.push_back(D("192.168.1." + std::to_string(i) + ":80", i));
  for (const char* name : {"mh", "sh"}) {
    SchedulerOptions as_name;
    as_name.wmh_table_size = 251;
    as_name.wmh_sched_name = name;
    SchedulerOptions plain = as_name;
    plain.wmh_sched_name = "wmh";
    for (uint32_t flags : {0u, kSchedFlag2, kSchedFlag1 | kSchedFlag2}) {
      Service svc = Svc(dests, "10.0.0.1:80", flags);
      std::vector<int> served = Decisions(name, as_name, svc, 4000);
      EXPECT_EQ(served, Decisions("wmh", plain, svc, 4000)) << name << " flags " << flags;
      EXPECT_NE(served, Decisions(name, plain, svc, 4000)) << name << " flags " << flags;
    }
    // The port flag changes wmh's decisions the same way under either name.
    EXPECT_NE(Decisions(name, as_name, Svc(dests, "10.0.0.1:80", 0), 4000),
              Decisions(name, as_name, Svc(dests, "10.0.0.1:80", kSchedFlag2), 4000));
    std::string err;
    EXPECT_EQ(MakeScheduler("wmh", as_name, &err), nullptr);
    EXPECT_NE(err.find("scheduler 'wmh' not found"), std::string::npos) << err;
    EXPECT_NE(err.find(std::string("sched_name=") + name), std::string::npos) << err;
    EXPECT_EQ(SchedulerServedBy(name, as_name), std::string("ip_vs_wmh (sched_name=") + name + ")");
    EXPECT_EQ(SchedulerServedBy(name, plain), std::string("the model of ip_vs_") + name);
    EXPECT_NE(MakeScheduler("rr", as_name, &err), nullptr);
  }
  SchedulerOptions bad;
  bad.wmh_sched_name = "rr";
  std::string err;
  EXPECT_EQ(MakeScheduler("rr", bad, &err), nullptr);
  EXPECT_NE(err.find("sched_name 'rr' refused"), std::string::npos) << err;
  EXPECT_EQ(SchedulerServedBy("wmh", SchedulerOptions()), "ip_vs_wmh");
}

}  // namespace
}  // namespace ipvs_sim
