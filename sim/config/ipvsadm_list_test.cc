// SPDX-License-Identifier: GPL-2.0
#include "ipvsadm_list.h"

#include <gtest/gtest.h>

namespace ipvs_sim {
namespace {

Endpoint Ep(const char* text) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(text, &e, true)) << text;
  return e;
}

// The formats ipvsadm 1.31 prints (captured in a 6.1 guest).
const char kListing[] =
    "IP Virtual Server version 1.2.1 (size=4096)\n"
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
    "TCP  10.186.181.200:443 mh (mh-fallback,mh-port)\n"
    "  -> 10.186.181.203:443           Route   1      0          0\n"
    "  -> 10.186.181.202:443           Route   3      2          7\n"
    "UDP  [fd00::53]:53 sh (sh-port)\n"
    "  -> [fd00::10]:53                Masq    2      0          0\n"
    "TCP  192.168.1.100:80 rr persistent 600 mask 255.255.255.0\n"
    "  -> 192.168.1.5:8080             Tunnel  0      0          0\n"
    "FWM  7 wrr\n"
    "  -> 10.0.0.9:0                   Local   1      0          0\n"
    "FWM  9 IPv6 wlc (flag-1,flag-3) persistent 300 mask 64 ops pe sip\n"
    "SCTP 10.0.0.5:9 rr\n";

TEST(IpvsadmList, ReadsEveryServiceForm) {
  IpvsConfig cfg;
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmList(kListing, "ln", false, &cfg, &warnings, &err)) << err;
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(cfg.services.size(), 6u);
  const Service& mh = cfg.services[0];
  EXPECT_EQ(mh.key.ToString(), "-t 10.186.181.200:443");
  EXPECT_EQ(mh.scheduler, "mh");
  EXPECT_EQ(mh.flags, kSchedFlag1 | kSchedFlag2);
  ASSERT_EQ(mh.dests.size(), 2u);
  // --nosort order is list order, head first: kept as it is.
  EXPECT_EQ(mh.dests[0].ep, Ep("10.186.181.203:443"));
  EXPECT_EQ(mh.dests[1].ep, Ep("10.186.181.202:443"));
  EXPECT_EQ(mh.dests[1].weight, 3);
  EXPECT_EQ(mh.dests[1].last_weight, 3);
  EXPECT_EQ(mh.dests[1].active_conns, 0u);  // runtime counters are not configuration
  EXPECT_EQ(mh.dests[0].forward, 'g');
  const Service& sh = cfg.services[1];
  EXPECT_EQ(sh.key.proto, Proto::kUdp);
  EXPECT_EQ(sh.key.vip, Ep("[fd00::53]:53"));
  EXPECT_EQ(sh.flags, kSchedFlag2);
  EXPECT_EQ(sh.dests[0].forward, 'm');
  const Service& rr = cfg.services[2];
  EXPECT_EQ(rr.persistence, 600u);
  EXPECT_EQ(rr.netmask_bits, 24);
  EXPECT_EQ(rr.dests[0].forward, 'i');
  EXPECT_EQ(rr.dests[0].weight, 0);
  EXPECT_EQ(cfg.services[3].key.fwmark, 7u);
  EXPECT_EQ(cfg.services[3].dests[0].forward, 'g');  // Local
  const Service& f6 = cfg.services[4];
  EXPECT_EQ(f6.key.fwmark, 9u);
  EXPECT_EQ(f6.key.fwmark_family, Family::kV6);
  EXPECT_EQ(f6.flags, kSchedFlag1 | kSchedFlag3);
  EXPECT_EQ(f6.persistence, 300u);
  EXPECT_EQ(f6.netmask_bits, 64);
  EXPECT_EQ(cfg.services[5].key.proto, Proto::kSctp);
}

// Without --nosort the order is lost: every mh and sh service with more than
// one real server is named.
TEST(IpvsadmList, SortedListingWarnsForOrderDependentServices) {
  IpvsConfig cfg;
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(ParseIpvsadmList(kListing, "ln", true, &cfg, &warnings, &err)) << err;
  ASSERT_EQ(warnings.size(), 1u);  // the sh service has one real server
  EXPECT_NE(warnings[0].find("-t 10.186.181.200:443 (mh)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("list-nosort"), std::string::npos);
}

TEST(IpvsadmList, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"  -> 10.0.0.1:80 Masq 1 0 0\n", "ln:1: real server before any service"},
      {"TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Bridge 1 0 0\n",
       "ln:2: unknown forwarding method 'Bridge' (Masq, Route, Tunnel, Local)"},
      {"TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Masq x 0 0\n", "ln:2: bad weight 'x'"},
      {"TCP  www.example.com:http rr\n",
       "ln:1: bad virtual service address 'www.example.com:http' (numeric, from ipvsadm -n)"},
      {"Prot LocalAddress:Port                 Uthreshold Lthreshold ActiveConn InActConn\n",
       "ln:1: a listing with 'Uthreshold' columns has no weights: give plain ipvsadm -Ln (or "
       "-Ln --nosort) output"},
      {"TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Masq 1 0 0\n  -> 10.0.0.2:80 Masq 1 0 0\n",
       "ln:3: duplicate real server 10.0.0.2:80 in service -t 10.0.0.1:80"},
      {"TCP  10.0.0.1:80 rr bogus\n", "ln:1: unexpected word 'bogus' in the service line"},
      // Found by fuzz/ipvsadm_list_fuzz.cc: it used to be read, and the rules
      // it formats to are refused.
      {"TCP  10.0.0.1:80 rr\n  -> [2001:db8::2]:80 Tunnel 1 0 0\n  -> [2001:db8::1]:80 Masq 1 0 "
       "0\n",
       "ln:3: real server [2001:db8::1]:80 is not of the service's address family (only Tunnel "
       "allows that)"},
      // Also found by the fuzzer: what ipvsadm -R would not take back.
      {"TCP  10.0.0.1:80 averyveryverylongname\n",
       "ln:1: bad scheduler name 'averyveryverylongname' (1..15 letters, digits or '_')"},
      {"FWM  7 wlc persistent 60 mask 0\n", "ln:1: mask 0 has no bits: not modelled"},
      {"TCP  10.0.0.1:80 #h\n", "ln:1: bad scheduler name '#h' (1..15 letters, digits or '_')"},
      {"TCP  10.0.0.1:80 rr persistent 0\n",
       "ln:1: bad timeout '0' (1..2147483647 seconds, as ipvsadm -p)"},
      {"TCP  10.0.0.1:80 rr persistent 2147483648\n",
       "ln:1: bad timeout '2147483648' (1..2147483647 seconds, as ipvsadm -p)"},
      {"TCP  10.0.0.1:0 rr\n",
       "ln:1: zero port in '10.0.0.1:0' is only valid for a persistent service"},
  };
  for (const Case& c : cases) {
    IpvsConfig cfg;
    std::vector<std::string> warnings;
    std::string err;
    EXPECT_FALSE(ParseIpvsadmList(c.text, "ln", false, &cfg, &warnings, &err)) << c.text;
    EXPECT_EQ(err, c.error);
  }
}

TEST(IpvsadmList, Detection) {
  EXPECT_TRUE(LooksLikeIpvsadmList(kListing));
  EXPECT_TRUE(LooksLikeIpvsadmList("\nTCP  10.0.0.1:80 rr\n"));
  EXPECT_FALSE(LooksLikeIpvsadmList("-A -t 10.0.0.1:80 -s rr\n"));
  EXPECT_FALSE(LooksLikeIpvsadmList("# TCP  x\n-A -t 10.0.0.1:80\n"));
}

}  // namespace
}  // namespace ipvs_sim
