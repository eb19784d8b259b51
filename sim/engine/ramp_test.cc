// SPDX-License-Identifier: GPL-2.0
#include "ramp.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "whatif.h"

namespace ipvs_sim {
namespace {

IpvsConfig Rules(const std::string& text) {
  IpvsConfig c;
  std::string err;
  EXPECT_TRUE(ParseIpvsadmConfigText(text, "rules", &c, &err)) << err;
  return c;
}

// One service of @sched with dests 192.168.1.1.. at @weights.
std::string Service1(const std::string& sched, const std::vector<int>& weights,
                     const std::string& vip = "10.0.0.1:80") {
  std::string text = fmt::format("-A -t {} -s {}\n", vip, sched);
  for (size_t i = 0; i < weights.size(); ++i)
    text += fmt::format("-a -t {} -r 192.168.1.{}:80 -m -w {}\n", vip, i + 1, weights[i]);
  return text;
}

RampOptions Opts(double bound) {
  RampOptions o;
  o.max_remap = bound;
  o.probe_keys = 20000;
  return o;
}

// The share whatif measures for step @i of @plan, from the state the
// steps before it reach, the edits read back from their ipvsadm lines.
double Measured(const IpvsConfig& from, const RampPlan& plan, size_t i, size_t svc,
                const RampOptions& o) {
  IpvsConfig at;
  std::string err;
  EXPECT_TRUE(ApplyRampSteps(from, plan, i, &at, &err)) << err;
  const RampServiceStep& s = plan.steps[i].services[svc];
  std::string lines;
  for (const TimelineEvent& ev : s.edits) lines += "0 " + FormatRampEdit(ev) + "\n";
  std::vector<TimelineEvent> change;
  EXPECT_TRUE(ParseTimelineText(lines, "step", &change, &err)) << err;
  WhatifOptions w;
  w.sched = o.sched;
  w.probe_keys = o.probe_keys;
  WhatifResult r;
  EXPECT_TRUE(RunWhatif(at, change, {}, w, &r, &err)) << err;
  for (const WhatifService& v : r.services)
    if (v.key == s.key.ToString()) return v.scheds.at(0).hash_moved;
  return 0;
}

// Same services, same dests at the same weights (order aside).
void ExpectSameDests(const IpvsConfig& a, const IpvsConfig& b) {
  ASSERT_EQ(a.services.size(), b.services.size());
  for (const Service& s : a.services) {
    int j = b.Find(s.key);
    ASSERT_GE(j, 0) << s.key.ToString();
    const Service& t = b.services[j];
    ASSERT_EQ(s.dests.size(), t.dests.size()) << s.key.ToString();
    for (const Dest& d : s.dests) {
      int k = t.Find(d.ep);
      ASSERT_GE(k, 0) << d.ep.ToString();
      EXPECT_EQ(d.weight, t.dests[k].weight) << d.ep.ToString();
    }
  }
}

// The properties every plan has: each step within the bound or marked
// over it with a reason (and then one edit: nothing smaller exists), the
// share the plan states is whatif's for that step, and the steps end at
// the target.
void CheckPlan(const IpvsConfig& cur, const IpvsConfig& tgt, const RampOptions& o,
               const RampPlan& plan) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    ASSERT_FALSE(plan.steps[i].services.empty()) << "step " << i;
    for (size_t s = 0; s < plan.steps[i].services.size(); ++s) {
      const RampServiceStep& st = plan.steps[i].services[s];
      EXPECT_FALSE(st.edits.empty()) << "step " << i;
      double m = Measured(cur, plan, i, s, o);
      EXPECT_DOUBLE_EQ(m, st.remap) << "step " << i;
      if (st.over_bound) {
        EXPECT_GT(m, o.max_remap) << "step " << i;
        EXPECT_EQ(st.edits.size(), 1u) << "step " << i;
        EXPECT_NE(st.why.find("alone moves"), std::string::npos) << st.why;
      } else {
        EXPECT_LE(m, o.max_remap) << "step " << i;
      }
    }
  }
  IpvsConfig end;
  std::string err;
  ASSERT_TRUE(ApplyRampSteps(cur, plan, plan.steps.size(), &end, &err)) << err;
  ExpectSameDests(end, tgt);
  ExpectSameDests(plan.target, tgt);
}

TEST(Ramp, ReweightIsSpreadOverStepsWithinTheBound) {
  // wmh's table follows the weights: every step stays within the bound.
  IpvsConfig cur = Rules(Service1("wmh", std::vector<int>(10, 100)));
  IpvsConfig tgt = Rules(Service1("wmh", {300, 300, 300, 100, 100, 100, 100, 100, 100, 100}));
  RampOptions o = Opts(0.05);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  // The ideal alone is about 26%: five steps at least.
  EXPECT_GE(plan.steps.size(), 5u);
  CheckPlan(cur, tgt, o, plan);
  for (const RampStep& s : plan.steps) EXPECT_FALSE(s.services[0].over_bound);
}

TEST(Ramp, ChblPlansAsWmhWithinTheBound) {
  // chbl serves wmh's tables and a ramp's services are idle (no connection
  // puts a dest at its load bound), so its hash space moves as wmh's: the
  // same steps, each within --max-remap.
  const std::vector<int> before(10, 100);
  const std::vector<int> after = {300, 300, 300, 100, 100, 100, 100, 100, 100, 0};
  RampOptions o = Opts(0.05);
  RampPlan chbl, wmh;
  std::string err;
  IpvsConfig cur = Rules(Service1("chbl", before));
  IpvsConfig tgt = Rules(Service1("chbl", after));
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &chbl, &err)) << err;
  CheckPlan(cur, tgt, o, chbl);
  EXPECT_GE(chbl.steps.size(), 5u);
  for (const RampStep& s : chbl.steps) {
    EXPECT_FALSE(s.services[0].over_bound);
    EXPECT_GT(s.services[0].remap, 0);
    EXPECT_LE(s.services[0].remap, o.max_remap);
  }
  ASSERT_TRUE(
      PlanRamp(Rules(Service1("wmh", before)), Rules(Service1("wmh", after)), o, &wmh, &err))
      << err;
  ASSERT_EQ(chbl.steps.size(), wmh.steps.size());
  for (size_t i = 0; i < chbl.steps.size(); ++i) {
    const RampServiceStep &a = chbl.steps[i].services[0], &b = wmh.steps[i].services[0];
    EXPECT_DOUBLE_EQ(a.remap, b.remap) << "step " << i;
    ASSERT_EQ(a.edits.size(), b.edits.size()) << "step " << i;
    for (size_t e = 0; e < a.edits.size(); ++e)
      EXPECT_EQ(FormatRampEdit(a.edits[e]), FormatRampEdit(b.edits[e])) << "step " << i;
  }
}

TEST(Ramp, InTreeModelsKeepTheProperties) {
  // mh divides weights by their gcd: 100 -> 101 reshuffles the table, which
  // the plan must report rather than hide; sh gives each dest `weight` of
  // 256 buckets in list order.
  for (const char* sched : {"mh", "sh"}) {
    SCOPED_TRACE(sched);
    IpvsConfig cur = Rules(Service1(sched, std::vector<int>(10, 10)));
    IpvsConfig tgt = Rules(Service1(sched, {30, 30, 30, 10, 10, 10, 10, 10, 10, 10}));
    RampOptions o = Opts(0.05);
    RampPlan plan;
    std::string err;
    ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
    CheckPlan(cur, tgt, o, plan);
    EXPECT_GT(plan.steps.size(), 1u);
  }
}

TEST(Ramp, AddingOneDestToThreeExceedsTheBoundAndIsItsOwnStep) {
  for (const char* sched : {"wmh", "chbl", "mh"}) {
    SCOPED_TRACE(sched);
    IpvsConfig cur = Rules(Service1(sched, {1, 1, 1}));
    IpvsConfig tgt = Rules(Service1(sched, {1, 1, 1, 1}));
    RampOptions o = Opts(0.05);
    RampPlan plan;
    std::string err;
    ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
    CheckPlan(cur, tgt, o, plan);
    ASSERT_EQ(plan.steps.size(), 1u);
    const RampServiceStep& s = plan.steps[0].services[0];
    EXPECT_TRUE(s.over_bound);
    EXPECT_NE(s.why.find("-a -t 10.0.0.1:80 -r 192.168.1.4:80"), std::string::npos) << s.why;
    EXPECT_GT(s.remap, 0.15);  // about a quarter moves to the new dest
  }
}

TEST(Ramp, AddedDestWithRoomForUnitsRampsUp) {
  IpvsConfig cur = Rules(Service1("wmh", {100, 100, 100}));
  IpvsConfig tgt = Rules(Service1("wmh", {100, 100, 100, 100}));
  RampOptions o = Opts(0.05);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  CheckPlan(cur, tgt, o, plan);
  EXPECT_GE(plan.steps.size(), 5u);  // 25% in steps of at most 5%
  EXPECT_EQ(plan.steps[0].services[0].edits[0].kind, TimelineEvent::Kind::kAddDest);
}

TEST(Ramp, RemovedDestIsDrainedThenDeleted) {
  IpvsConfig cur = Rules(Service1("mh", {100, 100, 100, 100}));
  IpvsConfig tgt = Rules(Service1("mh", {100, 100, 100}));
  RampOptions o = Opts(0.05);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  CheckPlan(cur, tgt, o, plan);
  EXPECT_GE(plan.steps.size(), 5u);
  const RampServiceStep& last = plan.steps.back().services[0];
  EXPECT_EQ(last.edits.back().kind, TimelineEvent::Kind::kDelDest);
}

TEST(Ramp, WideBoundIsOneStep) {
  IpvsConfig cur = Rules(Service1("wmh", {1, 2, 3}));
  IpvsConfig tgt = Rules(Service1("wmh", {3, 2, 1}));
  RampOptions o = Opts(1.0);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  CheckPlan(cur, tgt, o, plan);
  EXPECT_EQ(plan.steps.size(), 1u);
}

TEST(Ramp, NoChangeIsNoStep) {
  IpvsConfig cur = Rules(Service1("rr", {1, 2}) + Service1("wmh", {5, 5}, "10.0.0.2:80"));
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, cur, Opts(0.05), &plan, &err)) << err;
  EXPECT_TRUE(plan.steps.empty());
}

TEST(Ramp, RandomChangesKeepEveryProperty) {
  std::mt19937 rng(11);
  for (int round = 0; round < 6; ++round) {
    const char* sched = round % 3 == 0 ? "wmh" : round % 3 == 1 ? "mh" : "sh";
    SCOPED_TRACE(fmt::format("round {} {}", round, sched));
    int n = 3 + rng() % 6;
    std::vector<int> before, after;
    for (int i = 0; i < n; ++i) before.push_back(1 + rng() % 200);
    after = before;
    for (int& w : after)
      if (rng() % 2) w = rng() % 300;  // some drained to 0
    std::string t = Service1(sched, after);
    if (rng() % 2) t += fmt::format("-a -t 10.0.0.1:80 -r 192.168.2.1:80 -g -w {}\n", rng() % 200);
    if (rng() % 2) t += "-d -t 10.0.0.1:80 -r 192.168.1.1:80\n";
    IpvsConfig cur = Rules(Service1(sched, before));
    IpvsConfig tgt = Rules(t);
    double bound = (2 + rng() % 8) / 100.0;
    RampOptions o = Opts(bound);
    RampPlan plan;
    std::string err;
    ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
    CheckPlan(cur, tgt, o, plan);
  }
}

TEST(Ramp, TwoServicesShareSteps) {
  IpvsConfig cur = Rules(Service1("wmh", {100, 100}) + Service1("mh", {10, 10}, "10.0.0.2:80"));
  IpvsConfig tgt = Rules(Service1("wmh", {100, 300}) + Service1("mh", {10, 30}, "10.0.0.2:80"));
  RampOptions o = Opts(0.05);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  CheckPlan(cur, tgt, o, plan);
  ASSERT_GT(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].services.size(), 2u);
}

TEST(Ramp, PlanFromAStepIsTheRestOfThePlan) {
  // ipvs-sim ramp --apply --steps 1, run again, must go on with the same
  // steps: a plan depends only on the state it starts from.
  IpvsConfig cur =
      Rules(Service1("wmh", {100, 100, 100}) + Service1("mh", {10, 10}, "10.0.0.2:80"));
  IpvsConfig tgt =
      Rules(Service1("wmh", {100, 250, 0, 100}) + Service1("mh", {10, 40}, "10.0.0.2:80"));
  RampOptions o = Opts(0.05);
  RampPlan plan;
  std::string err;
  ASSERT_TRUE(PlanRamp(cur, tgt, o, &plan, &err)) << err;
  ASSERT_GT(plan.steps.size(), 2u);
  for (size_t k = 1; k < plan.steps.size(); ++k) {
    IpvsConfig mid;
    ASSERT_TRUE(ApplyRampSteps(cur, plan, k, &mid, &err)) << err;
    RampPlan rest;
    ASSERT_TRUE(PlanRamp(mid, tgt, o, &rest, &err)) << err;
    ASSERT_EQ(rest.steps.size(), plan.steps.size() - k) << "after step " << k;
    for (size_t i = 0; i < rest.steps.size(); ++i) {
      const RampStep& a = plan.steps[k + i];
      const RampStep& b = rest.steps[i];
      ASSERT_EQ(a.services.size(), b.services.size());
      for (size_t s = 0; s < a.services.size(); ++s) {
        ASSERT_EQ(a.services[s].edits.size(), b.services[s].edits.size());
        for (size_t e = 0; e < a.services[s].edits.size(); ++e)
          EXPECT_EQ(FormatRampEdit(a.services[s].edits[e]), FormatRampEdit(b.services[s].edits[e]));
      }
    }
  }
}

TEST(Ramp, RefusesSchedulersWithoutHashSpace) {
  for (const char* sched : {"rr", "wrr", "lc", "wlc"}) {
    IpvsConfig cur = Rules(Service1(sched, {1, 1}));
    IpvsConfig tgt = Rules(Service1(sched, {1, 5}));
    RampPlan plan;
    std::string err;
    EXPECT_FALSE(PlanRamp(cur, tgt, Opts(0.05), &plan, &err));
    EXPECT_NE(err.find(fmt::format("scheduler {} has no hash space", sched)), std::string::npos)
        << err;
  }
}

TEST(Ramp, RefusesWhatIsNotARamp) {
  IpvsConfig cur = Rules(Service1("wmh", {1, 1}));
  std::string err;
  RampPlan plan;
  EXPECT_FALSE(PlanRamp(cur, Rules(Service1("mh", {1, 1})), Opts(0.05), &plan, &err));
  EXPECT_NE(err.find("-E"), std::string::npos) << err;
  EXPECT_FALSE(PlanRamp(cur,
                        Rules("-A -t 10.0.0.1:80 -s wmh\n-a -t 10.0.0.1:80 -r "
                              "192.168.1.1:80 -g -w 1\n-a -t 10.0.0.1:80 -r "
                              "192.168.1.2:80 -m -w 1\n"),
                        Opts(0.05), &plan, &err));
  EXPECT_NE(err.find("forwarding"), std::string::npos) << err;
  EXPECT_FALSE(PlanRamp(cur, IpvsConfig(), Opts(0.05), &plan, &err));
  EXPECT_NE(err.find("deletes the service"), std::string::npos) << err;

  std::vector<TimelineEvent> change;
  ASSERT_TRUE(ParseTimelineText("0 -E -t 10.0.0.1:80 -s mh\n", "c", &change, &err)) << err;
  IpvsConfig tgt;
  EXPECT_FALSE(RampTargetFromEdits(cur, change, &tgt, &err));
  EXPECT_NE(err.find("c:1"), std::string::npos) << err;
}

TEST(Ramp, TargetFromEdits) {
  IpvsConfig cur = Rules(Service1("wmh", {1, 1}));
  std::vector<TimelineEvent> change;
  std::string err;
  ASSERT_TRUE(
      ParseTimelineText("0 -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 7\n"
                        "0 -a -t 10.0.0.1:80 -r 192.168.1.9:80 -m -w 2\n",
                        "c", &change, &err))
      << err;
  IpvsConfig tgt;
  ASSERT_TRUE(RampTargetFromEdits(cur, change, &tgt, &err)) << err;
  ExpectSameDests(tgt,
                  Rules(Service1("wmh", {7, 1}) + "-a -t 10.0.0.1:80 -r 192.168.1.9:80 -m -w 2\n"));
  ASSERT_TRUE(ParseTimelineText("0 -d -t 10.0.0.1:80 -r 192.168.1.5:80\n", "c", &change, &err));
  EXPECT_FALSE(RampTargetFromEdits(cur, change, &tgt, &err));
  EXPECT_NE(err.find("c:1"), std::string::npos) << err;
}

}  // namespace
}  // namespace ipvs_sim
