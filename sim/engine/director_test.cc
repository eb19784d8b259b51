// SPDX-License-Identifier: GPL-2.0
// One director against the kernel's rules for persistence, fwmark
// services and the net.ipv4.vs sysctls (ip_vs_sched_persist,
// ip_vs_in_hook, ip_vs_check_template, tcp_conn_schedule).
#include "director.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "replay_testing.h"

namespace ipvs_sim {
namespace {

using replay_testing::F;

class DirectorTest : public ::testing::Test {
 protected:
  // Loads @rules into a fresh director with the current options_.
  void Load(const std::string& rules) {
    IpvsConfig c;
    std::string err;
    ASSERT_TRUE(ParseIpvsadmConfigText(rules, "test.conf", &c, &err)) << err;
    ids_ = std::make_unique<DestIds>();
    director_ = std::make_unique<Director>(0, options_, ids_.get(), nullptr);
    ASSERT_TRUE(director_->Load(c, &err)) << err;
  }
  // Offers a flow at @t; returns the entry's dest ("-" when none).
  std::string Send(double t, const std::string& client, const std::string& vip = "10.0.0.1:80",
                   Proto proto = Proto::kUdp, double duration = 1) {
    TraceFlow f = F(t, client, duration, vip, proto);
    director_->Advance(t);
    last_ = director_->Handle(f);
    uint32_t id = last_.entry_dest();
    return id == kNoDest ? "-" : ids_->ep(id).ToString();
  }
  // Applies the timeline line "T ipvsadm-args".
  uint64_t Edit(const std::string& line) {
    std::vector<TimelineEvent> evs;
    std::string err;
    EXPECT_TRUE(ParseTimelineText(line + "\n", "tl", &evs, &err)) << err;
    director_->Advance(evs[0].time);
    uint64_t broken = 0;
    EXPECT_TRUE(director_->Apply(evs[0], &broken, &err)) << err;
    return broken;
  }

  DirectorOptions options_;
  std::unique_ptr<DestIds> ids_;
  std::unique_ptr<Director> director_;
  FlowOutcome last_;
};

std::string Rr(const std::string& svc, int n, const std::string& opts) {
  std::string text = "-A " + svc + " -s rr " + opts + "\n";
  std::string vip = svc.substr(3);
  for (int i = 1; i <= n; ++i)
    text += "-a " + svc.substr(0, 2) + " " + vip + " -r 192.168.1." + std::to_string(i) +
            ":80 -m -w 1\n";
  return text;
}

TEST_F(DirectorTest, PersistenceSendsEveryConnectionOfAClientToOneDest) {
  Load(Rr("-u 10.0.0.1:80", 4, "-p 300"));
  // rr moves on with every scheduling; a template pins each client.
  std::map<std::string, std::set<std::string>> dests;
  for (int port = 1000; port < 1010; ++port)
    for (int c = 1; c <= 8; ++c) {
      std::string client = "1.1.1." + std::to_string(c);
      dests[client].insert(Send(port - 1000, client + ":" + std::to_string(port)));
      EXPECT_EQ(last_.persisted, port > 1000);
    }
  std::set<std::string> used;
  for (auto& [client, d] : dests) {
    EXPECT_EQ(d.size(), 1u) << client;
    used.insert(*d.begin());
  }
  EXPECT_EQ(used.size(), 4u);  // rr spread the 8 clients over the 4 dests
  EXPECT_EQ(director_->templates().size(), 8u);
}

TEST_F(DirectorTest, NetmaskGroupsClientsAndPortsAreSeparateTemplates) {
  Load(Rr("-u 10.0.0.1:80", 4, "-p 300 -M 255.255.255.0") + Rr("-u 10.0.0.1:81", 4, "-p 300"));
  std::string a = Send(0, "1.1.1.1:1000");
  EXPECT_EQ(Send(1, "1.1.1.200:1000"), a);  // same /24
  EXPECT_NE(Send(2, "1.1.2.1:1000"), a);    // rr: the next /24 goes elsewhere
  // Port 81 is another service: its own template and rr.
  EXPECT_FALSE((Send(3, "1.1.1.1:1001", "10.0.0.1:81"), last_.persisted));
}

TEST_F(DirectorTest, PortZeroServiceHasOneTemplateForEveryPort) {
  Load(Rr("-u 10.0.0.2:0", 3, "-p 300"));
  std::string a = Send(0, "1.1.1.1:1000", "10.0.0.2:53");
  EXPECT_NE(a, "-");
  EXPECT_EQ(Send(1, "1.1.1.1:1001", "10.0.0.2:5353"), a);
  EXPECT_EQ(Send(2, "1.1.1.1:1002", "10.0.0.2:80"), a);
  EXPECT_TRUE(last_.persisted);
  EXPECT_EQ(director_->templates().size(), 1u);
}

TEST_F(DirectorTest, DrainKeepsTemplatesUnlessExpireQuiescentTemplate) {
  for (int eqt : {0, 1}) {
    options_.sysctls.expire_quiescent_template = eqt;
    Load(Rr("-u 10.0.0.1:80", 2, "-p 300"));
    std::string a = Send(0, "1.1.1.1:1000");
    uint64_t broken = Edit("0.5 -e -u 10.0.0.1:80 -r " + a + " -m -w 0");
    EXPECT_EQ(broken, 0u);
    EXPECT_EQ(director_->kept(), 1u);  // the flow of 0..1 is in progress
    EXPECT_EQ(director_->templates_broken(), static_cast<uint64_t>(eqt));
    std::string b = Send(2, "1.1.1.1:1001");
    if (eqt)
      EXPECT_NE(b, a);  // rescheduled away from the weight-0 dest
    else
      EXPECT_EQ(b, a);  // the template still sends new connections there
  }
}

TEST_F(DirectorTest, DeletedDestInvalidatesItsTemplates) {
  Load(Rr("-u 10.0.0.1:80", 3, "-p 300"));
  std::string a = Send(0, "1.1.1.1:1000");
  Send(0, "1.1.1.2:1000");
  Edit("1 -d -u 10.0.0.1:80 -r " + a);
  EXPECT_EQ(director_->templates_broken(), 1u);
  std::string b = Send(2, "1.1.1.1:1001");
  EXPECT_NE(b, a);
  EXPECT_NE(b, "-");
  EXPECT_FALSE(last_.persisted);
  EXPECT_EQ(Send(3, "1.1.1.1:1002"), b);  // the new template holds
}

TEST_F(DirectorTest, TemplateLivesPAfterItsLastUseThenWaitsSixtySecondsForItsEntries) {
  options_.timeouts.udp = 10;
  Load(Rr("-u 10.0.0.1:80", 2, "-p 30"));
  std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kUdp, 1);
  // Used again at 20: the timer restarts, so it lives to 50.
  EXPECT_EQ(Send(20, "1.1.1.1:1001"), a);
  EXPECT_EQ(Send(49, "1.1.1.1:1002"), a);
  EXPECT_TRUE(last_.persisted);
  // Last use 49: timer at 79, the 49 entry lives to 49 + 1 + 10 = 60, so
  // the template is freed at 79.
  director_->Advance(80);
  EXPECT_EQ(director_->templates().size(), 0u);

  // An entry still there when the timer fires holds the template 60 s
  // more, and from then on its timeout is 60 s.
  Load(Rr("-u 10.0.0.1:80", 2, "-p 30"));
  a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kUdp, 100);  // entry until 110
  director_->Advance(31);
  EXPECT_EQ(director_->templates().size(), 1u);  // fired at 30: 60 s more
  director_->Advance(89);
  EXPECT_EQ(director_->templates().size(), 1u);
  director_->Advance(150);  // fired at 90 (entry live) and 150 (gone at 110)
  EXPECT_EQ(director_->templates().size(), 0u);
}

TEST_F(DirectorTest, FwmarkServiceTakesMarkedFlowsAndItsTemplateCoversBothPorts) {
  MarkMap marks;
  std::string err;
  ASSERT_TRUE(marks.Parse("7 tcp 10.0.0.1:80,443\n", "marks", &err)) << err;
  options_.marks = &marks;
  Load(Rr("-f 7", 3, "-p 300") + Rr("-t 10.0.0.1:80", 3, ""));
  std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp);
  EXPECT_EQ(last_.svc, 0);  // the fwmark service first
  EXPECT_EQ(Send(1, "1.1.1.1:1001", "10.0.0.1:443", Proto::kTcp), a);
  EXPECT_TRUE(last_.persisted);
  Send(2, "1.1.1.1:1002", "10.0.0.1:8080", Proto::kTcp);
  EXPECT_EQ(last_.svc, -1);  // not marked, no such service
  options_.marks = nullptr;
  Load(Rr("-f 7", 3, "-p 300") + Rr("-t 10.0.0.1:80", 3, ""));
  Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp);
  EXPECT_EQ(last_.svc, 1);  // without marks the VIP service
}

TEST_F(DirectorTest, ConnReuseModeReschedulesAClosedTcpEntry) {
  // rr over 4: a reused 5-tuple of a closed entry moves on under modes 1
  // and 2 (NAT: TIME_WAIT), stays under 0.
  for (int mode : {0, 1, 2}) {
    options_.sysctls.conn_reuse_mode = mode;
    Load(Rr("-t 10.0.0.1:80", 4, ""));
    std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    std::string b = Send(5, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    if (mode == 0) {
      EXPECT_EQ(b, a);
      EXPECT_TRUE(last_.reused);
    } else {
      EXPECT_NE(b, a) << mode;
      EXPECT_FALSE(last_.reused);
    }
  }
}

TEST_F(DirectorTest, ConnReuseModeBitTwoIsForDirectRouting) {
  for (int mode : {1, 2}) {
    options_.sysctls.conn_reuse_mode = mode;
    std::string text = "-A -t 10.0.0.1:80 -s rr\n";
    for (int i = 1; i <= 4; ++i)
      text += "-a -t 10.0.0.1:80 -r 192.168.1." + std::to_string(i) + ":80 -g -w 1\n";
    Load(text);
    std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    std::string b = Send(5, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    // DR: the entry ends in FIN_WAIT, rescheduled only with bit 2.
    EXPECT_EQ(b == a, mode == 1) << mode;
  }
}

TEST_F(DirectorTest, PersistentEntriesAreReusedWhateverTheMode) {
  options_.sysctls.conn_reuse_mode = 1;
  Load(Rr("-t 10.0.0.1:80", 4, "-p 300"));
  Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
  Send(5, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
  EXPECT_TRUE(last_.reused);  // is_new_conn_expected: never when controlled
}

TEST_F(DirectorTest, DeletedDestEntriesDropPacketsOrExpireUnderExpireNodestConn) {
  for (int enc : {0, 1}) {
    options_.sysctls.expire_nodest_conn = enc;
    Load(Rr("-u 10.0.0.1:80", 3, ""));
    std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kUdp, 100);
    EXPECT_EQ(Edit("1 -d -u 10.0.0.1:80 -r " + a), 1u);
    EXPECT_EQ(director_->table().size(), 1u);  // kept, or replaced
    std::string b = Send(2, "1.1.1.1:1000");
    if (enc) {
      // The in-progress UDP flow was scheduled afresh at the deletion.
      EXPECT_NE(b, a);
      EXPECT_FALSE(last_.dropped);
    } else {
      EXPECT_EQ(b, a);  // the stale entry is what ip_vs_conn shows
      EXPECT_TRUE(last_.dropped);
      EXPECT_EQ(last_.dest_id, kNoDest);
    }
  }
}

TEST_F(DirectorTest, ExpireNodestConnReschedulesASynOnAWeightZeroDest) {
  for (int enc : {0, 1}) {
    options_.sysctls.expire_nodest_conn = enc;
    options_.sysctls.conn_reuse_mode = 0;
    Load(Rr("-t 10.0.0.1:80", 2, ""));
    std::string a = Send(0, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    Edit("1 -e -t 10.0.0.1:80 -r " + a + " -m -w 0");
    std::string b = Send(5, "1.1.1.1:1000", "10.0.0.1:80", Proto::kTcp, 1);
    EXPECT_EQ(b == a, enc == 0) << enc;
    // A UDP datagram is not a new connection (is_new_conn): kept.
    Load(Rr("-u 10.0.0.1:80", 2, ""));
    a = Send(0, "1.1.1.1:1000");
    Edit("1 -e -u 10.0.0.1:80 -r " + a + " -m -w 0");
    EXPECT_EQ(Send(5, "1.1.1.1:1000"), a);
  }
}

// A served table (--export) is where the director starts; one that
// reboots builds its tables from the rules.
TEST_F(DirectorTest, ServedTableServesUntilTheDirectorReboots) {
  auto served = std::make_shared<WmhServedTables>();
  WmhServedTable t;
  t.file = "saved/x";
  t.key.proto = Proto::kUdp;
  EXPECT_TRUE(Endpoint::Parse("10.0.0.1:80", &t.key.vip));
  t.table_size = 13;
  t.key_fingerprint = wmh_hash_key_fingerprint(&wmh_default_hash_key);
  WmhServedDest d;
  EXPECT_TRUE(Endpoint::Parse("192.168.1.9:80", &d.ep));
  d.table_weight = 1;
  t.dests.push_back(d);
  t.slots.assign(13, 0);  // every slot: .9
  (*served)[t.key] = t;
  options_.sched.wmh_table_size = 13;
  options_.sched.wmh_served = served;
  Load(
      "-A -u 10.0.0.1:80 -s wmh\n-a -u 10.0.0.1:80 -r 192.168.1.1:80 -m\n"
      "-a -u 10.0.0.1:80 -r 192.168.1.2:80 -m\n-a -u 10.0.0.1:80 -r 192.168.1.9:80 -m\n");
  for (int i = 1; i <= 20; ++i)
    EXPECT_EQ(Send(1, "10.1.0." + std::to_string(i) + ":4000"), "192.168.1.9:80") << i;
  director_->Crash(2);
  std::string err;
  ASSERT_TRUE(director_->Boot(&err)) << err;
  std::set<std::string> dests;
  for (int i = 1; i <= 40; ++i) dests.insert(Send(3, "10.2.0." + std::to_string(i) + ":4000"));
  EXPECT_EQ(dests.size(), 3u);
}

TEST_F(DirectorTest, OverloadSetsAtTheUpperThresholdAndClearsBelowTheLower) {
  for (int lower : {0, 5}) {
    options_.timeouts.udp = 10;
    std::string rules =
        "-A -u 10.0.0.1:80 -s wlc\n-a -u 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1 -x 8";
    if (lower) rules += " -y " + std::to_string(lower);
    Load(rules + "\n");
    const Dest& d = director_->service(0)->dests[0];
    for (int i = 0; i < 8; ++i) {
      EXPECT_FALSE(d.overloaded) << i;
      EXPECT_EQ(Send(i, "1.1.1.1:" + std::to_string(1000 + i)), "192.168.1.1:80");
    }
    EXPECT_TRUE(d.overloaded);
    EXPECT_EQ(Send(8, "1.1.1.1:2000"), "-");  // wlc skips an overloaded dest
    // Entries expire at i + 1 + 10; without -y the lower threshold is
    // 8 - 8/4 = 6: the flag clears when the count falls from 6 to 5.
    int clear_at = lower ? lower : 6;  // the count whose loss clears it
    director_->Advance(10.5 + (8 - clear_at));
    EXPECT_TRUE(d.overloaded);
    director_->Advance(11.5 + (8 - clear_at));
    EXPECT_FALSE(d.overloaded);
  }
}

}  // namespace
}  // namespace ipvs_sim
