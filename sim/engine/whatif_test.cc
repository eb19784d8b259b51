// SPDX-License-Identifier: GPL-2.0
#include "whatif.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ipvs_sim {
namespace {

IpvsConfig Config(const std::string& sched, int dests, const std::string& proto = "-t") {
  std::string text = fmt::format("-A {} 10.0.0.1:80 -s {}\n", proto, sched);
  for (int i = 1; i <= dests; ++i)
    text += fmt::format("-a {} 10.0.0.1:80 -r 192.168.1.{}:80 -m -w 1\n", proto, i);
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

}  // namespace
}  // namespace ipvs_sim
