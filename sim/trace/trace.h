// SPDX-License-Identifier: GPL-2.0
// Connection traces: one flow per record, read as a stream so that memory
// does not grow with the length of the trace.
//
// Readers exist for the text format (trace_text.h, documented in
// Documentation/trace-format.rst), pcap captures (trace_pcap.h) and
// /proc/net/ip_vs_conn snapshots (trace_ipvs_conn.h). OpenTrace() picks one
// from the file's contents.
#ifndef IPVS_SCHED_SIM_TRACE_H_
#define IPVS_SCHED_SIM_TRACE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "net.h"

namespace ipvs_sim {

struct TraceFlow {
  double start = 0;      // seconds from the start of the trace
  FlowKey key;           // protocol, client, virtual service address
  double duration = 0;   // seconds from first to last packet
  uint64_t packets = 0;  // 0 when unknown
  uint64_t bytes = 0;    // 0 when unknown
};

// A stream of flows in non-decreasing start order.
class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // Reads the next flow into *flow. Returns false at the end of the trace or
  // on error; then error() is empty at the end and otherwise holds
  // "file:line: what is wrong" (or "file: ..." where lines do not apply).
  virtual bool Next(TraceFlow* flow) = 0;
  virtual const std::string& error() const = 0;
  // Bytes consumed so far and in all (0 if unknown), for progress reports.
  virtual uint64_t position() const = 0;
  virtual uint64_t size() const = 0;
};

// Opens @path ("-" for stdin, text only) as a text trace, a pcap file or an
// ip_vs_conn snapshot, detected from its first bytes. nullptr and *err on
// failure.
std::unique_ptr<TraceReader> OpenTrace(const std::string& path, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_H_
