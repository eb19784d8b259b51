// SPDX-License-Identifier: GPL-2.0
#include "fleet.h"

#include <gtest/gtest.h>

#include "replay_testing.h"

namespace ipvs_sim {
namespace {

using replay_testing::F;
using sched_testing::Ep;

IpvsConfig Config(const std::string& sched, int dests = 4) {
  std::string text = "-A -t 10.0.0.1:80 -s " + sched + "\n";
  for (int i = 1; i <= dests; ++i)
    text += "-a -t 10.0.0.1:80 -r 192.168.1." + std::to_string(i) + ":80 -m -w 1\n";
  IpvsConfig c;
  std::string err;
  EXPECT_TRUE(ParseIpvsadmConfigText(text, "test.conf", &c, &err)) << err;
  return c;
}

TimelineEvent DirectorEvent(double t, bool up, int director) {
  TimelineEvent ev;
  ev.time = t;
  ev.kind = up ? TimelineEvent::Kind::kDirectorUp : TimelineEvent::Kind::kDirectorDown;
  ev.director = director;
  ev.where = "tl:1";
  return ev;
}

TimelineEvent DestEvent(double t, TimelineEvent::Kind kind, const std::string& ep, int w = 1) {
  TimelineEvent ev;
  ev.time = t;
  ev.kind = kind;
  ev.svc.key.vip = Ep("10.0.0.1:80");
  ev.dest = sched_testing::D(ep, w);
  ev.where = "tl:2";
  return ev;
}

// Loads @n long flows (1000 s) from distinct clients at t = 0..1 into @fleet
// and returns how many each director holds.
std::vector<int> Load(Fleet* fleet, int n) {
  std::vector<int> per(fleet->size(), 0);
  for (int i = 0; i < n; ++i) {
    TraceFlow f = F(i * 0.001,
                    "172.16." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":" +
                        std::to_string(1024 + i),
                    1000);
    FlowOutcome out = fleet->Handle(f);
    EXPECT_NE(out.dest_id, kNoDest);
    ++per[out.director];
  }
  return per;
}

struct Case {
  std::string sched;
  bool sync;
  EcmpMode ecmp;
};

FleetOptions Options(const Case& c, int directors) {
  FleetOptions o;
  o.directors = directors;
  o.sync = c.sync;
  o.ecmp = c.ecmp;
  return o;
}

TEST(FleetTest, SyncKeepsEveryFlowOfAFailedDirector) {
  Fleet fleet(Options({"rr", true, EcmpMode::kHashThreshold}, 2), nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("rr"), &err)) << err;
  std::vector<int> per = Load(&fleet, 1000);
  EXPECT_GT(per[1], 350);
  FleetEventOutcome out;
  ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 1), &out, &err)) << err;
  EXPECT_EQ(out.moved, static_cast<uint64_t>(per[1]));
  EXPECT_EQ(out.survived, out.moved);
  EXPECT_EQ(out.broken, 0u);
  EXPECT_EQ(fleet.director(0).table().size(), 1000u);
}

TEST(FleetTest, WithoutSyncOnlySameDestSurvives) {
  // rr hands out dests in list order on both directors. Director 1 gave its
  // j-th flow dest j mod 4; after per[0] flows director 0 gives the j-th
  // moved flow dest (per[0] + j) mod 4: all or nothing survives.
  for (int n : {1000, 1001, 1003}) {
    Fleet fleet(Options({"rr", false, EcmpMode::kHashThreshold}, 2), nullptr);
    std::string err;
    ASSERT_TRUE(fleet.Load(Config("rr"), &err)) << err;
    std::vector<int> per = Load(&fleet, n);
    FleetEventOutcome out;
    ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 1), &out, &err)) << err;
    EXPECT_EQ(out.moved, static_cast<uint64_t>(per[1]));
    EXPECT_EQ(out.survived + out.broken, out.moved);
    EXPECT_EQ(out.survived, per[0] % 4 == 0 ? out.moved : 0u) << per[0];
    EXPECT_EQ(fleet.director(0).table().size(), per[0] + out.survived);
  }
}

TEST(FleetTest, HashSchedulerAgreesAcrossDirectorsSoFlowsSurvive) {
  // sh hashes the client address with the same table on every director;
  // with sloppy_tcp a mid-flow packet is scheduled there.
  FleetOptions o = Options({"sh", false, EcmpMode::kHashThreshold}, 3);
  o.director.sysctls.sloppy_tcp = 1;
  Fleet fleet(o, nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("sh"), &err)) << err;
  Load(&fleet, 1000);
  FleetEventOutcome down, up;
  ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 2), &down, &err)) << err;
  EXPECT_GT(down.moved, 0u);
  EXPECT_EQ(down.broken, 0u);
  ASSERT_TRUE(fleet.Apply(DirectorEvent(20, true, 2), &up, &err)) << err;
  EXPECT_GT(up.moved, 0u);
  EXPECT_EQ(up.broken, 0u);
  EXPECT_EQ(fleet.director(0).table().size() + fleet.director(1).table().size() +
                fleet.director(2).table().size(),
            1000u);
}

TEST(FleetTest, WithoutSloppyTcpAMovedTcpFlowBreaksWhateverTheScheduler) {
  // tcp_conn_schedule schedules only a SYN unless sloppy_tcp: a flow
  // moved to another director without sync breaks even under sh.
  Fleet fleet(Options({"sh", false, EcmpMode::kHashThreshold}, 3), nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("sh"), &err)) << err;
  Load(&fleet, 1000);
  FleetEventOutcome down;
  ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 2), &down, &err)) << err;
  EXPECT_GT(down.moved, 0u);
  EXPECT_EQ(down.broken, down.moved);
  EXPECT_EQ(down.survived, 0u);
}

TEST(FleetTest, ResilientMovesOnlyTheFailedDirectorsFlows) {
  for (EcmpMode mode : {EcmpMode::kResilient, EcmpMode::kHashThreshold}) {
    Fleet fleet(Options({"rr", true, mode}, 3), nullptr);
    std::string err;
    ASSERT_TRUE(fleet.Load(Config("rr"), &err)) << err;
    std::vector<int> per = Load(&fleet, 3000);
    FleetEventOutcome out;
    ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 0), &out, &err)) << err;
    if (mode == EcmpMode::kResilient) {
      EXPECT_EQ(out.moved, static_cast<uint64_t>(per[0]));
    } else {
      // Ranges [0,1/3) [1/3,2/3) [2/3,1) become [0,1/2) [1/2,1): director 1
      // gives its upper half to 2 as well, so about 1/3 + 1/6 move.
      EXPECT_GT(out.moved, static_cast<uint64_t>(per[0]) + 300);
    }
    EXPECT_EQ(out.broken, 0u);
  }
}

TEST(FleetTest, LastDirectorDownBreaksEverythingAndDropsNewFlows) {
  Fleet fleet(Options({"rr", true, EcmpMode::kHashThreshold}, 1), nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("rr"), &err)) << err;
  Load(&fleet, 100);
  FleetEventOutcome out;
  ASSERT_TRUE(fleet.Apply(DirectorEvent(10, false, 0), &out, &err)) << err;
  EXPECT_EQ(out.broken, 100u);
  EXPECT_EQ(fleet.Handle(F(11, "1.2.3.4:5")).dest_id, kNoDest);
  ASSERT_TRUE(fleet.Apply(DirectorEvent(12, true, 0), &out, &err)) << err;
  EXPECT_NE(fleet.Handle(F(13, "1.2.3.4:5")).dest_id, kNoDest);
  EXPECT_FALSE(fleet.Apply(DirectorEvent(14, false, 3), &out, &err));
  EXPECT_EQ(err.rfind("tl:1: ", 0), 0u) << err;
}

TEST(FleetTest, DeletingADestBreaksItsFlowsInProgressOnly) {
  Fleet fleet(Options({"rr", false, EcmpMode::kHashThreshold}, 1), nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("rr", 2), &err)) << err;
  // rr: 192.168.1.1, .2, .1, .2 - the first two end at 5, the others run.
  fleet.Handle(F(0, "1.1.1.1:1", 5));
  fleet.Handle(F(0, "1.1.1.1:2", 5));
  fleet.Handle(F(1, "1.1.1.1:3", 100));
  fleet.Handle(F(1, "1.1.1.1:4", 100));
  const Service& svc = *fleet.director(0).service(0);
  EXPECT_EQ(svc.dests[0].active_conns, 2u);
  EXPECT_EQ(svc.dests[0].inactive_conns, 0u);
  fleet.Advance(6);
  EXPECT_EQ(svc.dests[0].active_conns, 1u);
  EXPECT_EQ(svc.dests[0].inactive_conns, 1u);
  FleetEventOutcome out;
  ASSERT_TRUE(
      fleet.Apply(DestEvent(10, TimelineEvent::Kind::kDelDest, "192.168.1.1:80"), &out, &err))
      << err;
  EXPECT_EQ(out.broken, 1u);
  // The entries stay (packets on them are dropped) until they time out.
  EXPECT_EQ(fleet.director(0).table().size(), 4u);
  EXPECT_EQ(svc.dests.size(), 1u);
  EXPECT_FALSE(
      fleet.Apply(DestEvent(11, TimelineEvent::Kind::kDelDest, "192.168.1.1:80"), &out, &err));
  EXPECT_EQ(err.rfind("tl:2: unknown real server 192.168.1.1:80", 0), 0u) << err;
}

TEST(FleetTest, AddGoesToTheHeadAndDrainKeepsLastWeight) {
  Fleet fleet(Options({"wlc", false, EcmpMode::kHashThreshold}, 2), nullptr);
  std::string err;
  ASSERT_TRUE(fleet.Load(Config("wlc", 2), &err)) << err;
  FleetEventOutcome out;
  ASSERT_TRUE(
      fleet.Apply(DestEvent(1, TimelineEvent::Kind::kAddDest, "192.168.1.9:80", 5), &out, &err));
  ASSERT_TRUE(
      fleet.Apply(DestEvent(2, TimelineEvent::Kind::kEditDest, "192.168.1.9:80", 0), &out, &err));
  for (int d = 0; d < 2; ++d) {
    const Service& svc = *fleet.director(d).service(0);
    ASSERT_EQ(svc.dests.size(), 3u);
    EXPECT_EQ(svc.dests[0].ep.ToString(), "192.168.1.9:80");
    EXPECT_EQ(svc.dests[0].weight, 0);
    EXPECT_EQ(svc.dests[0].last_weight, 5);
  }
  // A drained dest keeps its flows; wlc sends it no new ones.
  for (int i = 0; i < 20; ++i) {
    FlowOutcome o = fleet.Handle(F(3 + i, "1.1.1.1:" + std::to_string(i + 1)));
    EXPECT_NE(fleet.dest_ids().ep(o.dest_id).ToString(), "192.168.1.9:80");
  }
}

}  // namespace
}  // namespace ipvs_sim
