// SPDX-License-Identifier: GPL-2.0
// Firewall mark rules (mark_map.h). A failed parse keeps the rules as they
// were; lookups on a parsed map are answered for flows of either family.
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "mark_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ipvs_sim::MarkMap map;
  std::string err;
  FUZZ_CHECK(map.Parse("7 tcp 10.0.0.1:80,443\n", "seed", &err));
  if (!map.Parse(text, "fuzz.marks", &err)) {
    FUZZ_CHECK(err.starts_with("fuzz.marks:"));
    FUZZ_CHECK(map.size() == 1);
  }
  // Flows built from the input's first bytes, v4 and v6, each protocol.
  for (int i = 0; i < 6; ++i) {
    ipvs_sim::FlowKey key;
    key.proto = i % 3 == 0 ? ipvs_sim::Proto::kTcp
                           : (i % 3 == 1 ? ipvs_sim::Proto::kUdp : ipvs_sim::Proto::kSctp);
    key.vip.addr.family = i < 3 ? ipvs_sim::Family::kV4 : ipvs_sim::Family::kV6;
    for (size_t b = 0; b < key.vip.addr.bytes.size() && b < size; ++b) {
      key.vip.addr.bytes[b] = data[(b + i) % size];
    }
    key.vip.port = size >= 2 ? static_cast<uint16_t>(data[0] << 8 | data[1]) : 80;
    (void)map.MarkOf(key);
  }
  return 0;
}
