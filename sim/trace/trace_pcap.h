// SPDX-License-Identifier: GPL-2.0
// Flows from packet captures (libpcap: pcap, and pcapng as far as libpcap
// reads it). Link types: Ethernet (with 802.1Q/802.1ad tags), raw IP, Linux
// cooked (SLL and SLL2). TCP, UDP and SCTP over IPv4 and IPv6.
//
// A flow is one 5-tuple, either direction. The client is the side that sent
// the first packet seen, the VIP its destination. A flow ends when
//  - it has been idle for idle_timeout seconds, or
//  - it is TCP, has seen an RST or a FIN from each side, and has been idle
//    for close_timeout seconds (or a new SYN reuses the tuple), or
//  - the capture ends.
// packets counts both directions; bytes counts IP bytes (IPv4 total length,
// IPv6 payload length + 40) in both directions.
//
// Ordering and memory: flows are emitted in start order. Flows are kept in a
// queue in the order they started (= packet order); the head is emitted once
// it has ended, so a finished flow waits only behind older flows still live.
// Memory is bounded by the live flows plus the finished flows queued behind
// the oldest live one. If that queue exceeds max_pending entries, its head is
// emitted early with the duration and counts seen so far (counted in
// truncated(); later packets of that tuple then start a new flow).
// Capture timestamps that go backwards are clamped to the latest seen, so
// starts never decrease. Start times are relative to the first packet.
#ifndef IPVS_SCHED_SIM_TRACE_PCAP_H_
#define IPVS_SCHED_SIM_TRACE_PCAP_H_

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "trace.h"

struct pcap;

namespace ipvs_sim {

struct PcapTraceOptions {
  double idle_timeout = 60;  // seconds without packets that end a flow
  double close_timeout = 2;  // idle seconds that end a closed TCP flow
  size_t max_pending = 1 << 22;
};

class PcapTraceReader : public TraceReader {
 public:
  // nullptr and *err ("file: why") if the file cannot be opened by libpcap
  // or has an unsupported link type.
  static std::unique_ptr<PcapTraceReader> Open(const std::string& path,
                                               const PcapTraceOptions& opts, std::string* err);
  ~PcapTraceReader() override;
  PcapTraceReader(const PcapTraceReader&) = delete;
  PcapTraceReader& operator=(const PcapTraceReader&) = delete;

  bool Next(TraceFlow* flow) override;
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return position_; }
  uint64_t size() const override { return size_; }

  // Statistics so far.
  uint64_t packets() const { return packets_; }  // all packets read
  uint64_t skipped() const { return skipped_; }  // not TCP/UDP/SCTP over IP, or truncated
  uint64_t truncated() const { return truncated_; }

 private:
  struct Live {
    uint64_t seq;  // index into pending_ + base_
    std::list<FlowKey>::iterator lru;
    bool in_closed_lru = false;
    bool fin_client = false, fin_server = false, rst = false;
    double last = 0;
  };
  struct Pending {
    TraceFlow flow;
    bool done = false;
  };

  PcapTraceReader(pcap* p, std::string name, uint64_t size, int linktype,
                  const PcapTraceOptions& opts);
  // Reads one packet into the flow table; false at the end or on error.
  bool ReadPacket();
  void HandlePacket(double ts, const uint8_t* data, uint32_t caplen);
  void Finish(std::unordered_map<FlowKey, Live, FlowKeyHash>::iterator it);
  void ExpireIdle(double now);

  pcap* pcap_;
  std::string name_;
  uint64_t size_;
  int linktype_;
  PcapTraceOptions opts_;
  std::unordered_map<FlowKey, Live, FlowKeyHash> live_;
  std::list<FlowKey> open_lru_, closed_lru_;  // least recently seen first
  std::deque<Pending> pending_;
  uint64_t base_ = 0;  // seq of pending_.front()
  bool have_first_ = false;
  int64_t first_sec_ = 0, first_usec_ = 0;
  double now_ = 0;
  bool eof_ = false;
  uint64_t position_ = 0;
  uint64_t packets_ = 0, skipped_ = 0, truncated_ = 0;
  std::string error_;
};

// OpenTrace() (trace.h) with the options used when @path is a capture.
std::unique_ptr<TraceReader> OpenTrace(const std::string& path, const PcapTraceOptions& pcap_opts,
                                       std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_PCAP_H_
