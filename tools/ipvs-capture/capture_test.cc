// SPDX-License-Identifier: GPL-2.0
#include "capture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "pcap_testing.h"
#include "trace_text.h"

namespace ipvs_capture {
namespace {

using ipvs_sim::Endpoint;
using ipvs_sim::FlowKey;
using ipvs_sim::Proto;
using ipvs_sim::TraceFlow;
using ipvs_sim::TraceVip;
using ipvs_sim::pcap_testing::Ep;
using ipvs_sim::pcap_testing::Ether;
using ipvs_sim::pcap_testing::IpPacket;
using ipvs_sim::pcap_testing::kAck;
using ipvs_sim::pcap_testing::kFin;
using ipvs_sim::pcap_testing::kSyn;
using ipvs_sim::pcap_testing::PcapWriter;
using ipvs_sim::pcap_testing::TempPath;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The capture loop writes exactly the reader's flows, in the text format
// that reads back to the same keys, and counts what it ignored.
TEST(RunCapture, WritesTheTraceAndCounts) {
  std::string pcap = TempPath("run_capture.pcap"), trace = TempPath("run_capture.trace");
  Endpoint web = Ep("10.0.0.1:80"), dns = Ep("[fd00::1]:53");
  std::vector<FlowKey> sent;
  {
    PcapWriter w(pcap, DLT_EN10MB);
    for (int i = 0; i < 50; ++i) {
      Endpoint c = Ep("10.99.0.1:10000");
      c.addr.bytes[3] = static_cast<uint8_t>(i);
      c.port = static_cast<uint16_t>(10000 + i);
      Endpoint c6 = Ep("[fd00:99::1]:20000");
      c6.addr.bytes[15] = static_cast<uint8_t>(i);
      w.Add(i * 0.01, Ether(IpPacket(Proto::kTcp, c, web, kSyn)));
      w.Add(i * 0.01 + 0.001, Ether(IpPacket(Proto::kUdp, c6, dns, 0, 8)));
      w.Add(i * 0.01 + 0.002, Ether(IpPacket(Proto::kTcp, c, Ep("10.0.0.2:80"), kSyn)));
      w.Add(i * 0.01 + 0.003, Ether(IpPacket(Proto::kTcp, c, Ep("10.0.0.1:81"), kAck | kFin)));
      sent.push_back(FlowKey{Proto::kTcp, c, web});
      sent.push_back(FlowKey{Proto::kUdp, c6, dns});
    }
  }
  ipvs_sim::PcapTraceOptions o;
  o.vips = {{Proto::kTcp, web}, {Proto::kUdp, dns}};
  o.syn_starts_tcp = true;
  std::string err;
  auto reader = ipvs_sim::PcapTraceReader::Open(pcap, o, &err);
  ASSERT_NE(reader, nullptr) << err;
  FILE* out = std::fopen(trace.c_str(), "w");
  ASSERT_NE(out, nullptr);
  CaptureStats stats;
  int calls = 0;
  ASSERT_TRUE(RunCapture(
      reader.get(), out, [&](const CaptureStats&) { ++calls; }, &stats, &err))
      << err;
  std::fclose(out);
  EXPECT_EQ(stats.flows, 100u);
  EXPECT_EQ(calls, 100);
  EXPECT_EQ(stats.packets, 200u);
  EXPECT_EQ(stats.not_vip, 100u);
  EXPECT_EQ(stats.ignored(), 100u);
  EXPECT_EQ(FormatStats(stats),
            "ipvs-capture: 100 flows, 200 packets, 100 ignored (100 not to a VIP, 0 TCP without "
            "SYN, 0 not TCP/UDP/SCTP)");

  auto back = ipvs_sim::TextTraceFromString(Slurp(trace), trace);
  TraceFlow f;
  std::vector<FlowKey> got;
  double last = -1;
  while (back->Next(&f)) {
    got.push_back(f.key);
    EXPECT_GE(f.start, last);
    last = f.start;
  }
  EXPECT_EQ(back->error(), "");
  EXPECT_EQ(got, sent);

  // A write error is reported, not swallowed.
  FILE* full = std::fopen("/dev/full", "w");
  if (full) {
    std::setvbuf(full, nullptr, _IONBF, 0);
    reader = ipvs_sim::PcapTraceReader::Open(pcap, o, &err);
    ASSERT_NE(reader, nullptr);
    CaptureStats s2;
    EXPECT_FALSE(RunCapture(reader.get(), full, nullptr, &s2, &err));
    EXPECT_NE(err.find("writing the trace"), std::string::npos) << err;
    std::fclose(full);
  }
  std::remove(pcap.c_str());
  std::remove(trace.c_str());
}

TEST(ConnSampler, FormatCountsEntries) {
  std::string out;
  ConnSampler::Format(1.5, 1700000000.25, "Pro FromIP\nTCP A\nUDP B\n", &out);
  EXPECT_EQ(out, "sample 1.500 1700000000.250 2\nPro FromIP\nTCP A\nUDP B\nend\n");
  out.clear();
  ConnSampler::Format(0, 0, "Pro FromIP\nTCP A",
                      &out);  // no final newline
  EXPECT_EQ(out, "sample 0.000 0.000 1\nPro FromIP\nTCP A\nend\n");
}

// Samples a file that changes while it runs: every sample is framed, in
// time order, with the file's content of the moment.
TEST(ConnSampler, SamplesAFileEveryInterval) {
  std::string src = TempPath("sampler_conn.txt"), dst = TempPath("sampler_out.txt");
  auto put = [&](int entries) {
    std::ofstream f(src, std::ios::trunc);
    f << "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
    for (int i = 0; i < entries; ++i) f << "UDP 0A630001 " << 1000 + i << " x\n";
  };
  put(1);
  FILE* out = std::fopen(dst.c_str(), "w");
  ASSERT_NE(out, nullptr);
  ConnSampler s(src, 0.05, out);
  s.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  put(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  std::string err;
  ASSERT_TRUE(s.Stop(&err)) << err;
  std::fclose(out);
  EXPECT_GE(s.samples(), 3);
  std::istringstream in(Slurp(dst));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "# ipvs-capture ip_vs_conn samples 1");
  int samples = 0;
  double last = -1;
  int first_entries = -1, last_entries = -1;
  while (std::getline(in, line)) {
    ASSERT_EQ(line.rfind("sample ", 0), 0u) << line;
    double secs, unix_time;
    int entries;
    ASSERT_EQ(std::sscanf(line.c_str(), "sample %lf %lf %d", &secs, &unix_time, &entries), 3);
    EXPECT_GE(secs, last);
    last = secs;
    int lines = 0;
    while (std::getline(in, line) && line != "end") ++lines;
    EXPECT_EQ(line, "end");
    EXPECT_EQ(lines, entries + 1);
    if (first_entries < 0) first_entries = entries;
    last_entries = entries;
    ++samples;
  }
  EXPECT_EQ(samples, s.samples());
  EXPECT_EQ(first_entries, 1);
  EXPECT_EQ(last_entries, 3);

  // A file that cannot be read is an error Stop() reports.
  FILE* out2 = std::fopen(dst.c_str(), "w");
  ConnSampler bad(TempPath("no-such-ip_vs_conn"), 0.05, out2);
  bad.Start();
  EXPECT_FALSE(bad.Stop(&err));
  EXPECT_NE(err.find("no-such-ip_vs_conn: "), std::string::npos) << err;
  std::fclose(out2);
  std::remove(src.c_str());
  std::remove(dst.c_str());
}

}  // namespace
}  // namespace ipvs_capture
