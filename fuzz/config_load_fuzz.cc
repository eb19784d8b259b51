// SPDX-License-Identifier: GPL-2.0
// --config detection (config_load.h): the first byte picks the format
// (auto, rules, list, list-nosort, keepalived), the rest is the file.
// Auto-detection always names a concrete format; whatever loads formats to
// rules that read back the same (rules_round_trip.h).
#include <glob.h>

#include <string>

#include "config_load.h"
#include "fuzz_util.h"
#include "rules_round_trip.h"

// As in keepalived_fuzz.cc: includes never match a file.
extern "C" int glob(const char*, int, int (*)(const char*, int), glob_t* g) {
  g->gl_pathc = 0;
  g->gl_pathv = nullptr;
  return GLOB_NOMATCH;
}
extern "C" void globfree(glob_t*) {}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const ipvs_sim::ConfigFormat kFormats[] = {
      ipvs_sim::ConfigFormat::kAuto, ipvs_sim::ConfigFormat::kRules, ipvs_sim::ConfigFormat::kList,
      ipvs_sim::ConfigFormat::kListNosort, ipvs_sim::ConfigFormat::kKeepalived};
  ipvs_sim::ConfigFormat format = kFormats[data[0] % 5];
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  FUZZ_CHECK(ipvs_sim::DetectConfigFormat(text) != ipvs_sim::ConfigFormat::kAuto);
  ipvs_sim::LoadedConfig out;
  std::string err;
  if (ipvs_sim::LoadConfigText(text, "fuzz.cfg", "/nonexistent", format,
                               ipvs_sim::KeepalivedOptions(), &out, &err)) {
    FUZZ_CHECK(out.format != ipvs_sim::ConfigFormat::kAuto);
    ipvs_fuzz::CheckRulesRoundTrip(out.config);
  } else {
    FUZZ_CHECK(!err.empty());
  }
  return 0;
}
