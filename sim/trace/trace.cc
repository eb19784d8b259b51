// SPDX-License-Identifier: GPL-2.0
#include "trace.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "trace_ipvs_conn.h"
#include "trace_pcap.h"
#include "trace_text.h"

namespace ipvs_sim {

namespace {

enum class TraceKind { kText, kPcap, kPcapng, kIpvsConn };

TraceKind Detect(const unsigned char* b, size_t n) {
  if (n >= 4) {
    uint32_t le = b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24;
    // Microsecond and nanosecond pcap, either byte order.
    if (le == 0xa1b2c3d4 || le == 0xd4c3b2a1 || le == 0xa1b23c4d || le == 0x4d3cb2a1)
      return TraceKind::kPcap;
    if (le == 0x0a0d0d0a) return TraceKind::kPcapng;  // section header block
  }
  static const char kConnHeader[] = "Pro FromIP";
  if (n >= sizeof(kConnHeader) - 1 && memcmp(b, kConnHeader, sizeof(kConnHeader) - 1) == 0)
    return TraceKind::kIpvsConn;
  return TraceKind::kText;
}

}  // namespace

std::unique_ptr<TraceReader> OpenTrace(const std::string& path, const PcapTraceOptions& pcap_opts,
                                       std::string* err) {
  if (path == "-") return OpenTextTrace(path, err);
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    *err = fmt::format("{}: cannot open: {}", path, strerror(errno));
    return nullptr;
  }
  unsigned char head[16];
  size_t n = fread(head, 1, sizeof(head), f);
  fclose(f);
  switch (Detect(head, n)) {
    case TraceKind::kPcap:
    case TraceKind::kPcapng: {
      // libpcap reads pcapng too, as long as every interface has the same
      // link type; it says so clearly when not.
      std::unique_ptr<PcapTraceReader> r = PcapTraceReader::Open(path, pcap_opts, err);
      return r;
    }
    case TraceKind::kIpvsConn:
      return OpenIpvsConnTrace(path, err);
    case TraceKind::kText:
      break;
  }
  return OpenTextTrace(path, err);
}

std::unique_ptr<TraceReader> OpenTrace(const std::string& path, std::string* err) {
  return OpenTrace(path, PcapTraceOptions(), err);
}

}  // namespace ipvs_sim
