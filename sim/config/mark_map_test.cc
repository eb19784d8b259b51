// SPDX-License-Identifier: GPL-2.0
#include "mark_map.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ipvs_sim {
namespace {

FlowKey Key(Proto proto, const char* vip) {
  FlowKey k;
  k.proto = proto;
  EXPECT_TRUE(Endpoint::Parse("192.168.9.9:40000", &k.client));
  EXPECT_TRUE(Endpoint::Parse(vip, &k.vip)) << vip;
  return k;
}

MarkMap Parsed(const char* text) {
  MarkMap m;
  std::string err;
  EXPECT_TRUE(m.Parse(text, "marks", &err)) << err;
  return m;
}

const char* kExample =
    "# MARK PROTO DEST[:PORTS]\n"
    "7 tcp 10.0.0.1:80,443\n"
    "7 udp 10.0.0.1:53\n"
    "8 tcp [2001:db8::1]:8000-8100\n"
    "9 any 10.0.1.0/24\n"
    "0x10 tcp 10.0.2.1        # all ports\n";

TEST(MarkMap, TheDocumentedExample) {
  MarkMap m = Parsed(kExample);
  EXPECT_EQ(m.size(), 5u);
  EXPECT_FALSE(m.empty());
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:80")), 7u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:443")), 7u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:8080")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.0.0.1:53")), 7u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:53")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.0.0.1:80")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8::1]:8000")), 8u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8::1]:8050")), 8u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8::1]:8100")), 8u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8::1]:8101")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8::1]:7999")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "[2001:db8::1]:8000")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.1.0:1")), 9u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.0.1.255:2")), 9u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kSctp, "10.0.1.77:3")), 9u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.2.0:1")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.2.1:1")), 16u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.2.1:65535")), 16u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.0.2.1:1")), 0u);
}

TEST(MarkMap, LastMatchingRuleWins) {
  MarkMap m = Parsed(
      "1 any 10.0.0.0/8\n"
      "2 tcp 10.1.0.0/16\n"
      "3 tcp 10.1.2.3:80\n"
      "4 udp 10.1.2.3:80\n");  // does not match tcp: 3 stays
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.1.2.3:80")), 3u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.1.2.3:80")), 4u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.1.2.3:81")), 2u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.1.2.3:81")), 1u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "11.0.0.1:80")), 0u);
  // A broad rule after a narrow one overrides it, as with iptables MARK.
  MarkMap n = Parsed(
      "3 tcp 10.1.2.3:80\n"
      "1 any 10.0.0.0/8\n");
  EXPECT_EQ(n.MarkOf(Key(Proto::kTcp, "10.1.2.3:80")), 1u);
}

TEST(MarkMap, PrefixesOfBothFamilies) {
  MarkMap m = Parsed(
      "5 any 2001:db8::/32\n"
      "6 any [2001:db8:1::/48]:443\n"
      "7 any 0.0.0.0/0\n"
      "9 tcp 10.2.3.4/24\n");  // host bits ignored
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8:ffff::1]:1")), 5u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8:1::5]:443")), 6u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db8:1::5]:444")), 5u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "[2001:db9::1]:1")), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "1.2.3.4:5")), 7u);  // v4 /0 is no v6 rule
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.2.3.200:5")), 9u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.2.3.200:5")), 7u);
  // An IPv4 address never matches an IPv6 rule with the same bytes.
  MarkMap z = Parsed("1 any ::/8\n");
  EXPECT_EQ(z.MarkOf(Key(Proto::kTcp, "0.1.2.3:1")), 0u);
  EXPECT_EQ(z.MarkOf(Key(Proto::kTcp, "[::1]:1")), 1u);
}

TEST(MarkMap, PortListsAndRanges) {
  MarkMap m = Parsed("0xffffffff sctp 10.0.0.1:1,5-7,65535,0\n");
  for (int p : {0, 1, 5, 6, 7, 65535}) {
    std::string vip = "10.0.0.1:" + std::to_string(p);
    EXPECT_EQ(m.MarkOf(Key(Proto::kSctp, vip.c_str())), 0xffffffffu) << p;
  }
  for (int p : {2, 4, 8, 65534}) {
    std::string vip = "10.0.0.1:" + std::to_string(p);
    EXPECT_EQ(m.MarkOf(Key(Proto::kSctp, vip.c_str())), 0u) << p;
  }
}

TEST(MarkMap, EmptyMapMarksNothing) {
  MarkMap m = Parsed("# nothing\n\n   \n");
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:80")), 0u);
}

TEST(MarkMap, ErrorsNameFileAndLineAndKeepTheOldRules) {
  struct Case {
    const char* line;
    const char* want;
  } cases[] = {
      {"0 tcp 10.0.0.1", "mark 0"},
      {"0x0 tcp 10.0.0.1", "mark 0"},
      {"4294967296 tcp 10.0.0.1", "bad mark"},
      {"0x100000000 tcp 10.0.0.1", "bad mark"},
      {"-1 tcp 10.0.0.1", "bad mark"},
      {"7/0xff tcp 10.0.0.1", "bad mark"},
      {"seven tcp 10.0.0.1", "bad mark"},
      {"7 icmp 10.0.0.1", "bad protocol"},
      {"7 tcp 10.0.0.1:http", "bad port"},
      {"7 tcp 10.0.0.1:65536", "bad port"},
      {"7 tcp 10.0.0.1:80,", "bad port"},
      {"7 tcp 10.0.0.1:80,,81", "bad port"},
      {"7 tcp 10.0.0.1:-80", "bad port"},
      {"7 tcp 10.0.0.1:90-80", "reversed"},
      {"7 tcp 10.0.0.1:", "missing ports"},
      {"7 tcp 10.0.0.300", "bad address"},
      {"7 tcp 10.0.0.1/33", "bad prefix length"},
      {"7 tcp 2001:db8::/129", "bad prefix length"},
      {"7 tcp [2001:db8::1", "missing ']'"},
      {"7 tcp [2001:db8::1]80", "expected ':PORTS'"},
      {"7 tcp [10.0.0.1]:80", "brackets"},
      {"7 tcp ::/0:80", "bad prefix length"},  // a bare IPv6 takes no ports
      {"7 tcp", "expected MARK PROTO DEST"},
      {"garbage", "expected MARK PROTO DEST"},
      {"7 tcp 10.0.0.1 80", "unexpected '80'"},
  };
  for (const Case& c : cases) {
    MarkMap m = Parsed("1 any 10.0.0.0/8\n");
    std::string text = std::string("# header\n2 tcp 10.0.0.1\n") + c.line + "\n";
    std::string err;
    EXPECT_FALSE(m.Parse(text, "rules.txt", &err)) << c.line;
    EXPECT_EQ(err.rfind("rules.txt:3: ", 0), 0u) << c.line << ": " << err;
    EXPECT_NE(err.find(c.want), std::string::npos) << c.line << ": " << err;
    EXPECT_EQ(m.size(), 1u) << c.line;
    EXPECT_EQ(m.MarkOf(Key(Proto::kTcp, "10.0.0.1:80")), 1u) << c.line;
  }
}

TEST(MarkMap, LoadsAFile) {
  std::string path = ::testing::TempDir() + "/mark_map_test.txt";
  {
    std::ofstream out(path);
    out << "7 tcp 10.0.0.1:80\r\n0x8 udp 10.0.0.1:53";
  }
  MarkMap m;
  std::string err;
  ASSERT_TRUE(m.Load(path, &err)) << err;
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.MarkOf(Key(Proto::kUdp, "10.0.0.1:53")), 8u);
  std::remove(path.c_str());
  EXPECT_FALSE(m.Load(path, &err));
  EXPECT_EQ(err, path + ": cannot open");
  EXPECT_EQ(m.size(), 2u);
}

}  // namespace
}  // namespace ipvs_sim
