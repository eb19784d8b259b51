// SPDX-License-Identifier: GPL-2.0
// keepalived.conf (keepalived_config.h) from text. "include" must not read
// the disk: glob() is replaced below, so every include matches nothing (a
// warning). A configuration that parses also gives the checker timelines
// for its real servers going down and coming back, which parse as timelines,
// and formats to rules that read back the same (rules_round_trip.h).
#include <glob.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "keepalived_config.h"
#include "rules_round_trip.h"
#include "timeline.h"

// Overrides libc's (and ASan's weak interceptor): no file is ever matched.
extern "C" int glob(const char*, int, int (*)(const char*, int), glob_t* g) {
  g->gl_pathc = 0;
  g->gl_pathv = nullptr;
  return GLOB_NOMATCH;
}
extern "C" void globfree(glob_t*) {}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)ipvs_sim::LooksLikeKeepalived(text);
  ipvs_sim::KeepalivedOptions opts;
  opts.config_id = "lb1";
  ipvs_sim::IpvsConfig cfg;
  std::vector<std::string> warnings;
  std::string err;
  if (!ipvs_sim::ParseKeepalivedConfigText(text, "fuzz.conf", "/nonexistent", opts, &cfg, &warnings,
                                           &err)) {
    FUZZ_CHECK(err.starts_with("fuzz.conf:") || err.starts_with("/nonexistent/"));
    return 0;
  }
  ipvs_fuzz::CheckRulesRoundTrip(cfg);
  std::vector<ipvs_sim::Endpoint> down;
  for (const auto& svc : cfg.services) {
    for (const auto& d : svc.dests) {
      // The sorry server has no checker (KeepalivedCheckersDown skips it).
      if (svc.has_sorry_server && d.ep == svc.sorry_server) continue;
      bool seen = std::find(down.begin(), down.end(), d.ep) != down.end();
      if (!seen && down.size() < 8) down.push_back(d.ep);
    }
  }
  // Event times as ipvs-sim config --at/--at-up takes them (0..1e11 s).
  static const double kTimes[] = {0, 1e-5, 0.1, 10, 1796150000.25, 99999999999.5, 1e11};
  double at = kTimes[size % 7], at_up = std::max(at, kTimes[(size / 7) % 7]);
  std::vector<ipvs_sim::Endpoint> unknown;
  std::string timeline = ipvs_sim::KeepalivedCheckersDown(cfg, down, at, &unknown);
  FUZZ_CHECK(unknown.empty());
  timeline += ipvs_sim::KeepalivedCheckersUp(cfg, down, down, at_up, &unknown);
  FUZZ_CHECK(unknown.empty());
  // What ipvs-sim config --checker-down prints is a timeline it reads back.
  std::vector<ipvs_sim::TimelineEvent> events;
  FUZZ_CHECK(ipvs_sim::ParseTimelineText(timeline, "checkers.timeline", &events, &err));
  return 0;
}
