// SPDX-License-Identifier: GPL-2.0
// The capture reader (trace_pcap.h), from a memory file: with the default
// options, with tiny timeouts and queue (early emission) and with
// ipvs-capture's (VIPs, TCP from a SYN), flows come out in non-decreasing
// start order with non-negative durations; with VIPs every flow goes to
// one, and every packet is a flow's or counted as ignored.
#include <string>

#include "fuzz_util.h"
#include "trace_pcap.h"

namespace {

void ReadAll(const std::string& path, const ipvs_sim::PcapTraceOptions& opts) {
  std::string err;
  auto reader = ipvs_sim::PcapTraceReader::Open(path, opts, &err);
  if (!reader) {
    FUZZ_CHECK(!err.empty());
    return;
  }
  ipvs_sim::TraceFlow flow;
  double prev = 0;
  uint64_t n = 0;
  while (reader->Next(&flow)) {
    FUZZ_CHECK(flow.start >= prev);  // also catches NaN
    FUZZ_CHECK(flow.duration >= 0);
    FUZZ_CHECK(flow.packets >= 1);
    prev = flow.start;
    n++;
    if (!opts.vips.empty()) {
      bool to_vip = false;
      for (const ipvs_sim::TraceVip& v : opts.vips) {
        to_vip |= v.proto == flow.key.proto && v.ep.addr == flow.key.vip.addr &&
                  (v.ep.port == 0 || v.ep.port == flow.key.vip.port);
      }
      FUZZ_CHECK(to_vip);
    }
  }
  FUZZ_CHECK(n <= reader->packets());
  if (reader->error().empty()) {
    FUZZ_CHECK(reader->not_vip() + reader->no_syn() + reader->skipped() <= reader->packets());
  }
}

ipvs_sim::Endpoint Ep(const char* text) {
  ipvs_sim::Endpoint e;
  ipvs_sim::Endpoint::Parse(text, &e, true);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ipvs_fuzz::MemFile file(data, size);
  ReadAll(file.path(), ipvs_sim::PcapTraceOptions());
  ipvs_sim::PcapTraceOptions tiny;
  tiny.idle_timeout = 1;
  tiny.close_timeout = 0.5;
  tiny.max_pending = 3;
  ReadAll(file.path(), tiny);
  // The seeds' addresses (fuzz/make-pcap-seeds.py), a port-0 VIP among them.
  ipvs_sim::PcapTraceOptions capture;
  capture.syn_starts_tcp = true;
  capture.vips = {{ipvs_sim::Proto::kTcp, Ep("10.0.0.1:80")},
                  {ipvs_sim::Proto::kUdp, Ep("10.0.0.1:53")},
                  {ipvs_sim::Proto::kTcp, Ep("[2001:db8::1]")},
                  {ipvs_sim::Proto::kUdp, Ep("[2001:db8::1]")}};
  capture.udp_idle_timeout = 2;
  ReadAll(file.path(), capture);
  return 0;
}
