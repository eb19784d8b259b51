// SPDX-License-Identifier: GPL-2.0
#include "vip.h"

#include <gtest/gtest.h>

namespace ipvs_capture {
namespace {

using ipvs_sim::TraceVip;

TEST(ParseVip, ProtocolsAddressesAndPorts) {
  std::vector<TraceVip> v;
  std::string err;
  ASSERT_TRUE(ParseVip("tcp:10.0.0.1:80", &v, &err)) << err;
  ASSERT_TRUE(ParseVip("udp:[fd00::1]:53", &v, &err)) << err;
  ASSERT_TRUE(ParseVip("10.0.0.2", &v, &err)) << err;         // tcp and udp, any port
  ASSERT_TRUE(ParseVip("fd00::2", &v, &err)) << err;          // the same, IPv6
  ASSERT_TRUE(ParseVip("TCP:10.0.0.1:80", &v, &err)) << err;  // a duplicate
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(VipName(v[0]), "tcp 10.0.0.1:80");
  EXPECT_EQ(VipName(v[1]), "udp [fd00::1]:53");
  EXPECT_EQ(VipName(v[2]), "tcp 10.0.0.2:*");
  EXPECT_EQ(VipName(v[3]), "udp 10.0.0.2:*");
  EXPECT_EQ(VipName(v[4]), "tcp [fd00::2]:*");
  EXPECT_EQ(VipName(v[5]), "udp [fd00::2]:*");
  for (const char* bad :
       {"", "tcp:", "icmp:10.0.0.1:80", "10.0.0.1:99999", "fd00::1:80:x", "tcp:host.example:80"}) {
    err.clear();
    EXPECT_FALSE(ParseVip(bad, &v, &err)) << bad;
    EXPECT_NE(err.find(std::string("'") + bad + "'"), std::string::npos) << err;
  }
  EXPECT_EQ(v.size(), 6u);
}

TEST(VipsFromConfig, ServicesInOrderFwmarkWarned) {
  ipvs_sim::IpvsConfig cfg;
  std::string err;
  ASSERT_TRUE(ipvs_sim::ParseIpvsadmConfigText(
      "-A -t 10.0.0.1:80 -s wmh\n-A -u [fd00::1]:53 -s rr\n-A -f 7 -s rr\n"
      "-A -t 10.0.0.1:0 -s rr -p 60\n",
      "cfg", &cfg, &err))
      << err;
  std::vector<TraceVip> v;
  std::vector<std::string> warnings;
  VipsFromConfig(cfg, &v, &warnings);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(VipName(v[0]), "tcp 10.0.0.1:80");
  EXPECT_EQ(VipName(v[1]), "udp [fd00::1]:53");
  EXPECT_EQ(VipName(v[2]), "tcp 10.0.0.1:*");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("fwmark service 7"), std::string::npos) << warnings[0];
}

TEST(VipArg, ParsesBackToTheSameVip) {
  std::vector<TraceVip> v;
  std::string err;
  for (const char* a : {"tcp:10.0.0.1:80", "udp:[fd00::1]:53", "10.0.0.2", "sctp:[fd00::9]"}) {
    ASSERT_TRUE(ParseVip(a, &v, &err)) << err;
  }
  for (const TraceVip& x : v) {
    std::vector<TraceVip> back;
    ASSERT_TRUE(ParseVip(VipArg(x), &back, &err)) << VipArg(x) << ": " << err;
    ASSERT_EQ(back.size(), 1u) << VipArg(x);
    EXPECT_EQ(back[0].proto, x.proto);
    EXPECT_EQ(back[0].ep, x.ep);
  }
}

}  // namespace
}  // namespace ipvs_capture
