// SPDX-License-Identifier: GPL-2.0
// ipvs-capture's parts that do not need a live director: the VIPs of the
// kernel's configuration over netlink (the others are vip.h's), the
// capture loop that writes the simulator's text trace, and the sampler of
// /proc/net/ip_vs_conn. The packets and flows themselves are
// sim/trace/trace_pcap.h's, the output format sim/trace/trace_text.h's.
#ifndef IPVS_SCHED_TOOLS_IPVS_CAPTURE_CAPTURE_H_
#define IPVS_SCHED_TOOLS_IPVS_CAPTURE_CAPTURE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "trace_pcap.h"
#include "vip.h"

namespace ipvs_capture {

// The same from the kernel's configuration over netlink (tools/lib/ipvs_nl).
// False with *err ("no IPVS: ...", "no CAP_NET_ADMIN: ...") on failure.
bool VipsFromKernel(std::vector<ipvs_sim::TraceVip>* out, std::vector<std::string>* warnings,
                    std::string* err);

// "tcp 10.0.0.1:80", "udp [fd00::1]:*".
std::string VipName(const ipvs_sim::TraceVip& v);

struct CaptureStats {
  uint64_t flows = 0;
  uint64_t packets = 0;  // read from the capture (after a live filter)
  uint64_t not_vip = 0, no_syn = 0, skipped = 0, truncated = 0, dropped = 0;
  uint64_t ignored() const { return not_vip + no_syn + skipped; }
};

// The summary line: "ipvs-capture: 120 flows, 480 packets, 7 ignored (3 not
// to a VIP, 4 TCP without SYN, 0 not TCP/UDP/SCTP)" and, when non-zero,
// the flows cut short and the packets the kernel dropped.
std::string FormatStats(const CaptureStats& s);

// Reads every flow of @reader and writes it to @out in the text trace
// format. @progress (may be empty) is called after each flow. False with
// *err on a read (the reader's message) or write error.
bool RunCapture(ipvs_sim::PcapTraceReader* reader, FILE* out,
                const std::function<void(const CaptureStats&)>& progress, CaptureStats* stats,
                std::string* err);

// Copies of /proc/net/ip_vs_conn taken every @interval seconds by a thread,
// in the companion format (Documentation/ipvs-capture.8, "CONNECTION
// SAMPLES"):
//   # ipvs-capture ip_vs_conn samples 1
//   sample SECONDS UNIX_TIME ENTRIES
//   <the file's lines, its header included>
//   end
// SECONDS counts from Start(). Stop() takes a last sample and joins.
class ConnSampler {
 public:
  ConnSampler(std::string proc_path, double interval, FILE* out);
  ~ConnSampler();
  ConnSampler(const ConnSampler&) = delete;
  ConnSampler& operator=(const ConnSampler&) = delete;

  void Start();
  // False with *err if a read or a write failed (the first such error).
  bool Stop(std::string* err);
  int samples() const { return samples_; }

  // One sample of @text read at @seconds/@unix_time, appended to *out.
  static void Format(double seconds, double unix_time, const std::string& text, std::string* out);

 private:
  void Loop();
  bool Sample();

  std::string path_;
  double interval_;
  FILE* out_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int samples_ = 0;
  std::string error_;
  double start_ = 0;
};

}  // namespace ipvs_capture

#endif  // IPVS_SCHED_TOOLS_IPVS_CAPTURE_CAPTURE_H_
