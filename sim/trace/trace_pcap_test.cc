// SPDX-License-Identifier: GPL-2.0
#include "trace_pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "pcap_testing.h"

namespace ipvs_sim {
namespace {

using pcap_testing::Ep;
using pcap_testing::Ether;
using pcap_testing::IpPacket;
using pcap_testing::kAck;
using pcap_testing::kFin;
using pcap_testing::kRst;
using pcap_testing::kSyn;
using pcap_testing::PcapWriter;
using pcap_testing::Sll;
using pcap_testing::TempPath;

std::vector<TraceFlow> ReadAll(const std::string& path, const PcapTraceOptions& opts,
                               std::unique_ptr<PcapTraceReader>* keep = nullptr) {
  std::string err;
  auto r = PcapTraceReader::Open(path, opts, &err);
  EXPECT_NE(r, nullptr) << err;
  std::vector<TraceFlow> out;
  if (!r) return out;
  TraceFlow f;
  while (r->Next(&f)) out.push_back(f);
  EXPECT_EQ(r->error(), "");
  if (keep) *keep = std::move(r);
  return out;
}

TEST(PcapTrace, TcpAndUdpFlowsOverEthernet) {
  std::string path = TempPath("pcap_basic.pcap");
  Endpoint c = Ep("10.1.2.3:40000"), v = Ep("10.0.0.1:80");
  Endpoint u = Ep("10.1.2.4:5353"), dns = Ep("10.0.0.1:53");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0.0, Ether(IpPacket(Proto::kTcp, c, v, kSyn)));
    w.Add(0.1, Ether(IpPacket(Proto::kTcp, v, c, kSyn | kAck)));
    w.Add(0.2, Ether(IpPacket(Proto::kTcp, c, v, kAck, 100)));
    w.Add(0.5, Ether(IpPacket(Proto::kUdp, u, dns, 0, 30), true));  // VLAN tagged
    w.Add(1.0, Ether(IpPacket(Proto::kTcp, c, v, kFin | kAck)));
    w.Add(1.5, Ether(IpPacket(Proto::kUdp, dns, u, 0, 70)));
    w.Add(2.0, Ether(IpPacket(Proto::kTcp, v, c, kFin | kAck)));
    std::vector<uint8_t> arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    w.Add(2.5, arp);
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f = ReadAll(path, {}, &r);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].key.proto, Proto::kTcp);
  EXPECT_EQ(f[0].key.client, c);  // the side that sent the first packet
  EXPECT_EQ(f[0].key.vip, v);
  EXPECT_EQ(f[0].start, 0);
  EXPECT_NEAR(f[0].duration, 2.0, 1e-9);
  EXPECT_EQ(f[0].packets, 5u);
  EXPECT_EQ(f[0].bytes, 5 * 40u + 100);
  EXPECT_EQ(f[1].key.proto, Proto::kUdp);
  EXPECT_EQ(f[1].key.client, u);
  EXPECT_NEAR(f[1].start, 0.5, 1e-9);
  EXPECT_NEAR(f[1].duration, 1.0, 1e-9);
  EXPECT_EQ(f[1].packets, 2u);
  EXPECT_EQ(f[1].bytes, 28u + 30 + 28 + 70);
  EXPECT_EQ(r->packets(), 8u);
  EXPECT_EQ(r->skipped(), 1u);  // the ARP frame
  EXPECT_EQ(r->position(), r->size());
  std::remove(path.c_str());
}

TEST(PcapTrace, IdleTimeoutSplitsAndOrderIsByStart) {
  std::string path = TempPath("pcap_idle.pcap");
  Endpoint v = Ep("10.0.0.1:53");
  Endpoint longc = Ep("10.1.0.1:1000"), shortc = Ep("10.1.0.2:1000"), idle = Ep("10.1.0.3:1000");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0, Ether(IpPacket(Proto::kUdp, longc, v)));
    w.Add(1, Ether(IpPacket(Proto::kUdp, shortc, v)));
    w.Add(2, Ether(IpPacket(Proto::kUdp, idle, v)));
    for (int t = 30; t <= 150; t += 30) {
      w.Add(t, Ether(IpPacket(Proto::kUdp, longc, v)));
      if (t == 60) w.Add(70, Ether(IpPacket(Proto::kUdp, idle, v)));  // 68 s idle: a new flow
    }
    w.Add(200, Ether(IpPacket(Proto::kUdp, shortc, v)));
  }
  std::vector<TraceFlow> f = ReadAll(path, {});
  ASSERT_EQ(f.size(), 5u);
  for (size_t i = 1; i < f.size(); ++i) EXPECT_LE(f[i - 1].start, f[i].start);
  EXPECT_EQ(f[0].key.client, longc);
  EXPECT_NEAR(f[0].duration, 150, 1e-9);
  EXPECT_EQ(f[0].packets, 6u);
  EXPECT_EQ(f[1].key.client, shortc);
  EXPECT_EQ(f[1].duration, 0);
  EXPECT_EQ(f[2].key.client, idle);
  EXPECT_EQ(f[3].key.client, idle);
  EXPECT_NEAR(f[3].start, 70, 1e-9);
  EXPECT_EQ(f[4].key.client, shortc);
  EXPECT_NEAR(f[4].start, 200, 1e-9);

  // A shorter idle timeout splits the long flow as well.
  PcapTraceOptions o;
  o.idle_timeout = 20;
  EXPECT_EQ(ReadAll(path, o).size(), 10u);
  std::remove(path.c_str());
}

TEST(PcapTrace, ClosedTcpTupleReusedBySyn) {
  std::string path = TempPath("pcap_reuse.pcap");
  Endpoint c = Ep("10.1.2.3:40000"), v = Ep("10.0.0.1:80");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0.0, Ether(IpPacket(Proto::kTcp, c, v, kSyn)));
    w.Add(0.1, Ether(IpPacket(Proto::kTcp, v, c, kRst)));
    w.Add(0.2, Ether(IpPacket(Proto::kTcp, c, v, kSyn)));  // new connection, same tuple
    w.Add(0.3, Ether(IpPacket(Proto::kTcp, v, c, kSyn | kAck)));
    w.Add(0.4, Ether(IpPacket(Proto::kTcp, c, v, kFin | kAck)));
    w.Add(0.5, Ether(IpPacket(Proto::kTcp, v, c, kFin | kAck)));
    // Closed and idle longer than close_timeout: this is a new flow.
    w.Add(5.0, Ether(IpPacket(Proto::kTcp, v, c, kAck)));
  }
  std::vector<TraceFlow> f = ReadAll(path, {});
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].packets, 2u);
  EXPECT_NEAR(f[1].start, 0.2, 1e-9);
  EXPECT_EQ(f[1].packets, 4u);
  EXPECT_EQ(f[2].key.client, v);  // first packet seen decides the client
  std::remove(path.c_str());
}

TEST(PcapTrace, RawIpv6AndLinuxCookedSctp) {
  std::string raw = TempPath("pcap_raw.pcap"), sll = TempPath("pcap_sll.pcap");
  Endpoint c6 = Ep("[2001:db8::5]:5353"), v6 = Ep("[2001:db8::1]:53");
  {
    PcapWriter w(raw, DLT_RAW);
    w.Add(0, IpPacket(Proto::kUdp, c6, v6, 0, 12));
    w.Add(0.25, IpPacket(Proto::kUdp, v6, c6, 0, 100));
  }
  std::vector<TraceFlow> f = ReadAll(raw, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key.proto, Proto::kUdp);
  EXPECT_EQ(f[0].key.client, c6);
  EXPECT_EQ(f[0].key.vip, v6);
  EXPECT_EQ(f[0].bytes, 40u + 8 + 12 + 40 + 8 + 100);

  Endpoint c = Ep("10.1.2.3:7"), v = Ep("10.0.0.1:9");
  {
    PcapWriter w(sll, DLT_LINUX_SLL);
    w.Add(0, Sll(IpPacket(Proto::kSctp, c, v)));
    w.Add(1, Sll(IpPacket(Proto::kSctp, v, c)));
    w.Add(2, Sll(IpPacket(Proto::kSctp, c6, v6)));
  }
  f = ReadAll(sll, {});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].key.proto, Proto::kSctp);
  EXPECT_EQ(f[0].key.client, c);
  EXPECT_EQ(f[0].packets, 2u);
  EXPECT_EQ(f[1].key.client.addr.family, Family::kV6);
  std::remove(raw.c_str());
  std::remove(sll.c_str());
}

TEST(PcapTrace, FragmentsIcmpAndTruncatedPacketsAreSkipped) {
  std::string path = TempPath("pcap_skip.pcap");
  Endpoint c = Ep("10.1.2.3:7"), v = Ep("10.0.0.1:9");
  {
    PcapWriter w(path, DLT_RAW);
    std::vector<uint8_t> frag = IpPacket(Proto::kUdp, c, v);
    frag[6] = 0x00;
    frag[7] = 0x10;  // fragment offset 16
    w.Add(0, frag);
    std::vector<uint8_t> icmp = IpPacket(Proto::kUdp, c, v);
    icmp[9] = 1;
    w.Add(0, icmp);
    std::vector<uint8_t> cut = IpPacket(Proto::kTcp, c, v);
    cut.resize(22);
    w.Add(0, cut);
    w.Add(1, IpPacket(Proto::kUdp, c, v));
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f = ReadAll(path, {}, &r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].start, 1);  // relative to the first packet, even a skipped one
  EXPECT_EQ(r->skipped(), 3u);
  std::remove(path.c_str());
}

TEST(PcapTrace, PendingLimitTruncatesTheOldestLiveFlow) {
  std::string path = TempPath("pcap_pending.pcap");
  Endpoint v = Ep("10.0.0.1:53"), longc = Ep("10.1.0.1:1000");
  {
    PcapWriter w(path, DLT_RAW);
    w.Add(0, IpPacket(Proto::kUdp, longc, v));
    for (int i = 0; i < 10; ++i) {
      Endpoint c = Ep("10.2.0.1:1000");
      c.port = static_cast<uint16_t>(2000 + i);
      w.Add(1 + i, IpPacket(Proto::kUdp, c, v));
      w.Add(1 + i, IpPacket(Proto::kUdp, longc, v));
    }
  }
  PcapTraceOptions o;
  o.idle_timeout = 1.5;  // the long flow stays live, short ones end
  o.max_pending = 3;
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f = ReadAll(path, o, &r);
  EXPECT_GE(r->truncated(), 1u);
  for (size_t i = 1; i < f.size(); ++i) EXPECT_LE(f[i - 1].start, f[i].start);
  uint64_t total = 0;
  for (const TraceFlow& t : f) total += t.packets;
  EXPECT_EQ(total, 21u);  // nothing lost, only split
  std::remove(path.c_str());
}

TEST(PcapTrace, BackwardTimestampsAreClamped) {
  std::string path = TempPath("pcap_back.pcap");
  {
    PcapWriter w(path, DLT_RAW);
    w.Add(5, IpPacket(Proto::kUdp, Ep("10.1.0.1:1"), Ep("10.0.0.1:53")));
    w.Add(4, IpPacket(Proto::kUdp, Ep("10.1.0.2:1"), Ep("10.0.0.1:53")));
  }
  std::vector<TraceFlow> f = ReadAll(path, {});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].start, 0);
  EXPECT_EQ(f[1].start, 0);
  std::remove(path.c_str());
}

TEST(PcapTrace, OpenErrors) {
  std::string err;
  std::string missing = TempPath("pcap_missing.pcap");
  EXPECT_EQ(PcapTraceReader::Open(missing, {}, &err), nullptr);
  EXPECT_EQ(err.rfind(missing + ": ", 0), 0u) << err;

  std::string wifi = TempPath("pcap_wifi.pcap");
  { PcapWriter w(wifi, DLT_IEEE802_11); }
  EXPECT_EQ(PcapTraceReader::Open(wifi, {}, &err), nullptr);
  EXPECT_EQ(err, wifi +
                     ": unsupported link type IEEE802_11 (105); Ethernet, raw IP or Linux "
                     "cooked captures are read");
  std::remove(wifi.c_str());

  std::string junk = TempPath("pcap_junk.pcap");
  {
    std::ofstream f(junk);
    f << "not a capture at all";
  }
  EXPECT_EQ(PcapTraceReader::Open(junk, {}, &err), nullptr);
  EXPECT_EQ(err.rfind(junk + ": ", 0), 0u) << err;
  std::remove(junk.c_str());
}

void Put32Le(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}

// A minimal little-endian pcapng: section header, one raw-IP interface and
// one enhanced packet block per packet (microsecond timestamps).
std::string Pcapng(const std::vector<std::pair<double, std::vector<uint8_t>>>& packets) {
  std::string s;
  Put32Le(&s, 0x0a0d0d0a);
  Put32Le(&s, 28);
  Put32Le(&s, 0x1a2b3c4d);
  Put32Le(&s, 1);  // version 1.0
  Put32Le(&s, 0xffffffff);
  Put32Le(&s, 0xffffffff);  // section length unknown
  Put32Le(&s, 28);
  Put32Le(&s, 1);  // interface description block
  Put32Le(&s, 20);
  Put32Le(&s, 101);  // LINKTYPE_RAW, reserved 0
  Put32Le(&s, 65535);
  Put32Le(&s, 20);
  for (const auto& [t, data] : packets) {
    uint32_t padded = static_cast<uint32_t>((data.size() + 3) & ~size_t{3});
    uint64_t us = static_cast<uint64_t>(t * 1e6 + 0.5);
    Put32Le(&s, 6);
    Put32Le(&s, 32 + padded);
    Put32Le(&s, 0);
    Put32Le(&s, static_cast<uint32_t>(us >> 32));
    Put32Le(&s, static_cast<uint32_t>(us));
    Put32Le(&s, static_cast<uint32_t>(data.size()));
    Put32Le(&s, static_cast<uint32_t>(data.size()));
    s.append(reinterpret_cast<const char*>(data.data()), data.size());
    s.append(padded - data.size(), '\0');
    Put32Le(&s, 32 + padded);
  }
  return s;
}

// ipvs-capture's options: flows to the VIPs only, TCP from a SYN.
PcapTraceOptions CaptureOptions(std::vector<TraceVip> vips) {
  PcapTraceOptions o;
  o.vips = std::move(vips);
  o.syn_starts_tcp = true;
  o.idle_timeout = 900;
  o.udp_idle_timeout = 300;
  o.close_timeout = 10;
  return o;
}

TEST(VipFilter, NamesEveryVipBothWays) {
  EXPECT_EQ(VipFilter({}), "");
  std::string f = VipFilter({{Proto::kTcp, Ep("10.0.0.1:80")},
                             {Proto::kUdp, Ep("[fd00::1]:53")},
                             {Proto::kSctp, Endpoint{Ep("10.0.0.2:1").addr, 0}}});
  EXPECT_EQ(f,
            "(tcp and dst host 10.0.0.1 and dst port 80) or (tcp and src host 10.0.0.1 and src "
            "port 80) or (udp and dst host fd00::1 and dst port 53) or (udp and src host fd00::1 "
            "and src port 53) or (sctp and dst host 10.0.0.2) or (sctp and src host 10.0.0.2)");
  // libpcap compiles it.
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  struct bpf_program prog;
  EXPECT_EQ(pcap_compile(dead, &prog, f.c_str(), 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
  pcap_freecode(&prog);
  pcap_close(dead);
}

// Traffic to the VIPs and around them: only the VIPs' flows are kept, each
// from its SYN or first datagram, the client always the side that sent to
// the VIP; everything else is counted by reason.
TEST(PcapCapture, OnlyVipFlowsFromSynOrFirstPacket) {
  std::string path = TempPath("capture_vips.pcap");
  Endpoint web = Ep("10.0.0.1:80"), dns = Ep("10.0.0.1:53"), other = Ep("10.0.0.9:80");
  Endpoint c1 = Ep("10.99.0.1:40000"), c2 = Ep("10.99.0.2:40001"), c3 = Ep("10.99.0.3:5000");
  Endpoint old = Ep("10.99.0.4:40002");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0.0, Ether(IpPacket(Proto::kTcp, old, web, kAck, 10)));    // opened before: no SYN
    w.Add(0.1, Ether(IpPacket(Proto::kTcp, web, old, kAck, 10)));    // its reply
    w.Add(0.2, Ether(IpPacket(Proto::kTcp, c1, web, kSyn)));         // flow 1
    w.Add(0.3, Ether(IpPacket(Proto::kTcp, web, c1, kSyn | kAck)));  // reply: same flow
    w.Add(0.4, Ether(IpPacket(Proto::kUdp, dns, c3, 0, 20)));        // reply first: not a flow
    w.Add(0.5, Ether(IpPacket(Proto::kUdp, c3, dns, 0, 20)));        // flow 2
    w.Add(0.6, Ether(IpPacket(Proto::kTcp, c2, other, kSyn)));       // not a VIP
    w.Add(0.7, Ether(IpPacket(Proto::kUdp, c2, web, 0, 5)));         // udp to a tcp VIP
    w.Add(0.8, Ether(IpPacket(Proto::kTcp, c2, dns, kSyn)));         // tcp to a udp VIP
    std::vector<uint8_t> arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    w.Add(0.9, arp);
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f =
      ReadAll(path, CaptureOptions({{Proto::kTcp, web}, {Proto::kUdp, dns}}), &r);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].key, (FlowKey{Proto::kTcp, c1, web}));
  EXPECT_NEAR(f[0].start, 0.2, 1e-6);
  EXPECT_EQ(f[0].packets, 2u);
  EXPECT_EQ(f[1].key, (FlowKey{Proto::kUdp, c3, dns}));
  EXPECT_NEAR(f[1].start, 0.5, 1e-6);
  EXPECT_EQ(f[1].packets, 1u);
  EXPECT_EQ(r->packets(), 10u);
  EXPECT_EQ(r->no_syn(), 1u);   // old's ACK to the VIP
  EXPECT_EQ(r->not_vip(), 6u);  // old's reply, dns's reply, other, udp->web, tcp->dns, ARP
  EXPECT_EQ(r->skipped(), 0u);  // the filter rejected the ARP frame first

  // Without the options every tuple is a flow, as for ipvs-sim's traces.
  EXPECT_EQ(ReadAll(path, {}).size(), 6u);
  std::remove(path.c_str());
}

// The filter looks behind one VLAN tag (the parser behind any number).
TEST(PcapCapture, VlanTaggedFramesPassTheFilter) {
  std::string path = TempPath("capture_vlan.pcap");
  Endpoint web = Ep("10.0.0.1:80"), c = Ep("10.99.0.1:40000"), d = Ep("10.99.0.2:40001");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0, Ether(IpPacket(Proto::kTcp, c, web, kSyn), true));
    w.Add(1, Ether(IpPacket(Proto::kTcp, d, Ep("10.0.0.2:80"), kSyn), true));  // no VIP
    w.Add(2, Ether(IpPacket(Proto::kTcp, web, c, kSyn | kAck), true));
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f = ReadAll(path, CaptureOptions({{Proto::kTcp, web}}), &r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key, (FlowKey{Proto::kTcp, c, web}));
  EXPECT_EQ(f[0].packets, 2u);
  EXPECT_EQ(r->not_vip(), 1u);
  std::remove(path.c_str());
}

TEST(PcapCapture, DurationsFromFinRstAndIdleTimeouts) {
  std::string path = TempPath("capture_close.pcap");
  Endpoint web = Ep("10.0.0.1:80"), dns = Ep("10.0.0.1:53");
  Endpoint fin = Ep("10.99.0.1:40000"), rst = Ep("10.99.0.2:40001");
  Endpoint idle = Ep("10.99.0.3:40002"), u = Ep("10.99.0.4:5353");
  {
    PcapWriter w(path, DLT_EN10MB);
    w.Add(0.0, Ether(IpPacket(Proto::kTcp, fin, web, kSyn)));
    w.Add(0.5, Ether(IpPacket(Proto::kTcp, rst, web, kSyn)));
    w.Add(1.0, Ether(IpPacket(Proto::kTcp, idle, web, kSyn)));
    w.Add(1.5, Ether(IpPacket(Proto::kUdp, u, dns)));
    w.Add(2.0, Ether(IpPacket(Proto::kTcp, fin, web, kFin | kAck)));
    w.Add(2.5, Ether(IpPacket(Proto::kTcp, web, fin, kFin | kAck)));
    w.Add(3.0, Ether(IpPacket(Proto::kTcp, web, rst, kRst)));
    // After the close timeout a packet of a closed tuple is no new flow
    // unless it is a SYN: the FIN'ed one reconnects, the RST one does not.
    w.Add(20.0, Ether(IpPacket(Proto::kTcp, rst, web, kAck)));
    w.Add(21.0, Ether(IpPacket(Proto::kTcp, fin, web, kSyn)));
    // UDP idles out after 300 s, TCP only after 900 s.
    w.Add(400.0, Ether(IpPacket(Proto::kUdp, u, dns)));
    w.Add(400.0, Ether(IpPacket(Proto::kTcp, idle, web, kAck)));
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f =
      ReadAll(path, CaptureOptions({{Proto::kTcp, web}, {Proto::kUdp, dns}}), &r);
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].key.client, fin);
  EXPECT_NEAR(f[0].duration, 2.5, 1e-6);  // to the server's FIN
  EXPECT_EQ(f[1].key.client, rst);
  EXPECT_NEAR(f[1].duration, 2.5, 1e-6);  // to the RST at 3.0
  EXPECT_EQ(f[2].key.client, idle);
  EXPECT_NEAR(f[2].duration, 399.0, 1e-6);  // 399 s idle < 900 s: one flow
  EXPECT_EQ(f[3].key.client, u);
  EXPECT_NEAR(f[3].duration, 0, 1e-6);
  EXPECT_EQ(f[4].key.client, fin);  // the new SYN
  EXPECT_NEAR(f[4].start, 21.0, 1e-6);
  EXPECT_EQ(f[5].key.client, u);  // 398.5 s idle > 300 s: a new flow
  EXPECT_NEAR(f[5].start, 400.0, 1e-6);
  EXPECT_EQ(r->no_syn(), 1u);  // the RST tuple's late ACK

  // --idle-timeout 100 for both: the TCP flow splits too.
  PcapTraceOptions o = CaptureOptions({{Proto::kTcp, web}, {Proto::kUdp, dns}});
  o.idle_timeout = o.udp_idle_timeout = 100;
  f = ReadAll(path, o, &r);
  EXPECT_EQ(f.size(), 6u);  // idle's ACK at 400 is no SYN: ignored
  EXPECT_EQ(r->no_syn(), 2u);
  std::remove(path.c_str());
}

TEST(PcapCapture, Ipv6VipsOverLinuxCooked) {
  std::string path = TempPath("capture_v6.pcap");
  Endpoint vip = Ep("[fd00::1]:80"), near = Ep("[fd00::2]:80");
  Endpoint c = Ep("[fd00:99::1]:40000"), d = Ep("[fd00:99::2]:40001");
  {
    PcapWriter w(path, DLT_LINUX_SLL);
    w.Add(0, Sll(IpPacket(Proto::kTcp, c, vip, kSyn)));
    w.Add(1, Sll(IpPacket(Proto::kTcp, d, near, kSyn)));
    w.Add(2, Sll(IpPacket(Proto::kUdp, d, vip)));  // any port, tcp and udp below
  }
  std::unique_ptr<PcapTraceReader> r;
  std::vector<TraceFlow> f = ReadAll(path, CaptureOptions({{Proto::kTcp, vip}}), &r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key, (FlowKey{Proto::kTcp, c, vip}));
  EXPECT_EQ(r->not_vip(), 2u);
  Endpoint any = vip;
  any.port = 0;
  f = ReadAll(path, CaptureOptions({{Proto::kTcp, any}, {Proto::kUdp, any}}), &r);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].key, (FlowKey{Proto::kUdp, d, vip}));
  std::remove(path.c_str());
}

TEST(PcapCapture, TruncatedCaptureNamesTheFile) {
  std::string path = TempPath("capture_truncated.pcap");
  Endpoint vip = Ep("10.0.0.1:80");
  {
    PcapWriter w(path, DLT_EN10MB);
    for (int i = 0; i < 3; ++i) {
      Endpoint c = Ep("10.99.0.1:40000");
      c.port = static_cast<uint16_t>(40000 + i);
      w.Add(i, Ether(IpPacket(Proto::kTcp, c, vip, kSyn)));
    }
  }
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data.substr(0, data.size() - 10);  // the last packet cut short
  }
  std::string err;
  auto r = PcapTraceReader::Open(path, CaptureOptions({{Proto::kTcp, vip}}), &err);
  ASSERT_NE(r, nullptr) << err;
  TraceFlow f;
  int n = 0;
  while (r->Next(&f)) ++n;
  EXPECT_EQ(r->error().rfind(path + ": packet 3: ", 0), 0u) << r->error();
  EXPECT_LE(n, 2);
  std::remove(path.c_str());
}

TEST(PcapCapture, LiveOnAMissingInterfaceSaysWhich) {
  std::string err;
  EXPECT_EQ(PcapTraceReader::OpenLive("no-such-if0", {}, &err), nullptr);
  EXPECT_EQ(err.rfind("no-such-if0: cannot capture: ", 0), 0u) << err;
}

TEST(OpenTrace, DetectsEveryFormat) {
  Endpoint c = Ep("10.1.2.3:40000"), v = Ep("10.0.0.1:80");
  std::string pcap = TempPath("open_trace.pcap"), ng = TempPath("open_trace.pcapng");
  std::string text = TempPath("open_trace.txt"), conn = TempPath("open_trace.conn");
  {
    PcapWriter w(pcap, DLT_EN10MB);
    w.Add(0, Ether(IpPacket(Proto::kTcp, c, v, kSyn)));
    w.Add(70, Ether(IpPacket(Proto::kTcp, c, v, kAck)));
  }
  {
    std::ofstream f(ng, std::ios::binary);
    f << Pcapng({{0, IpPacket(Proto::kUdp, c, v)}, {1, IpPacket(Proto::kUdp, v, c)}});
  }
  {
    std::ofstream f(text);
    f << "0.5 udp 10.1.2.3:1 10.0.0.1:53\n";
  }
  {
    std::ofstream f(conn);
    f << "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
         "TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899\n";
  }
  auto read = [](const std::string& path, const PcapTraceOptions& o) {
    std::string err;
    std::unique_ptr<TraceReader> r = OpenTrace(path, o, &err);
    std::vector<TraceFlow> out;
    EXPECT_NE(r, nullptr) << err;
    if (!r) return out;
    TraceFlow f;
    while (r->Next(&f)) out.push_back(f);
    EXPECT_EQ(r->error(), "") << path;
    return out;
  };
  EXPECT_EQ(read(pcap, {}).size(), 2u);  // 70 s idle > 60 s default
  PcapTraceOptions longer;
  longer.idle_timeout = 100;
  EXPECT_EQ(read(pcap, longer).size(), 1u);
  std::vector<TraceFlow> f = read(ng, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key.proto, Proto::kUdp);
  EXPECT_EQ(f[0].packets, 2u);
  f = read(text, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].start, 0.5);
  f = read(conn, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].duration, 899);

  std::string err;
  std::unique_ptr<TraceReader> r = OpenTrace(text, &err);  // the two-argument form
  ASSERT_NE(r, nullptr) << err;
  for (const std::string& p : {pcap, ng, text, conn}) std::remove(p.c_str());
  EXPECT_EQ(OpenTrace(text, &err), nullptr);
  EXPECT_EQ(err, text + ": cannot open: No such file or directory");
}

}  // namespace
}  // namespace ipvs_sim
