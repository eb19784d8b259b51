// SPDX-License-Identifier: GPL-2.0
// The text trace reader (trace_text.h): any input either reads to the end
// or stops with "name:line: ..."; flows come in non-decreasing start order,
// and every flow read formats to a line that reads back as the same line.
#include <string>

#include "fuzz_util.h"
#include "trace_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = ipvs_sim::TextTraceFromString(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz.trace");
  ipvs_sim::TraceFlow flow;
  double prev = 0;
  int n = 0;
  while (reader->Next(&flow)) {
    FUZZ_CHECK(n == 0 || flow.start >= prev);  // also catches NaN
    FUZZ_CHECK(flow.duration >= 0);
    prev = flow.start;
    if (n++ < 16) {
      std::string line = ipvs_sim::FormatTraceFlow(flow);
      auto again = ipvs_sim::TextTraceFromString(line, "again.trace");
      ipvs_sim::TraceFlow back;
      FUZZ_CHECK(again->Next(&back));
      FUZZ_CHECK(ipvs_sim::FormatTraceFlow(back) == line);
    }
  }
  if (!reader->error().empty()) FUZZ_CHECK(reader->error().starts_with("fuzz.trace:"));
  return 0;
}
