// SPDX-License-Identifier: GPL-2.0
#include "trace_ipvs_conn.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ipvs_sim {
namespace {

// The header and line formats of ip_vs_conn_seq_show() in Linux 6.1.
const char kHeader[] =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
const char kSyncHeader[] =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n";

std::string V4Line(const char* proto, uint32_t caddr, uint16_t cport, uint32_t vaddr,
                   uint16_t vport, uint32_t daddr, uint16_t dport, const char* state,
                   unsigned expires, const char* pe = "") {
  char dbuf[64], line[256];
  snprintf(dbuf, sizeof(dbuf), "%08X", daddr);
  snprintf(line, sizeof(line), "%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s\n", proto, caddr,
           cport, vaddr, vport, dbuf, dport, state, expires, pe);
  return line;
}

std::string V6Line(const char* proto, const char* caddr, uint16_t cport, const char* vaddr,
                   uint16_t vport, const char* dbuf, uint16_t dport, const char* state,
                   unsigned expires) {
  char line[512];
  snprintf(line, sizeof(line), "%-3s %s %04X %s %04X %s %04X %-11s %7u%s\n", proto, caddr, cport,
           vaddr, vport, dbuf, dport, state, expires, "");
  return line;
}

std::string Snapshot() {
  std::string s = kHeader;
  s += V4Line("TCP", 0x0a010203, 40000, 0x0a000001, 80, 0xc0a80105, 80, "ESTABLISHED", 899);
  s += V4Line("UDP", 0x0a010204, 5353, 0x0a000001, 53, 0xc0a80106, 5300, "UDP", 299);
  // %pI6 prints all eight groups with leading zeros.
  s += V6Line("TCP", "2001:0db8:0000:0000:0000:0000:0000:0005", 0x9c40,
              "2001:0db8:0000:0000:0000:0000:0000:0001", 443,
              "2001:0db8:0000:0000:0000:0000:0000:0010", 443, "SYN_RECV", 59);
  // A persistence template (client port 0) and an IPv6 service tunnelled to
  // an IPv4 real server (daf differs, so DestIP is hex).
  s += V4Line("TCP", 0x0a010203, 0, 0x0a000001, 80, 0xc0a80105, 80, "NONE", 359);
  s += V6Line("SCTP", "2001:0db8:0000:0000:0000:0000:0000:0006", 7,
              "2001:0db8:0000:0000:0000:0000:0000:0001", 9, "C0A80107", 9, "ESTABLISHED", 1);
  s += V4Line("UDP", 0x0a010209, 5060, 0x0a000002, 5060, 0xc0a80108, 5060, "UDP", 10,
              " sip 1234@host");
  s += V4Line("IP", 0x0a01020a, 0, 0x0a000003, 0, 0xc0a80109, 0, "NONE", 300);
  return s;
}

TEST(IpvsConn, ParsesKernelFormat) {
  std::vector<IpvsConnEntry> v;
  std::string err;
  ASSERT_TRUE(ParseIpvsConnText(Snapshot(), "conn", &v, &err)) << err;
  ASSERT_EQ(v.size(), 7u);

  EXPECT_EQ(v[0].protocol, "TCP");
  EXPECT_TRUE(v[0].proto_known);
  EXPECT_EQ(v[0].proto, Proto::kTcp);
  EXPECT_EQ(v[0].client.ToString(), "10.1.2.3:40000");
  EXPECT_EQ(v[0].vip.ToString(), "10.0.0.1:80");
  EXPECT_EQ(v[0].dest.ToString(), "192.168.1.5:80");
  EXPECT_EQ(v[0].state, "ESTABLISHED");
  EXPECT_EQ(v[0].expires, 899u);
  EXPECT_FALSE(v[0].is_template());

  EXPECT_EQ(v[1].proto, Proto::kUdp);
  EXPECT_EQ(v[1].dest.ToString(), "192.168.1.6:5300");
  EXPECT_EQ(v[1].state, "UDP");

  EXPECT_EQ(v[2].client.ToString(), "[2001:db8::5]:40000");
  EXPECT_EQ(v[2].vip.ToString(), "[2001:db8::1]:443");
  EXPECT_EQ(v[2].dest.ToString(), "[2001:db8::10]:443");
  EXPECT_EQ(v[2].state, "SYN_RECV");
  EXPECT_EQ(v[2].expires, 59u);

  EXPECT_TRUE(v[3].is_template());
  EXPECT_EQ(v[4].proto, Proto::kSctp);
  EXPECT_EQ(v[4].vip.addr.family, Family::kV6);
  EXPECT_EQ(v[4].dest.ToString(), "192.168.1.7:9");
  EXPECT_EQ(v[5].expires, 10u);  // PE data ignored
  EXPECT_FALSE(v[6].proto_known);
  EXPECT_TRUE(v[6].is_template());
}

TEST(IpvsConn, SyncVariantHasOrigin) {
  char line[256];
  snprintf(line, sizeof(line), "%-3s %08X %04X %08X %04X %s %04X %-11s %-6s %7u\n", "TCP",
           0x0a010203, 1000, 0x0a000001, 80, "C0A80105", 80, "FIN_WAIT", "SYNC", 42);
  std::vector<IpvsConnEntry> v;
  std::string err;
  ASSERT_TRUE(ParseIpvsConnText(std::string(kSyncHeader) + line, "sync", &v, &err)) << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].origin, "SYNC");
  EXPECT_EQ(v[0].state, "FIN_WAIT");
  EXPECT_EQ(v[0].expires, 42u);
}

TEST(IpvsConn, Errors) {
  std::string h = kHeader;
  struct Case {
    std::string text;
    const char* error;
  } cases[] = {
      {"", "c:1: missing header (a /proc/net/ip_vs_conn snapshot starts with \"Pro FromIP ...\")"},
      {"TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED 899\n",
       "c:1: missing header (a /proc/net/ip_vs_conn snapshot starts with \"Pro FromIP ...\")"},
      {h + "TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED\n",
       "c:2: expected 9 fields, got 8"},
      {h + "TCP 0A0102 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED 1\n",
       "c:2: bad client address '0A0102'"},
      {h + "TCP 0A010203 9C40 0A00000G 0050 C0A80105 0050 ESTABLISHED 1\n",
       "c:2: bad virtual address '0A00000G'"},
      {h + "TCP 0A010203 9C40 0A000001 0050 2001:zz::1 0050 ESTABLISHED 1\n",
       "c:2: bad destination address '2001:zz::1'"},
      {h + "TCP 0A010203 9C4000 0A000001 0050 C0A80105 0050 ESTABLISHED 1\n",
       "c:2: bad client port '9C4000' (4 hex digits expected)"},
      {h + "TCP 0A010203 9C40 0A000001 00X0 C0A80105 0050 ESTABLISHED 1\n",
       "c:2: bad virtual port '00X0' (4 hex digits expected)"},
      {h + "TCP 0A010203 9C40 0A000001 0050 C0A80105 -1 ESTABLISHED 1\n",
       "c:2: bad destination port '-1' (4 hex digits expected)"},
      {h + "TCP 0A010203 9C40 ::1 0050 C0A80105 0050 ESTABLISHED 1\n",
       "c:2: client and virtual addresses are of different families"},
      {h + "\nTCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED x1\n",
       "c:3: bad expires 'x1'"},
      {std::string(kSyncHeader) + "TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 NONE 1\n",
       "c:2: expected 10 fields, got 9"},
  };
  for (const Case& c : cases) {
    std::vector<IpvsConnEntry> v;
    std::string err;
    EXPECT_FALSE(ParseIpvsConnText(c.text, "c", &v, &err)) << c.text;
    EXPECT_EQ(err, c.error) << c.text;
  }
}

TEST(IpvsConn, FileAndTraceReader) {
  std::string path = ::testing::TempDir() + "/ip_vs_conn_test";
  {
    std::ofstream f(path);
    f << Snapshot();
  }
  std::vector<IpvsConnEntry> v;
  std::string err;
  ASSERT_TRUE(ParseIpvsConnEntries(path, &v, &err)) << err;
  EXPECT_EQ(v.size(), 7u);

  auto r = OpenIpvsConnTrace(path, &err);
  ASSERT_NE(r, nullptr) << err;
  std::vector<TraceFlow> flows;
  TraceFlow t;
  while (r->Next(&t)) flows.push_back(t);
  EXPECT_EQ(r->error(), "");
  // Templates and the "IP" entry are skipped.
  ASSERT_EQ(flows.size(), 5u);
  EXPECT_EQ(flows[0].start, 0);
  EXPECT_EQ(flows[0].key.client.ToString(), "10.1.2.3:40000");
  EXPECT_EQ(flows[0].key.vip.ToString(), "10.0.0.1:80");
  EXPECT_EQ(flows[0].duration, 899);
  EXPECT_EQ(flows[1].key.proto, Proto::kUdp);
  EXPECT_EQ(flows[2].key.client.addr.family, Family::kV6);
  EXPECT_EQ(flows[3].key.proto, Proto::kSctp);
  EXPECT_EQ(r->position(), r->size());

  {
    std::ofstream f(path);
    f << kHeader << "TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED zz\n";
  }
  r = OpenIpvsConnTrace(path, &err);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->Next(&t));
  EXPECT_EQ(r->error(), path + ":2: bad expires 'zz'");
  std::remove(path.c_str());
  EXPECT_FALSE(ParseIpvsConnEntries(path, &v, &err));
  EXPECT_EQ(err, path + ": cannot open: No such file or directory");
  EXPECT_EQ(OpenIpvsConnTrace(path, &err), nullptr);
}

TEST(IpvsConn, HeaderDetection) {
  EXPECT_TRUE(IsIpvsConnHeader("Pro FromIP   FPrt ToIP"));
  EXPECT_FALSE(IsIpvsConnHeader("0.0 tcp 10.0.0.1:1 10.0.0.2:80"));
}

}  // namespace
}  // namespace ipvs_sim
