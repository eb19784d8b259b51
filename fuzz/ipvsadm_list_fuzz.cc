// SPDX-License-Identifier: GPL-2.0
// ipvsadm -Ln and -Ln --nosort listings (ipvsadm_list.h), both ways. A
// listing that parses formats to rules that read back the same
// (rules_round_trip.h).
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "ipvsadm_list.h"
#include "rules_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)ipvs_sim::LooksLikeIpvsadmList(text);
  for (bool sorted : {true, false}) {
    ipvs_sim::IpvsConfig cfg;
    std::vector<std::string> warnings;
    std::string err;
    if (!ipvs_sim::ParseIpvsadmList(text, "fuzz.list", sorted, &cfg, &warnings, &err)) {
      FUZZ_CHECK(err.starts_with("fuzz.list:"));
      continue;
    }
    ipvs_fuzz::CheckRulesRoundTrip(cfg);
  }
  return 0;
}
