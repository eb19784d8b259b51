// SPDX-License-Identifier: GPL-2.0
#include "whatif.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ipvs_sim {
namespace {

IpvsConfig Config(const std::string& sched, int dests, const std::string& proto = "-t") {
  std::string text = fmt::format("-A {} 10.0.0.1:80 -s {}\n", proto, sched);
  for (int i = 1; i <= dests; ++i)
    text += fmt::format("-a {} 10.0.0.1:80 -r {}:80 -m -w 1\n", proto,
                        IpAddr::V4(0xc0a80100u + i).ToString());
  IpvsConfig c;
  std::string err;
  EXPECT_TRUE(ParseIpvsadmConfigText(text, "rules", &c, &err)) << err;
  return c;
}

std::vector<TimelineEvent> Change(const std::string& lines) {
  std::vector<TimelineEvent> ev;
  std::string err;
  EXPECT_TRUE(ParseTimelineText(lines, "change", &ev, &err)) << err;
  return ev;
}

// @n entries of @proto spread round the @dests dests (dest i % dests + 1).
std::vector<IpvsConnEntry> Entries(int n, int dests, Proto proto = Proto::kTcp) {
  std::vector<IpvsConnEntry> out;
  for (int i = 0; i < n; ++i) {
    IpvsConnEntry e;
    e.proto_known = true;
    e.proto = proto;
    e.protocol = proto == Proto::kTcp ? "TCP" : "UDP";
    e.client = Endpoint{IpAddr::V4(0x0b000000u + i * 7919u), static_cast<uint16_t>(1024 + i)};
    e.vip = Endpoint{IpAddr::V4(0x0a000001), 80};
    e.dest = Endpoint{IpAddr::V4(0xc0a80100u + i % dests + 1), 80};
    e.state = proto == Proto::kTcp ? "ESTABLISHED" : "UDP";
    out.push_back(e);
  }
  return out;
}

WhatifResult Judge(const IpvsConfig& c, const std::string& change,
                   const std::vector<IpvsConnEntry>& entries, int nodest = 0) {
  WhatifOptions o;
  o.sysctls.expire_nodest_conn = nodest;
  o.probe_keys = 20000;
  WhatifResult r;
  std::string err;
  EXPECT_TRUE(RunWhatif(c, Change(change), entries, o, &r, &err)) << err;
  return r;
}

TEST(Whatif, DeletedDestBreaksExactlyItsTcpConnections) {
  for (int nodest : {0, 1}) {
    WhatifResult r = Judge(Config("wmh", 4), "0 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n",
                           Entries(1000, 4), nodest);
    ASSERT_EQ(r.services.size(), 1u);
    const WhatifService& s = r.services[0];
    EXPECT_EQ(s.broken, 250u) << nodest;
    EXPECT_EQ(s.stayed, 750u);
    EXPECT_EQ(s.rescheduled, 0u);
    for (const WhatifDest& d : s.dests) {
      if (d.weight_after < 0)
        EXPECT_EQ(d.active_after, 0u);
      else
        EXPECT_EQ(d.active_after, d.active_before);
    }
  }
}

TEST(Whatif, ExpireNodestConnReschedulesUdp) {
  std::vector<IpvsConnEntry> e = Entries(1000, 4, Proto::kUdp);
  IpvsConfig c = Config("wmh", 4, "-u");
  WhatifResult keep = Judge(c, "0 -d -u 10.0.0.1:80 -r 192.168.1.2:80\n", e, 0);
  EXPECT_EQ(keep.services[0].broken, 250u);
  EXPECT_EQ(keep.services[0].rescheduled, 0u);
  WhatifResult expire = Judge(c, "0 -d -u 10.0.0.1:80 -r 192.168.1.2:80\n", e, 1);
  EXPECT_EQ(expire.services[0].broken, 0u);
  EXPECT_EQ(expire.services[0].rescheduled, 250u);
  uint64_t after = 0;
  for (const WhatifDest& d : expire.services[0].dests) after += d.inactive_after;
  EXPECT_EQ(after, 1000u);  // every entry has a dest after
}

TEST(Whatif, WmhReweightMovesCloseToTheIdeal) {
  WhatifResult r =
      Judge(Config("wmh", 8), "0 -e -t 10.0.0.1:80 -r 192.168.1.3:80 -m -w 3\n", Entries(5000, 8));
  ASSERT_EQ(r.services.size(), 1u);
  const WhatifService& s = r.services[0];
  EXPECT_NEAR(s.ideal, 3.0 / 10 - 1.0 / 8, 1e-9);  // 1/8 -> 3/10
  ASSERT_FALSE(s.scheds.empty());
  EXPECT_LT(s.scheds[0].hash_moved, s.ideal * 1.1);
  EXPECT_GE(s.scheds[0].hash_moved, s.ideal * 0.9);
  EXPECT_EQ(s.broken, 0u);  // a reweight breaks nothing
}

TEST(Whatif, NoOpChangeMovesNothing) {
  WhatifResult r =
      Judge(Config("wmh", 4), "0 -e -t 10.0.0.1:80 -r 192.168.1.3:80 -m -w 1\n", Entries(1000, 4));
  EXPECT_TRUE(r.services.empty());  // nothing touched, nothing reported
  EXPECT_EQ(r.entries, 1000u);
}

TEST(Whatif, TemplatesOfADeletedDestBreak) {
  IpvsConfig c = Config("wmh", 2);
  c.services[0].persistence = 300;
  std::vector<IpvsConnEntry> e = Entries(10, 2);
  for (IpvsConnEntry& x : e) x.client.port = 0;  // templates
  WhatifResult r = Judge(c, "0 -d -t 10.0.0.1:80 -r 192.168.1.1:80\n", e);
  EXPECT_EQ(r.services[0].templates, 10u);
  EXPECT_EQ(r.services[0].templates_broken, 5u);
  EXPECT_EQ(r.services[0].entries, 0u);
}

TEST(Whatif, DrainBreaksTemplatesOnlyUnderExpireQuiescentTemplate) {
  IpvsConfig c = Config("wmh", 2);
  c.services[0].persistence = 300;
  std::vector<IpvsConnEntry> e = Entries(10, 2);
  for (IpvsConnEntry& x : e) x.client.port = 0;
  for (int q : {0, 1}) {
    WhatifOptions o;
    o.sysctls.expire_quiescent_template = q;
    WhatifResult r;
    std::string err;
    ASSERT_TRUE(
        RunWhatif(c, Change("0 -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 0\n"), e, o, &r, &err))
        << err;
    EXPECT_EQ(r.services[0].templates_broken, q ? 5u : 0u);
  }
}

TEST(Whatif, EntriesOfAnUnknownDestAreNotJudged) {
  std::vector<IpvsConnEntry> e = Entries(10, 2);
  e[0].dest = Endpoint{IpAddr::V4(0xc0a80163), 80};  // 192.168.1.99, not configured
  WhatifResult r = Judge(Config("wmh", 2), "0 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n", e);
  EXPECT_EQ(r.services[0].stale, 1u);
  EXPECT_EQ(r.services[0].broken + r.services[0].stayed, 9u);
}

TEST(Whatif, UnknownDestIsAnError) {
  WhatifOptions o;
  WhatifResult r;
  std::string err;
  EXPECT_FALSE(RunWhatif(Config("wmh", 2), Change("0 -d -t 10.0.0.1:80 -r 192.168.1.9:80\n"), {}, o,
                         &r, &err));
  EXPECT_NE(err.find("change:1"), std::string::npos) << err;
}

TEST(Whatif, ListGivesEveryEntryTheVerdictTheCountsSum) {
  std::vector<IpvsConnEntry> e = Entries(400, 4);
  e[7].dest = Endpoint{IpAddr::V4(0xc0a80163), 80};  // stale
  e[9].vip.port = 81;                                // no service
  WhatifOptions o;
  o.list_conns = true;
  o.probe_keys = 1000;
  WhatifResult r;
  std::string err;
  ASSERT_TRUE(RunWhatif(Config("wmh", 4), Change("0 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n"), e, o,
                        &r, &err))
      << err;
  ASSERT_EQ(r.conns.size(), e.size());
  std::map<WhatifVerdict, uint64_t> n;
  for (size_t i = 0; i < r.conns.size(); ++i) {
    const WhatifConn& c = r.conns[i];
    EXPECT_EQ(c.entry, &e[i]);  // in the order read
    ++n[c.verdict];
    bool on_deleted = c.entry->dest.addr.v4() == 0xc0a80102u;
    if (c.verdict == WhatifVerdict::kBreaks) {
      EXPECT_TRUE(on_deleted) << i;
    }
    if (c.verdict == WhatifVerdict::kStays) {
      EXPECT_FALSE(on_deleted) << i;
    }
  }
  const WhatifService& s = r.services[0];
  EXPECT_EQ(n[WhatifVerdict::kBreaks], s.broken);
  EXPECT_EQ(n[WhatifVerdict::kStays], s.stayed);
  EXPECT_EQ(n[WhatifVerdict::kStale], 1u);
  EXPECT_EQ(n[WhatifVerdict::kNoService], 1u);
  EXPECT_GT(s.broken, 0u);
}

TEST(Whatif, FwmarkEntriesFindTheirServiceThroughTheMarks) {
  IpvsConfig c;
  std::string err;
  ASSERT_TRUE(
      ParseIpvsadmConfigText("-A -f 7 -s wmh\n"
                             "-a -f 7 -r 192.168.1.1 -m -w 1\n"
                             "-a -f 7 -r 192.168.1.2 -m -w 1\n"
                             "-A -t 10.0.0.1:80 -s rr\n"
                             "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1\n",
                             "rules", &c, &err))
      << err;
  // Entries to 10.0.0.1:80 that the marks give the fwmark service; the
  // entry keeps the packet's port (dests without a port).
  std::vector<IpvsConnEntry> e = Entries(100, 2);
  MarkMap marks;
  ASSERT_TRUE(marks.Parse("7 tcp 10.0.0.1:80\n", "marks", &err)) << err;
  WhatifOptions o;
  o.marks = &marks;
  WhatifResult r;
  ASSERT_TRUE(RunWhatif(c, Change("0 -d -f 7 -r 192.168.1.2\n"), e, o, &r, &err)) << err;
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].key, "-f 7");
  EXPECT_EQ(r.services[0].broken, 50u);
  EXPECT_EQ(r.services[0].stayed, 50u);
  // UDP under expire_nodest_conn=1: rescheduled to a dest of the fwmark
  // service, with the packet's port as the kernel's entry would have it.
  std::vector<IpvsConnEntry> u = Entries(100, 2, Proto::kUdp);
  ASSERT_TRUE(marks.Parse("7 udp 10.0.0.1:80\n", "marks", &err)) << err;
  o.marks = &marks;
  o.list_conns = true;
  o.sysctls.expire_nodest_conn = 1;
  WhatifResult ur;
  ASSERT_TRUE(RunWhatif(c, Change("0 -d -f 7 -r 192.168.1.2\n"), u, o, &ur, &err)) << err;
  EXPECT_EQ(ur.services[0].rescheduled, 50u);
  for (const WhatifConn& x : ur.conns) {
    if (x.verdict != WhatifVerdict::kRescheduled) continue;
    EXPECT_TRUE(x.has_to);
    EXPECT_EQ(x.to.ToString(), "192.168.1.1:80");
  }
  o.list_conns = false;
  o.sysctls.expire_nodest_conn = 0;
  // Without the marks they are the VIP service's, which the change leaves.
  o.marks = nullptr;
  WhatifResult plain;
  ASSERT_TRUE(RunWhatif(c, Change("0 -d -f 7 -r 192.168.1.2\n"), e, o, &plain, &err)) << err;
  EXPECT_EQ(plain.services[0].entries, 0u);
}

TEST(Whatif, FwmarkTemplatesCarryTheMark) {
  IpvsConfig c;
  std::string err;
  ASSERT_TRUE(
      ParseIpvsadmConfigText("-A -f 7 -s rr -p 300\n"
                             "-a -f 7 -r 192.168.1.1 -m -w 1\n"
                             "-a -f 7 -r 192.168.1.2 -m -w 1\n",
                             "rules", &c, &err))
      << err;
  std::vector<IpvsConnEntry> e = Entries(10, 2);
  for (IpvsConnEntry& x : e) {
    x.protocol = "IP";  // as ip_vs_conn prints a fwmark template
    x.proto_known = false;
    x.vip = Endpoint{IpAddr::V4(7), 0};
    x.client.port = 0;
    x.dest.port = 0;
  }
  WhatifOptions o;
  WhatifResult r;
  ASSERT_TRUE(RunWhatif(c, Change("0 -d -f 7 -r 192.168.1.1\n"), e, o, &r, &err)) << err;
  EXPECT_EQ(r.no_service, 0u);
  EXPECT_EQ(r.services[0].templates, 10u);
  EXPECT_EQ(r.services[0].templates_broken, 5u);
}

// A timeline: @n reweights at time 5 and @m deletes at 9.
std::vector<TimelineEvent> Timeline(int n, int m) {
  std::string t;
  for (int i = 1; i <= n; ++i)
    t += fmt::format("5 -e -t 10.0.0.1:80 -r 192.168.1.{}:80 -m -w 2\n", i);
  for (int i = 1; i <= m; ++i)
    t += fmt::format("9 -d -t 10.0.0.1:80 -r 192.168.1.{}:80\n", 100 + i);
  return Change(t);
}

TEST(Whatif, EditsThatShareATimeStampAreOneChange) {
  std::vector<TimelineEvent> t = Timeline(25, 3);
  std::vector<std::vector<TimelineEvent>> c = SplitChanges(t, false);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].size(), 25u);
  EXPECT_EQ(c[1].size(), 3u);
  for (const TimelineEvent& ev : c[0]) EXPECT_EQ(ev.time, 5);
  EXPECT_EQ(SplitChanges(t, true).size(), 28u);
  EXPECT_TRUE(SplitChanges({}, false).empty());
}

TEST(Whatif, TwentyFiveOfFiveHundredReweightedIsOneChange) {
  IpvsConfig c = Config("wmh", 500);
  std::vector<TimelineEvent> t = Timeline(25, 0);
  WhatifOptions o;
  o.probe_keys = 50000;
  std::vector<WhatifStep> steps;
  std::string err;
  ASSERT_TRUE(RunWhatifSteps(c, SplitChanges(t, false), Entries(2000, 500), o, &steps, &err))
      << err;
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].edits, 25u);
  const WhatifService& s = steps[0].result.services[0];
  EXPECT_NEAR(s.ideal, 25.0 * 2 / 525 - 25.0 / 500, 1e-9);  // 25 shares of 1/500 -> 2/525
  double moved = s.scheds[0].hash_moved;
  EXPECT_GE(moved, s.ideal - 0.01);  // no scheduler beats the ideal
  EXPECT_LT(moved, 2 * s.ideal);
  std::vector<WhatifStep> each;
  ASSERT_TRUE(RunWhatifSteps(c, SplitChanges(t, true), Entries(2000, 500), o, &each, &err)) << err;
  ASSERT_EQ(each.size(), 25u);
  // The change as a whole moves no more than its edits one by one.
  double sum = 0;
  for (const WhatifStep& st : each) sum += st.result.services[0].scheds[0].hash_moved;
  EXPECT_LE(moved, sum + 0.01);
}

TEST(Whatif, LaterChangesSeeTheTableTheEarlierOnesLeft) {
  IpvsConfig c = Config("wmh", 4);
  std::vector<TimelineEvent> t = Change(
      "10 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n"
      "20 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n");
  WhatifOptions o;
  o.probe_keys = 1000;
  std::vector<WhatifStep> steps;
  std::string err;
  // The same dest cannot go twice: the second change sees the first's config.
  EXPECT_FALSE(RunWhatifSteps(c, SplitChanges(t, false), Entries(400, 4), o, &steps, &err));
  EXPECT_NE(err.find("change:2"), std::string::npos) << err;
  t = Change(
      "10 -d -t 10.0.0.1:80 -r 192.168.1.2:80\n"
      "20 -d -t 10.0.0.1:80 -r 192.168.1.3:80\n"
      "20 -a -t 10.0.0.1:80 -r 192.168.1.9:80 -m -w 1\n");
  steps.clear();
  ASSERT_TRUE(RunWhatifSteps(c, SplitChanges(t, false), Entries(400, 4), o, &steps, &err)) << err;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].result.services[0].broken, 100u);
  EXPECT_EQ(steps[1].edits, 2u);
  EXPECT_EQ(steps[1].result.entries, 300u);  // the first change's broken ones are gone
  EXPECT_EQ(steps[1].result.services[0].broken, 100u);
  EXPECT_EQ(steps[1].result.services[0].stayed, 200u);
}

}  // namespace
}  // namespace ipvs_sim
