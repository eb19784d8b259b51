// SPDX-License-Identifier: GPL-2.0
#include "keepalived_config.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "file_testing.h"
#include "timeline.h"

namespace ipvs_sim {
namespace {

namespace fs = std::filesystem;

const char kSamples[] = "/usr/share/doc/keepalived/samples";

Endpoint Ep(const char* text) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(text, &e, true)) << text;
  return e;
}

struct Parsed {
  bool ok = false;
  IpvsConfig cfg;
  std::vector<std::string> warnings;
  std::string err;
  bool Warned(const std::string& what) const {
    for (const std::string& w : warnings)
      if (w.find(what) != std::string::npos) return true;
    return false;
  }
};

Parsed Text(const std::string& text, const std::string& dir = ".",
            const KeepalivedOptions& opts = KeepalivedOptions()) {
  Parsed p;
  p.ok = ParseKeepalivedConfigText(text, "k.conf", dir, opts, &p.cfg, &p.warnings, &p.err);
  return p;
}

Parsed Sample(const std::string& name) {
  Parsed p;
  std::string path = std::string(kSamples) + "/" + name;
  p.ok = ParseKeepalivedConfig(path, KeepalivedOptions(), &p.cfg, &p.warnings, &p.err);
  return p;
}

using file_testing::Slurp;

// Real files nobody here wrote: every sample of Debian's keepalived package
// with a virtual_server parses and yields at least one service.
TEST(KeepalivedSamples, EverySampleWithIpvsParses) {
  ASSERT_TRUE(fs::is_directory(kSamples))
      << kSamples << " is missing: install Debian's keepalived package (apt-get install "
      << "keepalived) to run the tests against its sample configurations";
  int with_ipvs = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(kSamples)) {
    std::string name = e.path().filename().string();
    if (!name.starts_with("keepalived.conf")) continue;
    std::string text = Slurp(e.path());
    bool ipvs = false;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      size_t b = line.find_first_not_of(" \t");
      if (b != std::string::npos && line.compare(b, 15, "virtual_server ") == 0) ipvs = true;
    }
    Parsed p = Sample(name);
    EXPECT_TRUE(p.ok) << name << ": " << p.err;
    if (ipvs) {
      ++with_ipvs;
      EXPECT_FALSE(p.cfg.services.empty()) << name;
    } else {
      EXPECT_TRUE(p.cfg.services.empty()) << name;
    }
  }
  EXPECT_GE(with_ipvs, 10);
}

// Facts read off keepalived.conf.quorum: one TCP virtual server 10.0.1.1:80,
// wrr, NAT, persistence 900, ten real servers 10.0.0.1..10:8080 of weight 1,
// each with a TCP_CHECK, and "alpha" on the virtual server: keepalived
// starts every checker as failed, so at start the service has no real
// server (none has inhibit_on_failure) and each is warned about.
TEST(KeepalivedSamples, Quorum) {
  Parsed p = Sample("keepalived.conf.quorum");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  const Service& s = p.cfg.services[0];
  EXPECT_EQ(s.key.ToString(), "-t 10.0.1.1:80");
  EXPECT_EQ(s.scheduler, "wrr");
  EXPECT_EQ(s.persistence, 900u);
  EXPECT_TRUE(s.dests.empty());
  int alpha = 0;
  for (const std::string& w : p.warnings)
    if (w.find("alpha: keepalived starts real server 10.0.0.") != std::string::npos) ++alpha;
  EXPECT_EQ(alpha, 10);
}

// Without alpha the same servers are all added, in file order (so .10,
// added last, heads the list); with inhibit_on_failure an alpha server is
// added at weight 0; a sorry server replaces the servers when the weight up
// at start does not reach the quorum.
TEST(Keepalived, AlphaAndQuorumAtStart) {
  std::string rs;
  for (int i = 1; i <= 10; ++i)
    rs += fmt::format(" real_server 10.0.0.{} 8080 {{\n weight 1\n TCP_CHECK {{ }}\n }}\n", i);
  Parsed plain = Text("virtual_server 10.0.1.1 80 {\n protocol TCP\n lb_algo wrr\n" + rs + "}\n");
  ASSERT_TRUE(plain.ok) << plain.err;
  const Service& s = plain.cfg.services[0];
  ASSERT_EQ(s.dests.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(s.dests[i].ep.ToString(), fmt::format("10.0.0.{}:8080", 10 - i));
    EXPECT_EQ(s.dests[i].forward, 'm');
  }

  Parsed p = Text(
      "virtual_server 10.0.1.1 80 {\n protocol TCP\n quorum 4\n"
      " sorry_server 10.0.9.9 80\n"
      " real_server 10.0.0.1 80 { weight 2\n TCP_CHECK { alpha } }\n"
      " real_server 10.0.0.2 80 { weight 3\n inhibit_on_failure\n HTTP_GET { alpha yes } }\n"
      " real_server 10.0.0.3 80 { weight 2\n inhibit_on_failure\n TCP_CHECK { } }\n"
      " real_server 10.0.0.4 80 { weight 1\n TCP_CHECK { alpha no } }\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  const Service& q = p.cfg.services[0];
  // Up at start: .3 (2) and .4 (1): 3 < quorum 4, so they go (.3 inhibited:
  // weight 0, .4 removed) and the sorry server comes in; .1 never came, .2
  // came at weight 0 (alpha, inhibited).
  std::vector<std::string> eps;
  for (const Dest& d : q.dests) eps.push_back(fmt::format("{} {}", d.ep.ToString(), d.weight));
  std::vector<std::string> want = {"10.0.9.9:80 1", "10.0.0.3:80 0", "10.0.0.2:80 0"};
  EXPECT_EQ(eps, want);
  EXPECT_EQ(q.dests[1].last_weight, 2);  // added at 2, then set to 0
  EXPECT_EQ(q.dests[2].last_weight, 0);  // added at 0
  EXPECT_TRUE(p.Warned("quorum down"));
}

// keepalived.conf.virtual_server_group: group VSG_1 = 10.0.0.1 8080,
// 10.0.0.2 80, 192.168.200.1 1358, the range 192.168.200.3-10 80 and
// fwmarks 1 and 2: 3 + 8 + 2 services, each with both real servers
// (192.168.200.1:1358 then .2:1358), rr, persistence 50, TCP.
TEST(KeepalivedSamples, VirtualServerGroup) {
  Parsed p = Sample("keepalived.conf.virtual_server_group");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 13u);
  int fwmarks = 0, range = 0;
  for (const Service& s : p.cfg.services) {
    EXPECT_EQ(s.scheduler, "rr");
    EXPECT_EQ(s.persistence, 50u);
    ASSERT_EQ(s.dests.size(), 2u);
    EXPECT_EQ(s.dests[0].ep, Ep("192.168.200.2:1358"));
    EXPECT_EQ(s.dests[1].ep, Ep("192.168.200.1:1358"));
    if (s.key.fwmark) {
      ++fwmarks;
    } else {
      EXPECT_EQ(s.key.proto, Proto::kTcp);
      uint32_t a = s.key.vip.addr.v4();
      if (a >= IpAddr::V4(0xc0a8c803).v4() && a <= IpAddr::V4(0xc0a8c80a).v4()) {
        ++range;
        EXPECT_EQ(s.key.vip.port, 80);
      }
    }
  }
  EXPECT_EQ(fwmarks, 2);
  EXPECT_EQ(range, 8);
  ServiceKey k;
  k.proto = Proto::kTcp;
  k.vip = Ep("10.0.0.1:8080");
  EXPECT_GE(p.cfg.Find(k), 0);
}

// keepalived.conf.fwmark: fwmark 1, rr, persistence 900, real servers
// 192.168.201.100 and .101 without a port; its "protocol TCP" is ignored
// by keepalived for a fwmark service, which we warn about.
TEST(KeepalivedSamples, Fwmark) {
  Parsed p = Sample("keepalived.conf.fwmark");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  const Service& s = p.cfg.services[0];
  EXPECT_EQ(s.key.fwmark, 1u);
  EXPECT_EQ(s.persistence, 900u);
  ASSERT_EQ(s.dests.size(), 2u);
  EXPECT_EQ(s.dests[0].ep, Ep("192.168.201.101:0"));
  EXPECT_EQ(s.dests[1].ep, Ep("192.168.201.100:0"));
  EXPECT_TRUE(p.Warned("protocol specified for fwmark - protocol will be ignored"));
}

// keepalived.conf.inhibit: its one real server has inhibit_on_failure;
// keepalived.conf.sample: a sorry_server, recorded and not in the list.
TEST(KeepalivedSamples, InhibitAndSorryServer) {
  Parsed inh = Sample("keepalived.conf.inhibit");
  ASSERT_TRUE(inh.ok) << inh.err;
  ASSERT_EQ(inh.cfg.services.size(), 1u);
  ASSERT_EQ(inh.cfg.services[0].dests.size(), 1u);
  EXPECT_TRUE(inh.cfg.services[0].dests[0].inhibit_on_failure);
  EXPECT_EQ(inh.cfg.services[0].key.ToString(), "-t 10.10.10.2:1358");

  Parsed smp = Sample("keepalived.conf.sample");
  ASSERT_TRUE(smp.ok) << smp.err;
  ASSERT_EQ(smp.cfg.services.size(), 1u);
  const Service& s = smp.cfg.services[0];
  EXPECT_TRUE(s.has_sorry_server);
  EXPECT_EQ(s.sorry_server, Ep("192.168.200.200:1358"));
  EXPECT_FALSE(s.sorry_inhibit);
  ASSERT_EQ(s.dests.size(), 1u);
  EXPECT_EQ(s.dests[0].ep, Ep("192.168.200.2:1358"));
  EXPECT_FALSE(s.dests[0].inhibit_on_failure);
}

// keepalived.conf.IPv6: an IPv6 virtual server whose real server is on
// another port (25); its group IPv6_group is used by nobody (the
// "virtual_server group" line is commented out), so only one service.
// keepalived.conf.SSL_GET: two virtual servers, 443 and 80.
TEST(KeepalivedSamples, Ipv6AndTwoServices) {
  Parsed p = Sample("keepalived.conf.IPv6");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  EXPECT_EQ(p.cfg.services[0].key.ToString(), "-t [ae00::1]:80");
  ASSERT_EQ(p.cfg.services[0].dests.size(), 1u);
  EXPECT_EQ(p.cfg.services[0].dests[0].ep, Ep("[ae00::10]:25"));

  Parsed ssl = Sample("keepalived.conf.SSL_GET");
  ASSERT_TRUE(ssl.ok) << ssl.err;
  ASSERT_EQ(ssl.cfg.services.size(), 2u);
  EXPECT_EQ(ssl.cfg.services[0].key.vip.port, 443);
  EXPECT_EQ(ssl.cfg.services[1].key.vip.port, 80);
}

TEST(Keepalived, UnknownSchedulerIsIgnoredAsKeepalivedDoes) {
  Parsed p = Text(
      "virtual_server 10.0.0.1 80 {\n"
      "  protocol TCP\n"
      "  lb_algo wmh\n"
      "  mh-port\n"
      "  real_server 10.1.0.1 80 { weight 2 }\n"
      "}\n");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  EXPECT_EQ(p.cfg.services[0].scheduler, "wlc");
  EXPECT_EQ(p.cfg.services[0].flags, 0u);
  EXPECT_TRUE(p.Warned("k.conf:3: keepalived rejects lb_algo 'wmh'"));
  EXPECT_TRUE(p.Warned("Invalid lvs_scheduler 'wmh' - ignoring"));
  EXPECT_TRUE(p.Warned("sched_name=mh"));
  EXPECT_TRUE(p.Warned("k.conf:4: keepalived ignores mh-port"));
  EXPECT_TRUE(p.Warned("no scheduler set, setting default 'wlc'"));
}

// Flag keywords count only after the lb_algo they belong to.
TEST(Keepalived, SchedulerFlagsFollowTheSchedulerSetBefore) {
  Parsed p = Text(
      "virtual_server 10.0.0.1 80 {\n"
      "  protocol UDP\n"
      "  mh-fallback\n"  // before lb_algo: ignored
      "  lvs_sched mh\n"
      "  mh-port\n"
      "  sh-port\n"  // mh: silently ignored by keepalived
      "  flag-3\n"
      "  real_server 10.1.0.1 80 {\n  }\n"
      "}\n"
      "virtual_server 10.0.0.2 53 {\n"
      "  protocol udp\n"
      "  lb_algo sh\n"
      "  sh-fallback\n"
      "  sh-port\n"
      "  real_server 10.1.0.1 53\n"
      "  {\n"
      "    weight 1\n"
      "  }\n"
      "}\n");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 2u);
  EXPECT_EQ(p.cfg.services[0].scheduler, "mh");
  EXPECT_EQ(p.cfg.services[0].flags, kSchedFlag2 | kSchedFlag3);
  EXPECT_EQ(p.cfg.services[0].key.proto, Proto::kUdp);
  EXPECT_TRUE(p.Warned("k.conf:3: keepalived ignores mh-fallback"));
  EXPECT_TRUE(p.Warned("k.conf:6: keepalived ignores sh-port for lb_algo mh"));
  EXPECT_EQ(p.cfg.services[1].flags, kSchedFlag1 | kSchedFlag2);
}

TEST(Keepalived, DefaultsAndWhatKeepalivedFixes) {
  Parsed p = Text(
      "global_defs { router_id X\n notification_email { a@b } }\n"
      "vrrp_instance VI_1 { state MASTER\n virtual_ipaddress { 10.0.0.1 } }\n"
      "virtual_server 10.0.0.1 0 {\n"  // no protocol, no lb_kind, zero port
      "  weight 4\n"
      "  inhibit_on_failure\n"
      "  real_server 10.1.0.1 80 { TCP_CHECK { connect_port 80 } }\n"
      "  real_server 10.1.0.2 80 { weight 0\n lvs_method DR }\n"
      "  real_server 10.1.0.1 80 { weight 9 }\n"       // duplicate: removed
      "  real_server [2001:db8::1] 80 { weight 9 }\n"  // wrong family: skipped
      "  persistence_granularity 255.255.255.0\n"
      "  sorry_server 10.1.0.9 80\n"
      "  sorry_server_inhibit\n"
      "}\n"
      "virtual_server 10.0.0.2 80 { protocol TCP }\n");  // no real servers
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  const Service& s = p.cfg.services[0];
  EXPECT_EQ(s.key.proto, Proto::kUdp);
  EXPECT_EQ(s.scheduler, "wlc");
  EXPECT_EQ(s.persistence, 360u);
  EXPECT_EQ(s.netmask_bits, 24);
  ASSERT_EQ(s.dests.size(), 3u);  // sorry server (inhibit) last, at the head
  EXPECT_EQ(s.dests[0].ep, Ep("10.1.0.9:80"));
  EXPECT_EQ(s.dests[0].weight, 0);
  EXPECT_EQ(s.dests[1].ep, Ep("10.1.0.2:0"));  // DR: reset to the service port
  EXPECT_EQ(s.dests[1].weight, 0);
  EXPECT_EQ(s.dests[1].forward, 'g');
  EXPECT_EQ(s.dests[2].ep, Ep("10.1.0.1:80"));
  EXPECT_EQ(s.dests[2].weight, 4);     // the virtual server's weight
  EXPECT_EQ(s.dests[2].forward, 'm');  // no lb_kind: NAT
  EXPECT_TRUE(s.dests[2].inhibit_on_failure);
  EXPECT_TRUE(s.sorry_inhibit);
  EXPECT_TRUE(p.Warned("no protocol set - defaulting to UDP"));
  EXPECT_TRUE(
      p.Warned("k.conf:11: keepalived: VS 10.0.0.1 0: real server 10.1.0.1:80 is duplicated"));
  EXPECT_TRUE(p.Warned("k.conf:12: keepalived: Address family"));
  EXPECT_TRUE(p.Warned("no forwarding method set, setting default NAT"));
  EXPECT_TRUE(p.Warned("k.conf:17: keepalived: Virtual server 10.0.0.2 80 has no real servers"));
}

// A granularity of the whole address is no mask, as ipvsadm reads -M 128
// or -M 255.255.255.255: the rules printed read back the same (found by
// fuzz/keepalived_fuzz.cc).
TEST(Keepalived, WholeAddressGranularityIsNoMask) {
  Parsed p = Text(
      "virtual_server 2001:db8::1 80 {\n persistence_granularity 128\n"
      " real_server 2001:db8::2 80 { }\n}\n"
      "virtual_server 10.0.0.1 80 {\n persistence_granularity 255.255.255.255\n"
      " real_server 10.1.0.1 80 { }\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 2u);
  for (const Service& s : p.cfg.services) {
    EXPECT_EQ(s.persistence, 360u);
    EXPECT_EQ(s.netmask_bits, -1);
  }
  IpvsConfig again;
  std::string rules = FormatIpvsadmConfig(p.cfg), err;
  ASSERT_TRUE(ParseIpvsadmConfigText(rules, "rules", &again, &err)) << err;
  EXPECT_EQ(FormatIpvsadmConfig(again), rules);
}

TEST(Keepalived, CommentsConditionsDefinitions) {
  KeepalivedOptions opts;
  opts.config_id = "lb1";
  Parsed p = Text(
      "! comment\n"
      "# comment\n"
      "$VIP=10.0.0.7\n"
      "virtual_server $VIP 80 {   ! trailing comment { not a block\n"
      "  protocol TCP # another\n"
      "@lb1  lb_algo mh\n"
      "@lb2  lb_algo rr\n"
      "@^lb2 mh-port\n"
      "  real_server 10.1.0.1 80 { weight 2 }   real_server 10.1.0.2 80 { weight 3 }\n"
      "}\n",
      ".", opts);
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 1u);
  const Service& s = p.cfg.services[0];
  EXPECT_EQ(s.key.vip, Ep("10.0.0.7:80"));
  EXPECT_EQ(s.scheduler, "mh");
  EXPECT_EQ(s.flags, kSchedFlag2);
  ASSERT_EQ(s.dests.size(), 2u);
  EXPECT_EQ(s.dests[0].weight, 3);
  // Without a config id no '@ID' line applies, and that is said once per id.
  Parsed none = Text("@lb1 virtual_server 10.0.0.1 80 {\n@lb1 }\n@lb2 global_defs {\n@lb2 }\n");
  ASSERT_TRUE(none.ok) << none.err;
  EXPECT_TRUE(none.cfg.services.empty());
  EXPECT_EQ(none.warnings.size(), 2u);
  EXPECT_TRUE(none.Warned("k.conf:1: lines '@lb1 ...' skipped"));
}

// include: globs relative to the directory of the including file, nested.
TEST(Keepalived, IncludesResolveLikeKeepalived) {
  fs::path root = fs::path(::testing::TempDir()) / "keepalived_include_test";
  fs::remove_all(root);
  fs::create_directories(root / "conf.d" / "more");
  auto write = [](const fs::path& p, const std::string& text) {
    std::ofstream f(p);
    f << text;
  };
  write(root / "keepalived.conf",
        "global_defs { router_id T }\ninclude conf.d/*.conf\ninclude missing/*.conf\n");
  write(root / "conf.d" / "a.conf",
        "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n include more/rs.inc\n}\n");
  write(root / "conf.d" / "b.conf",
        "virtual_server 10.0.0.2 80 {\n protocol TCP\n lb_algo sh\n"
        " real_server 10.1.0.9 80 { }\n}\n");
  write(root / "conf.d" / "more" / "rs.inc", "real_server 10.1.0.1 80 { weight 5 }\n");
  Parsed p;
  p.ok = ParseKeepalivedConfig((root / "keepalived.conf").string(), KeepalivedOptions(), &p.cfg,
                               &p.warnings, &p.err);
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 2u);  // a.conf before b.conf (sorted)
  EXPECT_EQ(p.cfg.services[0].key.vip, Ep("10.0.0.1:80"));
  ASSERT_EQ(p.cfg.services[0].dests.size(), 1u);
  EXPECT_EQ(p.cfg.services[0].dests[0].weight, 5);
  EXPECT_EQ(p.cfg.services[1].scheduler, "sh");
  EXPECT_TRUE(p.Warned("keepalived.conf:3: include 'missing/*.conf': no matching file"));
  fs::remove_all(root);
}

// Ports as check_data.c fixes them: unless NAT, the service port (0 for
// fwmark); a NAT real server without a port takes the service's.
TEST(Keepalived, RealServerPortsAsKeepalivedCorrectsThem) {
  Parsed p = Text(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_kind DR\n"
      " real_server 10.1.0.1 8080 { }\n real_server 10.1.0.2 { }\n"
      " real_server 10.1.0.3 81 { lvs_method NAT }\n real_server 10.1.0.4 { lvs_method NAT }\n}\n"
      "virtual_server fwmark 5 {\n lb_kind TUN\n real_server 10.1.0.1 80 { }\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 2u);
  const Service& s = p.cfg.services[0];
  ASSERT_EQ(s.dests.size(), 4u);
  EXPECT_EQ(s.dests[3].ep, Ep("10.1.0.1:80"));
  EXPECT_EQ(s.dests[2].ep, Ep("10.1.0.2:80"));
  EXPECT_EQ(s.dests[1].ep, Ep("10.1.0.3:81"));
  EXPECT_EQ(s.dests[0].ep, Ep("10.1.0.4:80"));
  EXPECT_TRUE(
      p.Warned("k.conf:4: keepalived: virtual server 10.0.0.1 80 and real server "
               "10.1.0.1:8080 ports don't match - resetting to 80"));
  EXPECT_EQ(p.cfg.services[1].dests[0].ep, Ep("10.1.0.1:0"));
  EXPECT_EQ(p.cfg.services[1].dests[0].forward, 'i');
  EXPECT_TRUE(p.Warned("has port specified - clearing"));
}

TEST(Keepalived, GroupsRangesAndFwmarks) {
  Parsed p = Text(
      "virtual_server group G {\n lb_algo mh\n mh-port\n protocol TCP\n"
      " real_server 10.1.0.1 80 { }\n real_server 10.1.0.2 80 { }\n}\n"
      "virtual_server_group G {\n  10.0.0.250-252 80\n"
      "  10.0.1.1-10.0.1.2 8080\n  fwmark 7\n  fwmark 8 inet\n}\n"
      "virtual_server group G6 {\n lb_algo mh\n mh-port\n protocol TCP\n"
      " real_server 2001:db8::1 443 { }\n real_server 2001:db8::2 443 { }\n}\n"
      "virtual_server_group G6 {\n  [2001:db8::a]-c 443\n  fwmark 9\n  fwmark 10 inet6\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  std::vector<std::string> keys;
  for (const Service& s : p.cfg.services) {
    keys.push_back(s.key.ToString() + (s.key.fwmark_family == Family::kV6 ? "/6" : ""));
    EXPECT_EQ(s.scheduler, "mh");
    EXPECT_EQ(s.flags, kSchedFlag2);
    EXPECT_EQ(s.dests.size(), 2u);
  }
  std::vector<std::string> want = {"-t 10.0.0.250:80",
                                   "-t 10.0.0.251:80",
                                   "-t 10.0.0.252:80",
                                   "-t 10.0.1.1:8080",
                                   "-t 10.0.1.2:8080",
                                   "-f 7",
                                   "-f 8",
                                   "-t [2001:db8::a]:443",
                                   "-t [2001:db8::b]:443",
                                   "-t [2001:db8::c]:443",
                                   "-f 9/6",
                                   "-f 10/6"};
  EXPECT_EQ(keys, want);
}

TEST(Keepalived, ErrorsNameFileAndLine) {
  Parsed p = Text("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.1.0.1 80 {\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err, "k.conf:3: block not closed at the end of the configuration");
  p = Text("}\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err, "k.conf:1: extra '}'");
  p = Text(
      "virtual_server 10.0.0.1 80 {\n persistence_granularity 255.0.255.0\n"
      " real_server 10.1.0.1 80 { }\n}\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err.rfind("k.conf:2: persistence_granularity 255.0.255.0", 0), 0u) << p.err;
  // Found by fuzz/ipvsadm_list_fuzz.cc in listings: no rules say -M 0.0.0.0.
  p = Text(
      "virtual_server 10.0.0.1 80 {\n persistence_granularity 0.0.0.0\n"
      " real_server 10.1.0.1 80 { }\n}\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err.rfind("k.conf:2: persistence_granularity 0.0.0.0 has no bits", 0), 0u) << p.err;
  // Found by fuzz/keepalived_fuzz.cc: it became the service 0.0.0.0:0.
  p = Text(
      "virtual_server_group G {\n 10.0.0.1 80\n fwmark 0\n}\n"
      "virtual_server group G {\n real_server 10.1.0.1 80 { }\n}\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err, "k.conf:3: virtual_server_group fwmark 0: the kernel has no such service");
  p = Text("$RS=10.1.0.1 \\\n  10.1.0.2\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err.rfind("k.conf:1: multi-line definitions", 0), 0u) << p.err;
  // Elsewhere a trailing '\\' is a word, as in keepalived: here the port.
  p = Text("virtual_server 10.0.0.1 \\\n80 {\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_TRUE(p.cfg.services.empty());
  EXPECT_TRUE(p.Warned("k.conf:1: virtual_server without a block"));
  p = Text("virtual_server 10.0.0.1 80 {\n real_server 10.1.0.1 80 {\n weight 70000\n }\n}\n");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err.rfind("k.conf:3: weight 70000 above 65535", 0), 0u) << p.err;
  Parsed missing;
  EXPECT_FALSE(ParseKeepalivedConfig("/nonexistent/keepalived.conf", KeepalivedOptions(),
                                     &missing.cfg, &missing.warnings, &missing.err));
  EXPECT_EQ(missing.err, "/nonexistent/keepalived.conf: cannot open");
}

// A checker failure: -d, or weight 0 for inhibit_on_failure; the sorry
// server only when no weight is left. The timeline it prints parses.
TEST(Keepalived, CheckersDownTimeline) {
  Parsed p = Text(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo mh\n"
      " sorry_server 10.1.0.9 80\n"
      " real_server 10.1.0.1 80 { weight 2\n inhibit_on_failure }\n"
      " real_server 10.1.0.2 80 { weight 3\n uthreshold 7 }\n}\n"
      "virtual_server 10.0.0.2 80 {\n protocol TCP\n lb_kind DR\n"
      " real_server 10.1.0.2 80 { }\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  std::vector<Endpoint> unknown;
  EXPECT_EQ(KeepalivedCheckersDown(p.cfg, {Ep("10.1.0.1:80")}, 5, &unknown),
            "5 -e -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0\n");
  // Times in the fixed notation a timeline reads (not "1e-05").
  EXPECT_EQ(KeepalivedCheckersDown(p.cfg, {Ep("10.1.0.1:80")}, 1e-5, &unknown),
            "0.00001 -e -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0\n");
  EXPECT_EQ(KeepalivedCheckersDown(p.cfg, {Ep("10.1.0.1:80")}, 1796150000.25, &unknown),
            "1796150000.25 -e -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0\n");
  EXPECT_EQ(KeepalivedCheckersDown(p.cfg, {Ep("10.1.0.2:80"), Ep("10.1.0.1:80")}, 7, &unknown),
            "7 -e -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0\n"
            "7 -d -t 10.0.0.1:80 -r 10.1.0.2:80\n"
            "7 -a -t 10.0.0.1:80 -r 10.1.0.9:80 -m -w 1\n"
            "7 -d -t 10.0.0.2:80 -r 10.1.0.2:80\n");
  EXPECT_TRUE(unknown.empty());
  std::vector<TimelineEvent> tl;
  std::string err;
  EXPECT_TRUE(ParseTimelineText(
      KeepalivedCheckersDown(p.cfg, {Ep("10.1.0.2:80"), Ep("10.1.0.1:80")}, 7, &unknown), "tl", &tl,
      &err))
      << err;
  EXPECT_EQ(tl.size(), 4u);
  KeepalivedCheckersDown(p.cfg, {Ep("10.9.9.9:80")}, 0, &unknown);
  ASSERT_EQ(unknown.size(), 1u);
}

// A sorry server of another family than the virtual server (not
// tunnelled) is skipped with keepalived's warning, so the checker timelines
// never add it (found by fuzz/keepalived_fuzz.cc: the timeline failed to
// parse). One that is tunnelled is kept; on a fwmark virtual server whose
// real servers are all tunnelled, it sets the family.
TEST(Keepalived, SorryServerOfAnotherFamily) {
  Parsed p = Text(
      "virtual_server 2001:db8::1 53 {\n protocol UDP\n"
      " real_server 2001:db8::10 53 { }\n"
      " sorry_server 10.1.0.9 53\n sorry_server_inhibit\n}\n"
      "virtual_server 2001:db8::2 53 {\n protocol UDP\n lb_kind TUN\n"
      " real_server 2001:db8::10 53 { }\n"
      " sorry_server 10.1.0.9 53\n}\n"
      "virtual_server fwmark 5 {\n lb_kind TUN\n"
      " real_server 2001:db8::10 0 { }\n"
      " sorry_server 10.1.0.9 0\n sorry_server_lvs_method NAT\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  ASSERT_EQ(p.cfg.services.size(), 3u);
  const Service& s = p.cfg.services[0];
  EXPECT_FALSE(s.has_sorry_server);
  EXPECT_FALSE(s.sorry_inhibit);
  ASSERT_EQ(s.dests.size(), 1u);
  EXPECT_TRUE(
      p.Warned("k.conf:4: keepalived: Address family of virtual server and sorry server "
               "10.1.0.9 don't match - skipping sorry server"));
  EXPECT_TRUE(p.cfg.services[1].has_sorry_server);
  EXPECT_TRUE(p.cfg.services[2].has_sorry_server);
  EXPECT_EQ(p.cfg.services[2].key.fwmark_family, Family::kV4);
  std::vector<Endpoint> unknown;
  std::string timeline =
      KeepalivedCheckersDown(p.cfg, {Ep("[2001:db8::10]:53"), Ep("[2001:db8::10]:0")}, 5, &unknown);
  EXPECT_TRUE(unknown.empty());
  EXPECT_EQ(timeline.find("-u [2001:db8::1]:53 -r 10.1.0.9"), std::string::npos) << timeline;
  std::vector<TimelineEvent> tl;
  std::string err;
  EXPECT_TRUE(ParseTimelineText(timeline, "tl", &tl, &err)) << err << "\n" << timeline;
}

// link_vsg_to_vs: a group's family must be the virtual server's (its real
// servers, not tunnelled, decide it); one of both families serves only
// tunnelled servers, and with a fwmark without family it is removed. Found
// by fuzz/keepalived_fuzz.cc: IPv6 services of a mixed group used to get
// IPv4 NAT real servers.
TEST(Keepalived, GroupFamilies) {
  Parsed p = Text(
      "virtual_server_group MIXED {\n 10.0.0.1 80\n 2001:db8::1 80\n}\n"
      "virtual_server_group V6 {\n 2001:db8::2 80\n fwmark 5\n}\n"
      "virtual_server_group BAD {\n 10.0.0.3 80\n 2001:db8::3 80\n fwmark 6\n}\n"
      "virtual_server group MIXED {\n protocol TCP\n real_server 10.1.0.1 80 { }\n}\n"
      "virtual_server group MIXED {\n protocol UDP\n lb_kind TUN\n"
      " real_server 10.1.0.1 80 { }\n}\n"
      "virtual_server group V6 {\n protocol TCP\n real_server 10.1.0.1 80 { }\n}\n"
      "virtual_server group V6 {\n protocol UDP\n real_server 2001:db8::10 80 { }\n"
      " real_server 10.1.0.2 80 { }\n}\n"
      "virtual_server group BAD {\n lb_kind TUN\n real_server 10.1.0.1 80 { }\n}\n");
  ASSERT_TRUE(p.ok) << p.err;
  std::vector<std::string> keys;
  for (const Service& s : p.cfg.services)
    keys.push_back(s.key.ToString() + (s.key.fwmark_family == Family::kV6 ? "/6" : ""));
  EXPECT_EQ(keys, (std::vector<std::string>{"-u 10.0.0.1:80", "-u [2001:db8::1]:80",
                                            "-u [2001:db8::2]:80", "-f 5/6"}));
  EXPECT_TRUE(
      p.Warned("k.conf:14: keepalived: MIXED: virtual server group with IPv4 & IPv6 "
               "doesn't match virtual server group MIXED - ignoring"));
  EXPECT_TRUE(
      p.Warned("k.conf:23: keepalived: V6: address family doesn't match virtual server "
               "group V6 - ignoring"));
  EXPECT_TRUE(
      p.Warned("k.conf:30: keepalived: Address family of virtual server and real server "
               "10.1.0.2 don't match - skipping real server"));
  EXPECT_TRUE(
      p.Warned("k.conf:9: keepalived: virtual server group BAD cannot have IPv4, IPv6 and "
               "fwmark without family - removing"));
  for (const Service& s : p.cfg.services) {
    for (const Dest& d : s.dests) {
      if (d.forward == 'i') continue;
      EXPECT_EQ(d.ep.addr.family, s.family()) << s.key.ToString();
    }
  }
}

// Applies the -a/-e/-d lines of @timeline to @cfg as the replay does; false
// (with a message) when one fails, as a duplicate add would.
bool Replay(const std::string& timeline, IpvsConfig* cfg, std::string* err) {
  std::vector<TimelineEvent> tl;
  if (!ParseTimelineText(timeline, "tl", &tl, err)) return false;
  for (const TimelineEvent& ev : tl) {
    int idx = cfg->Find(ev.svc.key);
    if (idx < 0) {
      *err = ev.where + ": no service";
      return false;
    }
    char cmd = ev.kind == TimelineEvent::Kind::kAddDest    ? 'a'
               : ev.kind == TimelineEvent::Kind::kEditDest ? 'e'
                                                           : 'd';
    int at;
    std::string e;
    if (!ApplyDestEdit(&cfg->services[idx], cmd, ev.dest, DestInsert::kHead, &at, &e)) {
      *err = ev.where + ": " + e;
      return false;
    }
  }
  return true;
}

// The weight of @ep in @s, -1 when it is not in the list.
int WeightOf(const Service& s, const Endpoint& ep) {
  int i = s.Find(ep);
  return i < 0 ? -1 : s.dests[i].weight;
}

// What the dest lists must be once exactly the real servers @live of
// @start are up: each live one at its weight, the others out (-1) or at 0
// (inhibit_on_failure), and the sorry server serving (weight 1) exactly
// while no live weight is left, otherwise out or at 0 (sorry_server_inhibit).
void ExpectState(const IpvsConfig& start, const IpvsConfig& now, const std::vector<Endpoint>& live,
                 const std::string& what) {
  ASSERT_EQ(start.services.size(), now.services.size());
  for (size_t i = 0; i < start.services.size(); ++i) {
    const Service& s0 = start.services[i];
    const Service& s = now.services[i];
    std::string ctx = what + " " + s.key.ToString();
    int64_t live_weight = 0;
    for (const Dest& d : s0.dests) {
      if (s0.has_sorry_server && d.ep == s0.sorry_server) continue;
      bool up = std::find(live.begin(), live.end(), d.ep) != live.end();
      if (up) live_weight += d.weight;
      int want = up ? d.weight : d.inhibit_on_failure ? 0 : -1;
      EXPECT_EQ(WeightOf(s, d.ep), want) << ctx << " " << d.ep.ToString();
    }
    if (!s0.has_sorry_server) continue;
    int sorry = WeightOf(s, s0.sorry_server);
    if (live_weight < 1)
      EXPECT_EQ(sorry, 1) << ctx << ": the sorry server serves while every real server is down";
    else
      EXPECT_EQ(sorry, s0.sorry_inhibit ? 0 : -1) << ctx << ": the sorry server is out";
  }
}

const char kSorryConf[] =
    "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo wlc\n"
    " sorry_server 10.1.0.9 80\n"
    " real_server 10.1.0.1 80 { weight 2\n inhibit_on_failure }\n"
    " real_server 10.1.0.2 80 { weight 3\n uthreshold 7 }\n"
    " real_server 10.1.0.3 80 { weight 1 }\n}\n"
    "virtual_server 10.0.0.2 443 {\n protocol TCP\n lb_kind DR\n"
    " sorry_server 10.1.0.8 443\n sorry_server_inhibit\n"
    " real_server 10.1.0.2 443 { inhibit_on_failure }\n"
    " real_server 10.1.0.4 443 { weight 5 }\n}\n"
    "virtual_server 10.0.0.3 53 {\n protocol UDP\n"
    " real_server 10.1.0.1 53 { }\n}\n";

// Every set of servers failing, then every subset of those (and one server
// that never failed) coming back: the replayed lists are what keepalived
// keeps, with the sorry server present exactly while all are down, and
// everything back gives the lists of the start.
TEST(Keepalived, CheckersDownThenUpReplay) {
  Parsed p = Text(kSorryConf);
  ASSERT_TRUE(p.ok) << p.err;
  std::vector<Endpoint> all = {Ep("10.1.0.1:80"),  Ep("10.1.0.2:80"),  Ep("10.1.0.3:80"),
                               Ep("10.1.0.2:443"), Ep("10.1.0.4:443"), Ep("10.1.0.1:53")};
  auto subset = [](const std::vector<Endpoint>& from, unsigned bits) {
    std::vector<Endpoint> out;
    for (size_t i = 0; i < from.size(); ++i)
      if (bits & (1u << i)) out.push_back(from[i]);
    return out;
  };
  std::vector<Endpoint> unknown;
  for (unsigned db = 1; db < (1u << all.size()); ++db) {
    std::vector<Endpoint> down = subset(all, db);
    std::vector<Endpoint> live_after_down = subset(all, ~db & ((1u << all.size()) - 1));
    IpvsConfig cfg = p.cfg;
    std::string err;
    std::string down_tl = KeepalivedCheckersDown(p.cfg, down, 5, &unknown);
    ASSERT_TRUE(Replay(down_tl, &cfg, &err)) << err << "\n" << down_tl;
    std::string ctx = fmt::format("down {:#x}", db);
    ExpectState(p.cfg, cfg, live_after_down, ctx);
    for (unsigned ub = 1; ub < (1u << down.size()); ++ub) {
      std::vector<Endpoint> up = subset(down, ub);
      if (!live_after_down.empty()) up.push_back(live_after_down.front());  // a no-op
      std::vector<Endpoint> live = live_after_down;
      for (const Endpoint& ep : subset(down, ub)) live.push_back(ep);
      IpvsConfig c2 = cfg;
      std::string up_tl = KeepalivedCheckersUp(p.cfg, down, up, 6, &unknown);
      ASSERT_TRUE(Replay(up_tl, &c2, &err)) << err << "\n" << down_tl << up_tl;
      ExpectState(p.cfg, c2, live, fmt::format("{} up {:#x}", ctx, ub));
      if (ub + 1 == (1u << down.size())) {
        // All back: the same dests at the same weights as at the start.
        for (size_t i = 0; i < p.cfg.services.size(); ++i) {
          EXPECT_EQ(c2.services[i].dests.size(), p.cfg.services[i].dests.size()) << ctx;
          for (const Dest& d : p.cfg.services[i].dests)
            EXPECT_EQ(WeightOf(c2.services[i], d.ep), d.weight) << ctx << " " << d.ep.ToString();
        }
      }
    }
  }
  EXPECT_TRUE(unknown.empty());
}

// keepalived's order when the quorum comes back: the recovered server is
// not added on its own; the sorry server goes first, then every live real
// server is added back oldest first (perform_quorum_state), and a second
// server coming back while the quorum is up is just added.
TEST(Keepalived, CheckersUpOrderMatchesKeepalived) {
  Parsed p = Text(kSorryConf);
  ASSERT_TRUE(p.ok) << p.err;
  std::vector<Endpoint> unknown;
  std::vector<Endpoint> down = {Ep("10.1.0.1:80"), Ep("10.1.0.2:80"), Ep("10.1.0.3:80"),
                                Ep("10.1.0.2:443"), Ep("10.1.0.4:443")};
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, down, {Ep("10.1.0.3:80"), Ep("10.1.0.1:80")}, 9, &unknown),
            "9 -d -t 10.0.0.1:80 -r 10.1.0.9:80\n"
            "9 -e -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 2\n"
            "9 -a -t 10.0.0.1:80 -r 10.1.0.3:80 -m -w 1\n");
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, down, {Ep("10.1.0.2:80"), Ep("10.1.0.4:443")}, 9, &unknown),
            "9 -d -t 10.0.0.1:80 -r 10.1.0.9:80\n"
            "9 -a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 3 -x 7\n"
            "9 -e -t 10.0.0.2:443 -r 10.1.0.8:443 -g -w 0\n"
            "9 -a -t 10.0.0.2:443 -r 10.1.0.4:443 -g -w 5\n");
  // Quorum still up (10.1.0.3 alive): a plain add, the sorry server untouched.
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, {Ep("10.1.0.2:80")}, {Ep("10.1.0.2:80")}, 3, &unknown),
            "3 -a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 3 -x 7\n");
  // No sorry server: a plain add even with every server down.
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, {Ep("10.1.0.1:53")}, {Ep("10.1.0.1:53")}, 3, &unknown),
            "3 -a -u 10.0.0.3:53 -r 10.1.0.1:53 -m -w 1\n");
  // Up already: nothing; no such server: unknown.
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, {}, {Ep("10.1.0.1:80")}, 3, &unknown), "");
  EXPECT_TRUE(unknown.empty());
  EXPECT_EQ(KeepalivedCheckersUp(p.cfg, {}, {Ep("10.9.9.9:80")}, 3, &unknown), "");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], Ep("10.9.9.9:80"));
}

TEST(Keepalived, Detection) {
  EXPECT_TRUE(LooksLikeKeepalived("! x\nglobal_defs {\n}\n"));
  EXPECT_TRUE(LooksLikeKeepalived("  virtual_server fwmark 1 {\n}\n"));
  EXPECT_FALSE(LooksLikeKeepalived("-A -t 10.0.0.1:80 -s rr\n"));
  EXPECT_FALSE(LooksLikeKeepalived("TCP  10.0.0.1:80 rr\n"));
}

}  // namespace
}  // namespace ipvs_sim
