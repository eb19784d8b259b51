// SPDX-License-Identifier: GPL-2.0
// Small captures written by tests through libpcap's dump API: IP packets
// with TCP, UDP or SCTP headers, framed as Ethernet or Linux cooked, and a
// writer of pcap files. Header-only, for sim_tests and ipvs_capture_tests.
#ifndef IPVS_SCHED_SIM_TESTING_PCAP_TESTING_H_
#define IPVS_SCHED_SIM_TESTING_PCAP_TESTING_H_

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "net.h"

namespace ipvs_sim {
namespace pcap_testing {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

inline Endpoint Ep(const char* s) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(s, &e)) << s;
  return e;
}

inline void Put16(std::vector<uint8_t>* b, uint16_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}

// IP + transport header (+ payload of zeros) for src -> dst.
inline std::vector<uint8_t> IpPacket(Proto proto, const Endpoint& src, const Endpoint& dst,
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

inline std::vector<uint8_t> Ether(const std::vector<uint8_t>& ip, bool vlan = false) {
  std::vector<uint8_t> f(12, 0x02);
  if (vlan) {
    Put16(&f, 0x8100);
    Put16(&f, 42);
  }
  Put16(&f, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

inline std::vector<uint8_t> Sll(const std::vector<uint8_t>& ip) {
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

inline std::string TempPath(const char* name) { return ::testing::TempDir() + "/" + name; }

}  // namespace pcap_testing
}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TESTING_PCAP_TESTING_H_
