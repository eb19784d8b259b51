// SPDX-License-Identifier: GPL-2.0
#include "ipvsadm_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ipvs_sim {
namespace {

Endpoint Ep(const char* text) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(text, &e, true)) << text;
  return e;
}

// Parses @text and returns the error ("" when it parsed).
std::string ParseErr(const std::string& text) {
  IpvsConfig cfg;
  std::string err;
  if (ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) return "";
  return err;
}

TEST(IpvsadmConfig, ParsesSaveOutput) {
  const char* text =
      "# saved by ipvsadm -Sn\n"
      "-A -t 10.0.0.1:80 -s wmh -b flag-2\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.5:80 -m -w 3\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.6:8080 -m -w 0\n"
      "\n"
      "-A -u [2001:db8::1]:53 -s mh -b mh-port,mh-fallback\n"
      "-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g -w 1\n"
      "-A -f 7 -s rr -p 600 -M 255.255.255.0\n"
      "-a -f 7 -r 192.168.2.1:0 -g -w 2 -x 100 -y 50\n";
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) << err;
  ASSERT_EQ(cfg.services.size(), 3u);

  const Service& a = cfg.services[0];
  EXPECT_EQ(a.key.proto, Proto::kTcp);
  EXPECT_EQ(a.key.vip, Ep("10.0.0.1:80"));
  EXPECT_EQ(a.scheduler, "wmh");
  EXPECT_EQ(a.flags, kSchedFlag2);
  ASSERT_EQ(a.dests.size(), 2u);
  // As ipvsadm -R: each -a goes to the head, so the last line is first.
  EXPECT_EQ(a.dests[1].ep, Ep("192.168.1.5:80"));
  EXPECT_EQ(a.dests[1].weight, 3);
  EXPECT_EQ(a.dests[1].forward, 'm');
  EXPECT_EQ(a.dests[0].ep, Ep("192.168.1.6:8080"));
  EXPECT_EQ(a.dests[0].weight, 0);
  EXPECT_EQ(a.dests[0].last_weight, 0);

  const Service& b = cfg.services[1];
  EXPECT_EQ(b.key.proto, Proto::kUdp);
  EXPECT_EQ(b.key.vip.addr.family, Family::kV6);
  EXPECT_EQ(b.flags, kSchedFlag1 | kSchedFlag2);
  EXPECT_EQ(b.dests[0].forward, 'g');

  const Service& c = cfg.services[2];
  EXPECT_EQ(c.key.fwmark, 7u);
  EXPECT_EQ(c.persistence, 600u);
  EXPECT_EQ(c.netmask_bits, 24);
  EXPECT_EQ(c.dests[0].u_threshold, 100u);
  EXPECT_EQ(c.dests[0].l_threshold, 50u);
  EXPECT_EQ(cfg.Find(c.key), 2);
}

TEST(IpvsadmConfig, RoundTrips) {
  const char* text =
      "-A -t 10.0.0.1:80 -s wmh -b flag-1,flag-2,flag-3\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.5:80 -m -w 3\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.4:81 -m -w 65535 -x 10 -y 5\n"
      "-A -u [2001:db8::1]:53 -s mh -b mh-fallback,mh-port -p 300 -M 64\n"
      "-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -i -w 1\n"
      "-A --sctp-service 10.0.0.2:9 -s sh -b sh-port\n"
      "-a --sctp-service 10.0.0.2:9 -r 10.1.0.1:9 -g -w 0\n"
      "-A -f 9 -6 -s wlc -p 60\n"
      "-a -f 9 -6 -r [2001:db8::20]:0 -g -w 4\n"
      "-A -t 10.0.0.3:443 -s rr -p 30 -M 255.255.0.0\n";
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) << err;
  std::string formatted = FormatIpvsadmConfig(cfg);
  EXPECT_EQ(formatted, text);
  IpvsConfig again;
  ASSERT_TRUE(ParseIpvsadmConfigText(formatted, "again", &again, &err)) << err;
  EXPECT_EQ(FormatIpvsadmConfig(again), formatted);
  EXPECT_EQ(again.services[3].key.fwmark_family, Family::kV6);
}

TEST(IpvsadmConfig, LongOptionsAndDefaults) {
  const char* text =
      "ipvsadm --add-service --tcp-service 10.0.0.1:80 --scheduler=mh --sched-flags mh-port "
      "--persistent\n"
      "ipvsadm --add-server --tcp-service 10.0.0.1:80 --real-server 192.168.1.5 "
      "--masquerading --weight 7 --u-threshold 3 --l-threshold 1\n"
      "--add-server --tcp-service 10.0.0.1:80 --real-server 192.168.1.6:9999 --gatewaying\n"
      "-a -t 10.0.0.1:80 -r 192.168.1.7:8080 --ipip --tun-type gue --tun-port 6080 --tun-csum\n";
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) << err;
  const Service& s = cfg.services[0];
  EXPECT_EQ(s.scheduler, "mh");
  EXPECT_EQ(s.flags, kSchedFlag2);
  EXPECT_EQ(s.persistence, 300u);                  // -p without a value
  ASSERT_EQ(s.dests.size(), 3u);                   // newest (last line) first
  EXPECT_EQ(s.dests[2].ep, Ep("192.168.1.5:80"));  // missing port: service port
  EXPECT_EQ(s.dests[2].weight, 7);
  EXPECT_EQ(s.dests[2].u_threshold, 3u);
  EXPECT_EQ(s.dests[1].ep, Ep("192.168.1.6:80"));  // -g cannot change the port
  EXPECT_EQ(s.dests[1].forward, 'g');
  EXPECT_EQ(s.dests[1].weight, 1);  // default weight
  EXPECT_EQ(s.dests[0].ep, Ep("192.168.1.7:80"));
  EXPECT_EQ(s.dests[0].forward, 'i');
}

TEST(IpvsadmConfig, DefaultsOfAddService) {
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.2.0.1\n", "cfg",
                                     &cfg, &err))
      << err;
  EXPECT_EQ(cfg.services[0].scheduler, "wlc");
  EXPECT_EQ(cfg.services[0].flags, 0u);
  EXPECT_EQ(cfg.services[0].dests[0].forward, 'g');
}

TEST(IpvsadmConfig, CommandsApplyInOrder) {
  const char* text =
      "-A -t 10.0.0.1:80 -s rr\n"
      "-a -t 10.0.0.1:80 -r 10.2.0.1:80 -m -w 5\n"
      "-a -t 10.0.0.1:80 -r 10.2.0.2:80 -m -w 2\n"
      "-a -t 10.0.0.1:80 -r 10.2.0.3:80 -m\n"
      "-e -t 10.0.0.1:80 -r 10.2.0.1:80 -m -w 0\n"
      "-d -t 10.0.0.1:80 -r 10.2.0.2:80\n"
      "-E -t 10.0.0.1:80 -s mh -b mh-port\n"
      "-A -t 10.0.0.9:80\n"
      "-D -t 10.0.0.9:80\n";
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) << err;
  ASSERT_EQ(cfg.services.size(), 1u);
  const Service& s = cfg.services[0];
  EXPECT_EQ(s.scheduler, "mh");
  EXPECT_EQ(s.flags, kSchedFlag2);
  ASSERT_EQ(s.dests.size(), 2u);                // -E keeps the dests
  EXPECT_EQ(s.dests[0].ep, Ep("10.2.0.3:80"));  // added last: the head
  EXPECT_EQ(s.dests[1].ep, Ep("10.2.0.1:80"));
  EXPECT_EQ(s.dests[1].weight, 0);
  EXPECT_EQ(s.dests[1].last_weight, 5);  // drained: last weight kept
}

TEST(IpvsadmConfig, ParseCommandForTimeline) {
  char what = 0;
  Service svc;
  Dest dest;
  std::string err;
  ASSERT_TRUE(
      ParseIpvsadmCommand("-e -t 10.0.0.1:80 -r 192.168.1.6:80 -m -w 0", &what, &svc, &dest, &err))
      << err;
  EXPECT_EQ(what, 'e');
  EXPECT_EQ(svc.key.vip, Ep("10.0.0.1:80"));
  EXPECT_EQ(dest.ep, Ep("192.168.1.6:80"));
  EXPECT_EQ(dest.weight, 0);
  ASSERT_TRUE(ParseIpvsadmCommand("-D -u [::1]:53", &what, &svc, &dest, &err)) << err;
  EXPECT_EQ(what, 'D');
  EXPECT_EQ(svc.key.proto, Proto::kUdp);
}

// Real-server ports as ipvsadm's process_options sets them, one rule each.
Dest ParseDest(const std::string& line) {
  char what = 0;
  Service svc;
  Dest dest;
  std::string err;
  EXPECT_TRUE(ParseIpvsadmCommand(line, &what, &svc, &dest, &err)) << line << ": " << err;
  return dest;
}

// "copy vport to dport if not specified": for every command.
TEST(IpvsadmConfig, RealServerWithoutPortTakesTheServicePort) {
  EXPECT_EQ(ParseDest("-a -t 10.0.0.1:80 -r 10.1.0.1 -m").ep, Ep("10.1.0.1:80"));
  EXPECT_EQ(ParseDest("-e -t 10.0.0.1:80 -r 10.1.0.1 -m -w 2").ep, Ep("10.1.0.1:80"));
  EXPECT_EQ(ParseDest("-d -u 10.0.0.1:53 -r 10.1.0.1").ep, Ep("10.1.0.1:53"));
  EXPECT_EQ(ParseDest("-a -f 7 -r 10.1.0.1 -m").ep.port, 0);
}

// -a/-e with -g or -i: the real server's port becomes the virtual port.
TEST(IpvsadmConfig, DirectRoutingAndTunnellingForceTheVirtualPortOnAddAndEdit) {
  for (const char* fwd : {"-g", "-i", ""}) {
    EXPECT_EQ(ParseDest(fmt::format("-a -t 10.0.0.1:80 -r 10.1.0.1:8080 {}", fwd)).ep,
              Ep("10.1.0.1:80"))
        << fwd;
    EXPECT_EQ(ParseDest(fmt::format("-e -t 10.0.0.1:80 -r 10.1.0.1:8080 {} -w 3", fwd)).ep,
              Ep("10.1.0.1:80"))
        << fwd;
  }
  // Masquerading keeps the port it is given.
  EXPECT_EQ(ParseDest("-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m").ep, Ep("10.1.0.1:8080"));
  EXPECT_EQ(ParseDest("-e -t 10.0.0.1:80 -r 10.1.0.1:8080 -m").ep, Ep("10.1.0.1:8080"));
}

// -d never forces the port, though its default forwarding is -g: ipvsadm
// and the kernel delete the server named.
TEST(IpvsadmConfig, DeleteKeepsTheRealServerPort) {
  EXPECT_EQ(ParseDest("-d -u 10.0.0.1:60572 -r 10.1.3.228:47812").ep, Ep("10.1.3.228:47812"));
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(
      ParseIpvsadmConfigText("-A -u 10.0.0.1:60572 -s rr\n"
                             "-a -u 10.0.0.1:60572 -r 10.1.3.228:47812 -m\n"
                             "-a -u 10.0.0.1:60572 -r 10.1.3.229:47812 -m\n"
                             "-d -u 10.0.0.1:60572 -r 10.1.3.228:47812\n",
                             "cfg", &cfg, &err))
      << err;
  ASSERT_EQ(cfg.services[0].dests.size(), 1u);
  EXPECT_EQ(cfg.services[0].dests[0].ep, Ep("10.1.3.229:47812"));
}

// "Don't worry about this if fwmark is used": a fwmark service has no
// virtual port, so -g/-i keep the real server's.
TEST(IpvsadmConfig, FwmarkServicesNeverForceThePort) {
  EXPECT_EQ(ParseDest("-a -f 7 -r 10.1.0.1:8080 -g").ep, Ep("10.1.0.1:8080"));
  EXPECT_EQ(ParseDest("-e -f 7 -r 10.1.0.1:8080 -i -w 2").ep, Ep("10.1.0.1:8080"));
  EXPECT_EQ(ParseDest("-d -f 7 -r 10.1.0.1:8080").ep, Ep("10.1.0.1:8080"));
}

// Only -a/-e check the address family (and -i may cross it); -d looks the
// server up as given.
TEST(IpvsadmConfig, OnlyAddAndEditCheckTheAddressFamily) {
  char what = 0;
  Service svc;
  Dest dest;
  std::string err;
  EXPECT_FALSE(
      ParseIpvsadmCommand("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m", &what, &svc, &dest, &err));
  EXPECT_EQ(err,
            "real server [2001:db8::1]:80 is not of the service's address family (only -i "
            "allows that)");
  EXPECT_EQ(ParseDest("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -i").ep.addr.family, Family::kV6);
  EXPECT_EQ(ParseDest("-d -t 10.0.0.1:80 -r [2001:db8::1]:80").ep.addr.family, Family::kV6);
}

// ipvsadm's command-by-option matrix: each option where it is allowed.
TEST(IpvsadmConfig, OptionsAllowedByCommand) {
  char what = 0;
  Service svc;
  Dest dest;
  std::string err;
  for (const char* ok :
       {"-A -t 10.0.0.1:80 -s rr -o -n", "-E -t 10.0.0.1:80 -p 60 -M 24 --pe sip",
        "-D -t 10.0.0.1:80 -n", "-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-nocsum",
        "-e -t 10.0.0.1:80 -r 10.1.0.1 -m -x 5 -y 2", "-d -t 10.0.0.1:80 -r 10.1.0.1 -n"})
    EXPECT_TRUE(ParseIpvsadmCommand(ok, &what, &svc, &dest, &err)) << ok << ": " << err;
  struct Case {
    const char* line;
    const char* error;
  } bad[] = {
      {"-A -t 10.0.0.1:80 --tun-nocsum", "option --tun-nocsum is not allowed with -A"},
      {"-E -t 10.0.0.1:80 -g", "option -g is not allowed with -E"},
      {"-D -t 10.0.0.1:80 -o", "option -o is not allowed with -D"},
      {"-a -t 10.0.0.1:80 -r 10.1.0.1 --pe sip", "option --pe is not allowed with -a"},
      {"-d -t 10.0.0.1:80 --real-server 10.1.0.1 -y 3", "option -y is not allowed with -d"},
      {"-e -t 10.0.0.1:80", "-e needs a real server (-r)"},
      {"-d -t 10.0.0.1:80 -r 10.1.0.1 -r 10.1.0.2", "option -r given twice"},
  };
  for (const Case& c : bad) {
    EXPECT_FALSE(ParseIpvsadmCommand(c.line, &what, &svc, &dest, &err)) << c.line;
    EXPECT_EQ(err, c.error) << c.line;
  }
}

TEST(IpvsadmConfig, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"-A -t 10.0.0.1:80 -z", "cfg:1: unknown option '-z'"},
      {"\n-A -t 10.0.0.1:80 -s", "cfg:2: option -s needs an argument"},
      {"-A -t 10.0.0.300:80",
       "cfg:1: bad virtual service address '10.0.0.300:80' (numeric IPv4, "
       "or IPv6 in brackets, expected)"},
      {"-A -t www.example.com:80",
       "cfg:1: bad virtual service address 'www.example.com:80' "
       "(numeric IPv4, or IPv6 in brackets, expected)"},
      {"-A -t [2001:db8::1:80",
       "cfg:1: bad virtual service address '[2001:db8::1:80': missing "
       "']'"},
      {"-A -t 10.0.0.1:70000", "cfg:1: virtual service port 70000 out of range 0..65535"},
      {"-A -t 10.0.0.1:http", "cfg:1: bad virtual service port 'http' in '10.0.0.1:http'"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1:99999",
       "cfg:2: real server port 99999 out of range 0..65535"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1 -w 65536",
       "cfg:2: weight 65536 out of range 0..65535"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1 -w -1", "cfg:2: bad weight '-1'"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1 -x 70000",
       "cfg:2: bad upper threshold '70000' (0..65535)"},
      {"-a -t 10.0.0.1:80 -r 10.1.1.1:80",
       "cfg:1: real server for unknown service -t "
       "10.0.0.1:80"},
      {"-A -t 10.0.0.1:80\n# c\n-A -t 10.0.0.1:80", "cfg:3: duplicate service -t 10.0.0.1:80"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1\n-a -t 10.0.0.1:80 -r 10.1.1.1:80",
       "cfg:3: duplicate real server 10.1.1.1:80 in service -t 10.0.0.1:80"},
      {"-A -t 10.0.0.1:80\n-e -t 10.0.0.1:80 -r 10.1.1.1",
       "cfg:2: unknown real server "
       "10.1.1.1:80 in service -t 10.0.0.1:80"},
      {"-E -t 10.0.0.1:80", "cfg:1: edit for unknown service -t 10.0.0.1:80"},
      {"-C", "cfg:1: unknown command -C (only -A -E -D -a -e -d are understood)"},
      {"-t 10.0.0.1:80", "cfg:1: no command (-A, -E, -D, -a, -e or -d)"},
      {"-A -a -t 10.0.0.1:80", "cfg:1: more than one command (-A and -a)"},
      {"-A -s rr", "cfg:1: -A needs a virtual service (-t, -u, --sctp-service or -f)"},
      {"-A -t 10.0.0.1:80 -u 10.0.0.1:53", "cfg:1: more than one virtual service (-u)"},
      {"-A -t 10.0.0.1:80 -s rr -s wlc", "cfg:1: option -s given twice"},
      {"-A -t 10.0.0.1:80 -r 10.1.1.1", "cfg:1: option -r is not allowed with -A"},
      {"-A -t 10.0.0.1:80 -w 3", "cfg:1: option -w is not allowed with -A"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1 -s rr",
       "cfg:2: option -s is not allowed with -a"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80", "cfg:2: -a needs a real server (-r)"},
      {"-A -t 10.0.0.1:80\n-d -t 10.0.0.1:80 -r 10.1.1.1 -w 2",
       "cfg:2: option -w is not allowed with -d"},
      {"-D -t 10.0.0.1:80 -s rr", "cfg:1: option -s is not allowed with -D"},
      {"-A -t 10.0.0.1:80 -m -g", "cfg:1: more than one forwarding method (-g)"},
      {"-A -t 10.0.0.1",
       "cfg:1: zero port in '10.0.0.1' is only valid for a persistent service "
       "(-p)"},
      {"-A -t 10.0.0.1:80 -s rr -b mh-port",
       "cfg:1: scheduler flag 'mh-port' needs -s mh (use flag-1/flag-2 with -s rr)"},
      {"-A -t 10.0.0.1:80 -s sh -b sh-port,bogus",
       "cfg:1: invalid scheduler flag 'bogus' (flag-1, flag-2, flag-3, mh-fallback, mh-port, "
       "sh-fallback, sh-port)"},
      {"-A -t 10.0.0.1:80 -p 0", "cfg:1: invalid timeout value '0'"},
      {"-A -t 10.0.0.1:80 -p 5 -M 255.0.255.0",
       "cfg:1: bad netmask '255.0.255.0': not a "
       "contiguous mask"},
      {"-A -t 10.0.0.1:80 -p 5 -M 200", "cfg:1: bad netmask '200': prefix length must be 1..128"},
      {"-A -t 10.0.0.1:80 -p 5 -M 64", "cfg:1: netmask /64 too long for an IPv4 service"},
      {"-A -f 0", "cfg:1: invalid fwmark value '0' (1..4294967295)"},
      {"-A -t 10.0.0.1:80 -6", "cfg:1: -6 is only for fwmark (-f) services"},
      {"-A -t 10.0.0.1:80 -s averyveryverylongname",
       "cfg:1: bad scheduler name "
       "'averyveryverylongname' (1..15 characters)"},
      {"-A -t 10.0.0.1:80 extra", "cfg:1: unexpected argument 'extra'"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m",
       "cfg:2: real server [2001:db8::1]:80 is not of the service's address family (only -i "
       "allows that)"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseErr(c.text), c.error) << c.text;
}

// ipvsadm -R semantics: every -a goes to the head, so the list is the
// reverse of the file; formatting writes oldest first, so a round trip
// keeps the list, and an ApplyDestEdit at the tail in list order builds it
// too.
TEST(IpvsadmConfig, AddsAtTheHeadAndFormatsOldestFirst) {
  std::string text = "-A -t 10.0.0.1:80 -s mh\n";
  const int kDests = 6;
  for (int i = 1; i <= kDests; ++i)
    text += "-a -t 10.0.0.1:80 -r 10.2.0." + std::to_string(i) + ":80 -m -w 1\n";
  IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmConfigText(text, "cfg", &cfg, &err)) << err;
  const Service& s = cfg.services[0];
  ASSERT_EQ(s.dests.size(), static_cast<size_t>(kDests));
  for (int i = 0; i < kDests; ++i)
    EXPECT_EQ(s.dests[i].ep, Ep(("10.2.0." + std::to_string(kDests - i) + ":80").c_str()));
  EXPECT_EQ(FormatIpvsadmConfig(cfg), text);

  Service tail;
  tail.key = s.key;
  for (const Dest& d : s.dests) {
    int at;
    ASSERT_TRUE(ApplyDestEdit(&tail, 'a', d, DestInsert::kTail, &at, &err)) << err;
    EXPECT_EQ(at, static_cast<int>(tail.dests.size()) - 1);
  }
  for (int i = 0; i < kDests; ++i) EXPECT_EQ(tail.dests[i].ep, s.dests[i].ep);
  int at;
  EXPECT_FALSE(ApplyDestEdit(&tail, 'a', s.dests[2], DestInsert::kHead, &at, &err));
  EXPECT_EQ(tail.dests.size(), static_cast<size_t>(kDests));  // unchanged on failure
  ASSERT_TRUE(ApplyDestEdit(&tail, 'd', s.dests[2], DestInsert::kHead, &at, &err)) << err;
  EXPECT_EQ(at, 2);
  EXPECT_EQ(tail.Find(s.dests[2].ep), -1);
}

TEST(IpvsadmConfig, ReadsFile) {
  std::string path = ::testing::TempDir() + "/ipvsadm_config_test.rules";
  {
    std::ofstream f(path);
    f << "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1\n-X\n";
  }
  IpvsConfig cfg;
  std::string err;
  EXPECT_FALSE(ParseIpvsadmConfig(path, &cfg, &err));
  EXPECT_EQ(err, path + ":3: unknown option '-X'");
  EXPECT_FALSE(ParseIpvsadmConfig(path + ".missing", &cfg, &err));
  EXPECT_EQ(err, path + ".missing: cannot open");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ipvs_sim
