// SPDX-License-Identifier: GPL-2.0
// /proc/net/ip_vs_conn snapshots (trace_ipvs_conn.h): the whole-text parser
// and the streamed trace reader (from a memory file) on the same input.
// Every flow the stream gives is a connection entry the parser also read,
// and both stop at the same line with the same message.
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "trace_ipvs_conn.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<ipvs_sim::IpvsConnEntry> entries;
  std::string err;
  bool ok = ipvs_sim::ParseIpvsConnText(text, "fuzz.conn", &entries, &err);
  if (!ok) FUZZ_CHECK(err.starts_with("fuzz.conn:"));
  size_t conns = 0;
  for (const auto& e : entries) {
    if (e.proto_known && !e.is_template()) conns++;
  }

  ipvs_fuzz::MemFile file(data, size);
  std::string open_err;
  auto reader = ipvs_sim::OpenIpvsConnTrace(file.path(), &open_err);
  FUZZ_CHECK(reader != nullptr);
  ipvs_sim::TraceFlow flow;
  size_t flows = 0;
  while (reader->Next(&flow)) {
    FUZZ_CHECK(flow.start == 0 && flow.duration >= 0);
    flows++;
  }
  if (ok) {
    FUZZ_CHECK(reader->error().empty() && flows == conns);
  } else {
    const std::string& e = reader->error();
    FUZZ_CHECK(e.starts_with(file.path() + ":"));
    FUZZ_CHECK(e.substr(file.path().size()) == err.substr(sizeof("fuzz.conn") - 1));
  }
  return 0;
}
