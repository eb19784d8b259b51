// SPDX-License-Identifier: GPL-2.0
// Flows from packet captures (libpcap: pcap, and pcapng as far as libpcap
// reads it). Link types: Ethernet (with 802.1Q/802.1ad tags), raw IP, Linux
// cooked (SLL and SLL2). TCP, UDP and SCTP over IPv4 and IPv6.
//
// A flow is one 5-tuple, either direction. The client is the side that sent
// the first packet seen, the VIP its destination. A flow ends when
//  - it has been idle for idle_timeout seconds (udp_idle_timeout for UDP), or
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
//
// Captures of a director (ipvs-capture) narrow this down with options:
//  - vips: only packets to or from these services count. The reader sets a
//    BPF filter (VipFilter(), on Ethernet also behind one VLAN tag) on the
//    capture: in the kernel for a live interface, per packet for a file,
//    where the packets it rejects are
//    counted in not_vip(). A flow starts only with a packet to a VIP, so the
//    VIP side is never taken for the client; a packet from a VIP that
//    belongs to no flow is counted in not_vip() too.
//  - syn_starts_tcp: a TCP flow starts only with a SYN (without ACK); other
//    TCP packets of no known flow (connections opened before the capture)
//    are counted in no_syn().
#ifndef IPVS_SCHED_SIM_TRACE_PCAP_H_
#define IPVS_SCHED_SIM_TRACE_PCAP_H_

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "trace.h"

struct pcap;
struct bpf_program;

namespace ipvs_sim {

// A virtual service of a capture: protocol, address and port (0: any port,
// as for a persistent port-0 service).
struct TraceVip {
  Proto proto = Proto::kTcp;
  Endpoint ep;
};

struct PcapTraceOptions {
  double idle_timeout = 60;      // seconds without packets that end a flow
  double udp_idle_timeout = -1;  // the same for UDP; < 0: idle_timeout
  double close_timeout = 2;      // idle seconds that end a closed TCP flow
  size_t max_pending = 1 << 22;
  std::vector<TraceVip> vips;  // empty: every flow
  bool syn_starts_tcp = false;
};

// The BPF expression (pcap-filter(7)) of packets to or from @vips, e.g.
// "(tcp and ((dst host 10.0.0.1 and dst port 80) or (src host 10.0.0.1 and
// src port 80)))"; "" for no VIPs.
std::string VipFilter(const std::vector<TraceVip>& vips);

class PcapTraceReader : public TraceReader {
 public:
  // nullptr and *err ("file: why") if the file cannot be opened by libpcap
  // or has an unsupported link type.
  static std::unique_ptr<PcapTraceReader> Open(const std::string& path,
                                               const PcapTraceOptions& opts, std::string* err);
  // A live capture on @iface (a name of pcap_findalldevs(), "any" for all),
  // read until Stop(). nullptr and *err ("IFACE: why": no such device, no
  // permission) on failure.
  static std::unique_ptr<PcapTraceReader> OpenLive(const std::string& iface,
                                                   const PcapTraceOptions& opts, std::string* err);
  ~PcapTraceReader() override;

  // Ends a live capture: Next() then returns the flows still open and ends.
  // Safe to call from a signal handler or another thread.
  void Stop();
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
  uint64_t not_vip() const { return not_vip_; }  // with vips: to or from no VIP
  uint64_t no_syn() const { return no_syn_; }    // with syn_starts_tcp
  // The kernel's count of packets a live capture dropped (buffer full), 0
  // for a file.
  uint64_t dropped() const;

 private:
  struct Live {
    uint64_t seq;  // index into pending_ + base_
    std::list<FlowKey>::iterator lru;
    std::list<FlowKey>* lru_list = nullptr;  // open_lru_, udp_lru_ or closed_lru_
    bool fin_client = false, fin_server = false, rst = false;
    double last = 0;
  };
  struct Pending {
    TraceFlow flow;
    bool done = false;
  };

  PcapTraceReader(pcap* p, std::string name, uint64_t size, int linktype,
                  const PcapTraceOptions& opts);
  // Compiles opts_.vips' filter; for a live capture sets it in the kernel.
  bool SetFilter(bool live, std::string* err);
  bool ToVip(const FlowKey& k) const;
  double WallNow() const;
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
  std::list<FlowKey> open_lru_, udp_lru_, closed_lru_;  // least recently seen first
  std::deque<Pending> pending_;
  uint64_t base_ = 0;  // seq of pending_.front()
  bool have_first_ = false;
  int64_t first_sec_ = 0, first_usec_ = 0;
  double now_ = 0;
  bool eof_ = false;
  bool live_capture_ = false;
  bool have_filter_ = false;
  struct bpf_program* filter_ = nullptr;
  std::set<std::pair<Proto, Endpoint>> vip_set_;
  uint64_t position_ = 0;
  uint64_t packets_ = 0, skipped_ = 0, truncated_ = 0, not_vip_ = 0, no_syn_ = 0;
  std::string error_;
};

// OpenTrace() (trace.h) with the options used when @path is a capture.
std::unique_ptr<TraceReader> OpenTrace(const std::string& path, const PcapTraceOptions& pcap_opts,
                                       std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_PCAP_H_
