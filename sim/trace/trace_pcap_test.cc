// SPDX-License-Identifier: GPL-2.0
#include "trace_pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace ipvs_sim {
namespace {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

Endpoint Ep(const char* s) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(s, &e)) << s;
  return e;
}

void Put16(std::vector<uint8_t>* b, uint16_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}

// IP + transport header (+ payload of zeros) for src -> dst.
std::vector<uint8_t> IpPacket(Proto proto, const Endpoint& src, const Endpoint& dst,
                              uint8_t tcp_flags = 0, size_t payload = 0) {
  std::vector<uint8_t> l4;
  Put16(&l4, src.port);
  Put16(&l4, dst.port);
  if (proto == Proto::kTcp) {
    l4.resize(20, 0);
    l4[12] = 5 << 4;
    l4[13] = tcp_flags;
  } else if (proto == Proto::kUdp) {
    Put16(&l4, static_cast<uint16_t>(8 + payload));
    Put16(&l4, 0);
  } else {
    l4.resize(12, 0);  // SCTP common header
  }
  l4.resize(l4.size() + payload, 0);
  std::vector<uint8_t> ip;
  if (src.addr.family == Family::kV4) {
    ip = {0x45, 0};
    Put16(&ip, static_cast<uint16_t>(20 + l4.size()));
    ip.insert(ip.end(), {0, 0, 0x40, 0, 64, static_cast<uint8_t>(proto), 0, 0});
    ip.insert(ip.end(), src.addr.bytes.begin(), src.addr.bytes.begin() + 4);
    ip.insert(ip.end(), dst.addr.bytes.begin(), dst.addr.bytes.begin() + 4);
  } else {
    ip = {0x60, 0, 0, 0};
    Put16(&ip, static_cast<uint16_t>(l4.size()));
    ip.push_back(static_cast<uint8_t>(proto));
    ip.push_back(64);
    ip.insert(ip.end(), src.addr.bytes.begin(), src.addr.bytes.end());
    ip.insert(ip.end(), dst.addr.bytes.begin(), dst.addr.bytes.end());
  }
  ip.insert(ip.end(), l4.begin(), l4.end());
  return ip;
}

std::vector<uint8_t> Ether(const std::vector<uint8_t>& ip, bool vlan = false) {
  std::vector<uint8_t> f(12, 0x02);
  if (vlan) {
    Put16(&f, 0x8100);
    Put16(&f, 42);
  }
  Put16(&f, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

std::vector<uint8_t> Sll(const std::vector<uint8_t>& ip) {
  std::vector<uint8_t> f(14, 0);
  Put16(&f, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

// Writes frames (time in seconds, bytes) as a pcap file of @linktype.
class PcapWriter {
 public:
  PcapWriter(const std::string& path, int linktype) {
    dead_ = pcap_open_dead(linktype, 65535);
    dumper_ = pcap_dump_open(dead_, path.c_str());
    EXPECT_NE(dumper_, nullptr) << pcap_geterr(dead_);
  }
  ~PcapWriter() { Close(); }
  void Add(double t, const std::vector<uint8_t>& frame) {
    struct pcap_pkthdr h = {};
    h.ts.tv_sec = 1700000000 + static_cast<long>(t);
    h.ts.tv_usec = static_cast<long>((t - static_cast<long>(t)) * 1e6 + 0.5);
    h.caplen = h.len = static_cast<uint32_t>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, frame.data());
  }
  void Close() {
    if (dumper_) pcap_dump_close(dumper_);
    if (dead_) pcap_close(dead_);
    dumper_ = nullptr;
    dead_ = nullptr;
  }

 private:
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
};

std::string TempPath(const char* name) { return ::testing::TempDir() + "/" + name; }

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
