// SPDX-License-Identifier: GPL-2.0
// The capture reader (trace_pcap.h), from a memory file: with the default
// options and with tiny timeouts and queue (early emission), flows come out
// in non-decreasing start order with non-negative durations.
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
  }
  FUZZ_CHECK(n <= reader->packets());
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
  return 0;
}
