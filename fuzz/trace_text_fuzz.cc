// SPDX-License-Identifier: GPL-2.0
// The text trace reader (trace_text.h): any input either reads to the end
// or stops with "name:line: ..."; flows come in non-decreasing start order,
// and every flow read formats to a line that reads back as the same line.
// The reader has a fast path for lines of single spaces; the same input
// with every space made a tab (which only the general parser reads) must
// give the same flows and the same error.
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "trace_text.h"

namespace {

// Every flow read, formatted, then the error (empty at a clean end).
std::vector<std::string> ReadAll(std::string text, bool round_trip) {
  auto reader = ipvs_sim::TextTraceFromString(std::move(text), "fuzz.trace");
  std::vector<std::string> out;
  ipvs_sim::TraceFlow flow;
  double prev = 0;
  while (reader->Next(&flow)) {
    FUZZ_CHECK(out.empty() || flow.start >= prev);  // also catches NaN
    FUZZ_CHECK(flow.duration >= 0);
    prev = flow.start;
    out.push_back(ipvs_sim::FormatTraceFlow(flow));
  }
  if (!reader->error().empty()) FUZZ_CHECK(reader->error().starts_with("fuzz.trace:"));
  if (round_trip && !out.empty()) {
    // The lines written read back as the same lines (one reader: each
    // holds a 1 MiB buffer).
    std::string text;
    for (const std::string& line : out) text += line;
    auto again = ipvs_sim::TextTraceFromString(text, "again.trace");
    ipvs_sim::TraceFlow back;
    for (const std::string& line : out) {
      FUZZ_CHECK(again->Next(&back));
      FUZZ_CHECK(ipvs_sim::FormatTraceFlow(back) == line);
    }
    FUZZ_CHECK(!again->Next(&back) && again->error().empty());
  }
  out.push_back(reader->error());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fast = ReadAll(text, true);
  std::replace(text.begin(), text.end(), ' ', '\t');
  std::vector<std::string> general = ReadAll(text, false);
  if (fast != general) {
    for (size_t i = 0; i < std::max(fast.size(), general.size()); ++i) {
      fprintf(stderr, "%zu: fast    %s", i, i < fast.size() ? fast[i].c_str() : "(none)\n");
      fprintf(stderr, "%zu: general %s", i, i < general.size() ? general[i].c_str() : "(none)\n");
    }
  }
  FUZZ_CHECK(fast == general);
  return 0;
}
