// SPDX-License-Identifier: GPL-2.0
#include "timeline.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ipvs_sim {
namespace {

using Kind = TimelineEvent::Kind;

TEST(Timeline, ParsesEventsSortedByTime) {
  const char* text =
      "# drain then remove\n"
      "60   -e -t 10.0.0.1:80 -r 192.168.1.6:80 -m -w 0\n"
      "30   -d -t 10.0.0.1:80 -r 192.168.1.5:80   # comment\n"
      "\n"
      "1.5m -E -t 10.0.0.1:80 -s mh -b mh-port\n"
      "2m   director-down 1\n"
      "0.05h director-up 1\n"
      "10s  -a -u [2001:db8::1]:53 -r [2001:db8::9]:53 -m -w 4\n"
      "10   -A -t 10.0.0.2:443 -s wmh\n"
      "200  ipvsadm -D -t 10.0.0.2:443\n";
  std::vector<TimelineEvent> ev;
  std::string err;
  ASSERT_TRUE(ParseTimelineText(text, "tl", &ev, &err)) << err;
  ASSERT_EQ(ev.size(), 8u);
  // Stable: the two events at t=10 keep file order.
  EXPECT_EQ(ev[0].time, 10);
  EXPECT_EQ(ev[0].kind, Kind::kAddDest);
  EXPECT_EQ(ev[0].dest.weight, 4);
  EXPECT_EQ(ev[0].svc.key.proto, Proto::kUdp);
  EXPECT_EQ(ev[0].where, "tl:8");
  EXPECT_EQ(ev[1].kind, Kind::kAddService);
  EXPECT_EQ(ev[1].svc.scheduler, "wmh");
  EXPECT_EQ(ev[2].time, 30);
  EXPECT_EQ(ev[2].kind, Kind::kDelDest);
  EXPECT_EQ(ev[2].dest.ep.ToString(), "192.168.1.5:80");
  EXPECT_EQ(ev[3].time, 60);
  EXPECT_EQ(ev[3].kind, Kind::kEditDest);
  EXPECT_EQ(ev[3].dest.weight, 0);
  EXPECT_EQ(ev[4].time, 90);
  EXPECT_EQ(ev[4].kind, Kind::kEditService);
  EXPECT_EQ(ev[4].svc.flags, kSchedFlag2);
  EXPECT_EQ(ev[5].time, 120);
  EXPECT_EQ(ev[5].kind, Kind::kDirectorDown);
  EXPECT_EQ(ev[5].director, 1);
  EXPECT_DOUBLE_EQ(ev[6].time, 180);
  EXPECT_EQ(ev[6].kind, Kind::kDirectorUp);
  EXPECT_EQ(ev[7].kind, Kind::kDelService);
  EXPECT_EQ(ev[7].where, "tl:10");
}

TEST(Timeline, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"abc -D -t 10.0.0.1:80", "tl:1: bad time 'abc' (seconds, optionally with s, m or h)"},
      {"-5 -D -t 10.0.0.1:80", "tl:1: bad time '-5' (seconds, optionally with s, m or h)"},
      {"5x -D -t 10.0.0.1:80", "tl:1: bad time '5x' (seconds, optionally with s, m or h)"},
      {"\n\n12", "tl:3: missing event after the time"},
      {"12 reboot now",
       "tl:1: unknown event 'reboot' (an ipvsadm command, director-down N or "
       "director-up N)"},
      {"12 director-down", "tl:1: director-down needs a director number"},
      {"12 director-up x", "tl:1: bad director number 'x' (0, 1, ...)"},
      {"12 director-downs 1", "tl:1: unknown event 'director-downs'"},
      {"12 -a -t 10.0.0.1:80 -r 10.1.1.1 -w 70000", "tl:1: weight 70000 out of range 0..65535"},
      {"12 -L -n", "tl:1: unknown command -L (only -A -E -D -a -e -d are understood)"},
      {"12 -d -t 10.0.0.1:80 -q", "tl:1: unknown option '-q'"},
  };
  for (const Case& c : cases) {
    std::vector<TimelineEvent> ev;
    std::string err;
    EXPECT_FALSE(ParseTimelineText(c.text, "tl", &ev, &err)) << c.text;
    EXPECT_EQ(err, c.error) << c.text;
  }
}

TEST(Timeline, ReadsFile) {
  std::string path = ::testing::TempDir() + "/timeline_test.tl";
  {
    std::ofstream f(path);
    f << "5 director-down 0\n";
  }
  std::vector<TimelineEvent> ev;
  std::string err;
  ASSERT_TRUE(ParseTimeline(path, &ev, &err)) << err;
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].where, path + ":1");
  EXPECT_FALSE(ParseTimeline(path + ".none", &ev, &err));
  EXPECT_EQ(err, path + ".none: cannot open");
  std::remove(path.c_str());
}

TEST(TimelineTest, EpochTimesParseAndMillisecondsAreRefused) {
  std::vector<TimelineEvent> evs;
  std::string err;
  ASSERT_TRUE(ParseTimelineText("1796150000 -d -t 10.0.0.1:80 -r 10.1.1.1:80\n", "tl", &evs, &err))
      << err;
  EXPECT_EQ(evs[0].time, 1796150000.0);
  EXPECT_FALSE(
      ParseTimelineText("1796150000000 -d -t 10.0.0.1:80 -r 10.1.1.1:80\n", "tl", &evs, &err));
  EXPECT_EQ(err.rfind("tl:1: time 1796150000000 is beyond", 0), 0u) << err;
}

}  // namespace
}  // namespace ipvs_sim
