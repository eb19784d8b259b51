// SPDX-License-Identifier: GPL-2.0
#include "replay.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "replay_testing.h"
#include "tracegen.h"

namespace ipvs_sim {
namespace {

using replay_testing::F;
using replay_testing::Predict;
using replay_testing::VectorTrace;

IpvsConfig Config(const std::string& text) {
  IpvsConfig c;
  std::string err;
  EXPECT_TRUE(ParseIpvsadmConfigText(text, "tiny.conf", &c, &err)) << err;
  return c;
}

// As ipvsadm -R: the last -a is the list head, where rr starts.
const char kTiny[] =
    "-A -t 10.0.0.1:80 -s rr\n"
    "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1\n"
    "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1\n"
    "-A -u 10.0.0.1:53 -s rr\n";

TEST(PredictTest, RoundRobinInOrderWithReuseAndNoDest) {
  std::string out = Predict(Config(kTiny), {
                                               F(0, "1.1.1.1:1000", 10),
                                               F(1, "1.1.1.2:1000", 10),
                                               F(2, "1.1.1.1:1000", 1),  // live: same dest
                                               F(3, "1.1.1.3:1000", 1),
                                               F(4, "1.1.1.3:1", 1, "10.0.0.1:53", Proto::kUdp),
                                               F(5, "1.1.1.3:1", 1, "10.0.0.9:80"),
                                           });
  EXPECT_EQ(out,
            "1.1.1.1:1000 10.0.0.1:80 192.168.1.1:80\n"
            "1.1.1.2:1000 10.0.0.1:80 192.168.1.2:80\n"
            "1.1.1.1:1000 10.0.0.1:80 192.168.1.1:80\n"
            "1.1.1.3:1000 10.0.0.1:80 192.168.1.1:80\n"
            "1.1.1.3:1 10.0.0.1:53 -\n"    // UDP service without dests
            "1.1.1.3:1 10.0.0.9:80 -\n");  // no service
}

TEST(PredictTest, ClosedTcpEntryIsRescheduledUdpIsReused) {
  // The TCP flow ended at 1: a new SYN on its 5-tuple at 5 is scheduled
  // afresh (conn_reuse_mode=1) and rr moves on; UDP reuses its entry.
  std::string out =
      Predict(Config(kTiny + std::string("-a -u 10.0.0.1:53 -r 192.168.1.8:53 -m -w 1\n"
                                         "-a -u 10.0.0.1:53 -r 192.168.1.7:53 -m -w 1\n")),
              {F(0, "1.1.1.1:1000", 1), F(0, "2.2.2.2:53", 1, "10.0.0.1:53", Proto::kUdp),
               F(5, "1.1.1.1:1000", 1), F(5, "2.2.2.2:53", 1, "10.0.0.1:53", Proto::kUdp)});
  EXPECT_EQ(out,
            "1.1.1.1:1000 10.0.0.1:80 192.168.1.1:80\n"
            "2.2.2.2:53 10.0.0.1:53 192.168.1.7:53\n"
            "1.1.1.1:1000 10.0.0.1:80 192.168.1.2:80\n"
            "2.2.2.2:53 10.0.0.1:53 192.168.1.7:53\n");
}

TEST(PredictTest, TimelineEditsApplyBetweenFlows) {
  std::vector<TimelineEvent> tl;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("2 -d -t 10.0.0.1:80 -r 192.168.1.1:80\n", "tl", &tl, &err)) << err;
  std::string out = Predict(Config(kTiny), {F(0, "1.1.1.1:1", 100), F(3, "1.1.1.1:2", 1)}, tl);
  EXPECT_EQ(out,
            "1.1.1.1:1 10.0.0.1:80 192.168.1.1:80\n"
            "1.1.1.1:2 10.0.0.1:80 192.168.1.2:80\n");
}

// The director deletes the server a timeline's -d names, port included
// (ipvsadm forces the port for -a/-e with -g/-i only).
TEST(PredictTest, TimelineDeleteNamesTheRealServerPort) {
  IpvsConfig config = Config(
      "-A -u 10.0.0.1:60572 -s rr\n"
      "-a -u 10.0.0.1:60572 -r 10.1.3.229:47812 -m\n"
      "-a -u 10.0.0.1:60572 -r 10.1.3.228:47812 -m\n");
  std::vector<TimelineEvent> tl;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("2 -d -u 10.0.0.1:60572 -r 10.1.3.228:47812\n", "tl", &tl, &err))
      << err;
  std::vector<TraceFlow> flows;
  for (int i = 0; i < 4; ++i)
    flows.push_back(
        F(3 + i, fmt::format("1.1.1.{}:1000", i + 1), 100, "10.0.0.1:60572", Proto::kUdp));
  std::string out = Predict(config, flows, tl);
  EXPECT_EQ(out.find("10.1.3.228"), std::string::npos) << out;
  EXPECT_NE(out.find("10.1.3.229:47812"), std::string::npos) << out;
}

// A rules file and the same -a lines applied as a timeline build the same
// list (both go through ApplyDestEdit at the head), so mh and sh, which
// depend on the order, decide alike; the reversed file does not.
TEST(PredictTest, RulesFileMeansWhatTheTimelineMeans) {
  for (const char* sched : {"mh", "sh"}) {
    std::string head = fmt::format("-A -t 10.0.0.1:80 -s {}\n", sched);
    std::string adds, reversed, timeline;
    for (int i = 1; i <= 7; ++i) {
      std::string a = fmt::format("-a -t 10.0.0.1:80 -r 192.168.1.{}:80 -m -w {}\n", i, i % 3 + 1);
      adds += a;
      reversed = a + reversed;
      timeline += "0 " + a;
    }
    std::vector<TimelineEvent> tl;
    std::string err;
    ASSERT_TRUE(ParseTimelineText(timeline, "tl", &tl, &err)) << err;
    std::vector<TraceFlow> flows;
    for (int i = 0; i < 3000; ++i)
      flows.push_back(
          F(1 + i * 0.001, fmt::format("10.{}.{}.{}:{}", i % 7, i / 7 % 250, i % 251, 1024 + i)));
    std::string from_file = Predict(Config(head + adds), flows);
    EXPECT_EQ(from_file, Predict(Config(head), flows, tl)) << sched;
    EXPECT_NE(from_file, Predict(Config(head + reversed), flows)) << sched;
  }
}

// Flows to no service are counted per VIP (protocol included).
TEST(PredictTest, FlowsToNoServiceAreCountedPerVip) {
  VectorTrace trace({F(0, "1.1.1.1:1"), F(1, "1.1.1.1:2", 1, "10.0.0.9:80"),
                     F(2, "1.1.1.1:3", 1, "10.0.0.9:80"),
                     F(3, "1.1.1.1:4", 1, "10.0.0.1:80", Proto::kUdp),
                     F(4, "1.1.1.1:5", 1, "10.0.0.1:53", Proto::kUdp)});
  ReplayOptions opts;
  opts.probe_keys = 0;
  RunResult r;
  std::string err;
  ASSERT_TRUE(RunReplay(Config(kTiny), &trace, {}, opts, &r, &err)) << err;
  EXPECT_EQ(r.no_service, 3u);
  std::map<std::string, uint64_t> want = {{"-t 10.0.0.9:80", 2}, {"-u 10.0.0.1:80", 1}};
  std::map<std::string, uint64_t> got;
  for (const auto& [key, n] : r.no_service_vips) got[key.ToString()] = n;
  EXPECT_EQ(got, want);
  std::vector<std::string> lines = DescribeNoService(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "2 flows to -t 10.0.0.9:80 matched no service");
  EXPECT_EQ(lines[1], "1 flow to -u 10.0.0.1:80 matched no service");
  EXPECT_EQ(DescribeNoService(r, 1).back(), "... and 1 more VIPs");
}

TEST(ReplayTest, TraceErrorsComeOutAsIs) {
  VectorTrace trace({F(0, "1.1.1.1:1"), F(1, "1.1.1.1:2")}, 1);
  ReplayOptions opts;
  RunResult r;
  std::string err;
  EXPECT_FALSE(RunReplay(Config(kTiny), &trace, {}, opts, &r, &err));
  EXPECT_EQ(err, "mem:2: broken record");
}

TEST(ReplayTest, EventMetricsForAHashScheduler) {
  // sh over 4 equal dests; remove one at t=10. Ideal remap is 1/4; the
  // broken flows are exactly the long flows on the removed dest.
  IpvsConfig c = Config(
      "-A -t 10.0.0.1:80 -s sh\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m\n-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -m\n-a -t 10.0.0.1:80 -r 192.168.1.4:80 -m\n");
  std::vector<TraceFlow> flows;
  int on_removed = 0;
  for (int i = 0; i < 2000; ++i)
    flows.push_back(F(
        i * 0.01, "172.16." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) + ":5000",
        i < 400 ? 1000 : 1));
  std::vector<TimelineEvent> tl;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("10 -d -t 10.0.0.1:80 -r 192.168.1.3:80\n", "tl", &tl, &err));
  VectorTrace trace(flows);
  ReplayOptions opts;
  opts.probe_keys = 20000;
  opts.on_flow = [&](const TraceFlow& f, const FlowOutcome&, const Endpoint* d) {
    // In progress at t=10 on the dest removed then.
    if (f.start <= 10 && f.start + f.duration > 10 && d && d->ToString() == "192.168.1.3:80")
      ++on_removed;
  };
  RunResult r;
  ASSERT_TRUE(RunReplay(c, &trace, tl, opts, &r, &err)) << err;
  ASSERT_EQ(r.events.size(), 1u);
  const EventStats& ev = r.events[0];
  EXPECT_NEAR(ev.ideal_remap, 0.25, 1e-12);
  EXPECT_GE(ev.hash_remap, 0.25 - 0.02);  // no scheduler can beat the ideal
  EXPECT_EQ(ev.broken, static_cast<uint64_t>(on_removed));
  EXPECT_GT(ev.probed_flows, 0u);
  EXPECT_EQ(r.broken, ev.broken);
  EXPECT_EQ(r.flows, 2000u);
  ASSERT_EQ(r.totals.size(), 1u);
  EXPECT_EQ(r.totals[0].new_flows, 2000u);
  EXPECT_EQ(r.totals[0].broken, ev.broken);
}

// 500 equal wmh dests of 10.0.0.1:80 and a UDP rr service; at 10 s 25 of
// the 500 reweighted to 2 and one edit of the UDP service, at 20 s one more
// reweight.
RunResult ReplayRollout(bool per_edit) {
  std::string text = "-A -t 10.0.0.1:80 -s wmh\n-A -u 10.0.0.1:53 -s rr\n";
  for (int i = 1; i <= 500; ++i)
    text += fmt::format("-a -t 10.0.0.1:80 -r 192.168.{}.{}:80 -m -w 1\n", i / 250, i % 250 + 1);
  text += "-a -u 10.0.0.1:53 -r 192.168.9.1:53 -m -w 1\n";
  std::string tl_text;
  for (int i = 1; i <= 25; ++i)
    tl_text +=
        fmt::format("10 -e -t 10.0.0.1:80 -r 192.168.{}.{}:80 -m -w 2\n", i / 250, i % 250 + 1);
  tl_text += "10 -e -u 10.0.0.1:53 -r 192.168.9.1:53 -m -w 3\n";
  tl_text += "20 -e -t 10.0.0.1:80 -r 192.168.0.100:80 -m -w 5\n";
  std::vector<TimelineEvent> tl;
  std::string err;
  EXPECT_TRUE(ParseTimelineText(tl_text, "tl", &tl, &err)) << err;
  std::vector<TraceFlow> flows;
  for (int i = 0; i < 300; ++i)
    flows.push_back(F(i * 0.1, fmt::format("172.16.{}.{}:5000", i / 200, i % 200 + 1)));
  VectorTrace trace(flows);
  ReplayOptions opts;
  opts.probe_keys = 50000;
  opts.per_edit = per_edit;
  RunResult r;
  EXPECT_TRUE(RunReplay(Config(text), &trace, tl, opts, &r, &err)) << err;
  return r;
}

TEST(ReplayTest, EditsOfAServiceThatShareATimeStampAreOneChange) {
  RunResult r = ReplayRollout(false);
  ASSERT_EQ(r.events.size(), 3u);  // the 25, the UDP edit, the one at 20 s
  const EventStats& ev = r.events[0];
  EXPECT_EQ(ev.edits, 25u);
  EXPECT_EQ(ev.time, 10);
  EXPECT_EQ(ev.what, "25 edits of -t 10.0.0.1:80");
  EXPECT_EQ(ev.where, "tl:1");
  EXPECT_NEAR(ev.ideal_remap, 25.0 * 2 / 525 - 25.0 / 500, 1e-12);  // 1/500 -> 2/525, 25 times
  EXPECT_GE(ev.hash_remap, ev.ideal_remap - 0.01);                  // no scheduler beats the ideal
  EXPECT_LT(ev.hash_remap, 2 * ev.ideal_remap);
  EXPECT_EQ(r.events[1].edits, 1u);
  EXPECT_EQ(r.events[1].what, "edit 192.168.9.1:53 w3");
  EXPECT_EQ(r.events[2].time, 20);
  EXPECT_EQ(r.events[2].edits, 1u);
}

TEST(ReplayTest, PerEditMeasuresEveryEdit) {
  RunResult r = ReplayRollout(true);
  ASSERT_EQ(r.events.size(), 27u);
  double sum = 0;
  for (size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(r.events[i].edits, 1u);
    EXPECT_EQ(r.events[i].what.rfind("edit 192.168.", 0), 0u) << r.events[i].what;
    sum += r.events[i].ideal_remap;
  }
  // Each edit alone moves more than its part of the change: the shares of
  // the dests already reweighted shrink again at every later edit; and the
  // change as a whole moves no more keys than its edits one by one.
  RunResult one = ReplayRollout(false);
  EXPECT_GT(sum, one.events[0].ideal_remap);
  double hash_sum = 0;
  for (size_t i = 0; i < 25; ++i) hash_sum += r.events[i].hash_remap;
  EXPECT_LE(one.events[0].hash_remap, hash_sum + 0.01);
}

TEST(ReplayTest, PersistenceShareAndTemplatesBrokenPerEvent) {
  // 10 clients x 5 connections to a persistent rr service: the first
  // connection of each client is scheduled, the other 4 follow its
  // template (40 of 50). Deleting a dest breaks the templates on it.
  IpvsConfig config = Config(
      "-A -u 10.0.0.1:53 -s rr -p 300\n"
      "-a -u 10.0.0.1:53 -r 192.168.1.1:53 -m -w 1\n"
      "-a -u 10.0.0.1:53 -r 192.168.1.2:53 -m -w 1\n");
  std::vector<TraceFlow> flows;
  for (int round = 0; round < 5; ++round)
    for (int c = 1; c <= 10; ++c)
      flows.push_back(F(round, "1.1.1." + std::to_string(c) + ":" + std::to_string(1000 + round),
                        0.5, "10.0.0.1:53", Proto::kUdp));
  std::vector<TimelineEvent> tl;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("10 -d -u 10.0.0.1:53 -r 192.168.1.1:53\n", "tl", &tl, &err))
      << err;
  VectorTrace trace(std::move(flows));
  ReplayOptions opts;
  RunResult r;
  ASSERT_TRUE(RunReplay(config, &trace, tl, opts, &r, &err)) << err;
  EXPECT_EQ(r.persistent_flows, 50u);
  EXPECT_EQ(r.persisted, 40u);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].templates_broken, 5u);  // rr gave half the clients .1
}

// chbl on the demo's kind of trace (Zipf clients, NAT gateways, no port
// hashing): every scheduled placement keeps the dest within (1 + eps) of
// its weighted share of the entries, up to one entry's rounding, where wmh
// on the same table and trace does not; and the bound costs few first
// choices.
RunResult ReplayHeavyHitters(const std::string& sched, int directors = 1,
                             const std::vector<TimelineEvent>& tl = {}) {
  std::string text = "-A -t 10.0.0.1:80 -s " + sched + "\n";
  for (int i = 1; i <= 8; ++i)
    text += fmt::format("-a -t 10.0.0.1:80 -r 192.168.1.{}:80 -m -w {}\n", i, 1 + i % 4);
  TraceGenOptions g;
  g.flows = 60000;
  g.clients = 2000;
  g.udp_fraction = 0;
  Endpoint vip;
  EXPECT_TRUE(Endpoint::Parse("10.0.0.1:80", &vip));
  g.vips = {vip};
  g.seed = 11;
  std::string err;
  std::unique_ptr<TraceGenerator> trace = TraceGenerator::Create(g, &err);
  EXPECT_TRUE(trace) << err;
  ReplayOptions opts;
  opts.fleet.directors = directors;
  opts.fleet.director.sysctls.sloppy_tcp = 1;
  RunResult r;
  EXPECT_TRUE(RunReplay(Config(text), trace.get(), tl, opts, &r, &err)) << err;
  return r;
}

TEST(ReplayTest, ChblBoundsTheWeightedLoadOfHeavyHitters) {
  RunResult chbl = ReplayHeavyHitters("chbl");
  RunResult wmh = ReplayHeavyHitters("wmh");
  // Weights 2,3,4,1,...: mean weight 2.5, least 1. After a placement
  // conns <= ceil(1.25 (total) w / W), so the load exceeds 1.25 by at most
  // W / (w total) <= (2.5 / 1) / kLoadMinEntriesPerDest.
  double slack = 2.5 / kLoadMinEntriesPerDest;
  EXPECT_GT(chbl.peak_load, 1.0);
  EXPECT_LE(chbl.peak_load, 1.25 + slack);
  EXPECT_GT(wmh.peak_load, 1.25 + slack)
      << "the trace has no heavy hitters: the test shows nothing";
  EXPECT_EQ(chbl.scheduled, chbl.flows - chbl.reused);
  EXPECT_GT(chbl.bounded, 0u);
  // As many first choices as the bound allows: the new flows that must
  // leave their first choice at least, wmh's share above (1 + eps) times
  // the weight share summed over dests, is most of what chbl moves (the
  // rest: flows moved while a dest was briefly at its bound early on).
  double excess = 0;
  ASSERT_EQ(wmh.totals.size(), 1u);
  for (const DestWindow& d : wmh.totals[0].dests)
    excess += std::max(
        0.0, static_cast<double>(d.new_flows) / wmh.totals[0].new_flows - 1.25 * d.weight_share);
  double moved = static_cast<double>(chbl.bounded) / chbl.scheduled;
  EXPECT_GT(excess, 0.05);
  EXPECT_GE(moved, excess * 0.8);
  EXPECT_LE(moved, excess * 1.5) << "chbl moved " << moved << ", the bound needs " << excess;
  EXPECT_EQ(wmh.bounded, 0u);
}

// Directors count their own connections: on failover chbl breaks the
// flows that its bound sent elsewhere on one director and not on another,
// more than wmh (which breaks almost none) and far fewer than wlc (whose
// every decision is the director's own).
TEST(ReplayTest, ChblFailoverCostLiesBetweenWmhAndWlc) {
  std::vector<TimelineEvent> tl;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("30 director-down 1\n", "tl", &tl, &err)) << err;
  uint64_t broken[3];
  const char* names[3] = {"wmh", "chbl", "wlc"};
  for (int i = 0; i < 3; ++i) {
    RunResult r = ReplayHeavyHitters(names[i], 3, tl);
    ASSERT_EQ(r.events.size(), 1u);
    ASSERT_GT(r.events[0].moved, 1000u) << "too few flows in progress to show anything";
    broken[i] = r.events[0].broken;
  }
  EXPECT_LT(broken[0], broken[1]);
  EXPECT_LT(broken[1] * 2, broken[2]) << broken[1] << " vs wlc " << broken[2];
}

}  // namespace
}  // namespace ipvs_sim
