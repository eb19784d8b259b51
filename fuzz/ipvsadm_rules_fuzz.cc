// SPDX-License-Identifier: GPL-2.0
// ipvsadm -Sn rules (ipvsadm_config.h). A configuration that parses
// formats to rules that parse again to the same text.
#include <string>

#include "fuzz_util.h"
#include "ipvsadm_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ipvs_sim::IpvsConfig cfg;
  std::string err;
  if (!ipvs_sim::ParseIpvsadmConfigText(text, "fuzz.rules", &cfg, &err)) {
    FUZZ_CHECK(err.starts_with("fuzz.rules:"));
    return 0;
  }
  std::string formatted = ipvs_sim::FormatIpvsadmConfig(cfg);
  ipvs_sim::IpvsConfig again;
  FUZZ_CHECK(ipvs_sim::ParseIpvsadmConfigText(formatted, "again.rules", &again, &err));
  FUZZ_CHECK(again.services.size() == cfg.services.size());
  FUZZ_CHECK(ipvs_sim::FormatIpvsadmConfig(again) == formatted);
  return 0;
}
