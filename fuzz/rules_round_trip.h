// SPDX-License-Identifier: GPL-2.0
// What every configuration reader promises: the services it read format to
// ipvsadm rules (FormatIpvsadmConfig, what `ipvs-sim config` prints) that
// ParseIpvsadmConfigText reads back to the same text.
#ifndef IPVS_SCHED_FUZZ_RULES_ROUND_TRIP_H_
#define IPVS_SCHED_FUZZ_RULES_ROUND_TRIP_H_

#include <cstdio>
#include <string>

#include "fuzz_util.h"
#include "ipvsadm_config.h"

namespace ipvs_fuzz {

// Rules cannot say that a direct-routed or tunnelled real server of an
// address service has another port than the service (ipvsadm -a forces
// it), which the kernel, a listing and keepalived (for a group) allow.
inline bool RulesCanSay(const ipvs_sim::IpvsConfig& cfg) {
  for (const auto& s : cfg.services) {
    if (s.key.fwmark) continue;
    for (const auto& d : s.dests) {
      if ((d.forward == 'g' || d.forward == 'i') && d.ep.port != s.key.vip.port) return false;
    }
  }
  return true;
}

inline void CheckRulesRoundTrip(const ipvs_sim::IpvsConfig& cfg) {
  if (!RulesCanSay(cfg)) return;
  std::string rules = ipvs_sim::FormatIpvsadmConfig(cfg);
  ipvs_sim::IpvsConfig again;
  std::string err;
  if (!ipvs_sim::ParseIpvsadmConfigText(rules, "again.rules", &again, &err)) {
    fprintf(stderr, "%s\n%s", err.c_str(), rules.c_str());
    FUZZ_CHECK(false);
  }
  FUZZ_CHECK(again.services.size() == cfg.services.size());
  FUZZ_CHECK(ipvs_sim::FormatIpvsadmConfig(again) == rules);
}

}  // namespace ipvs_fuzz

#endif  // IPVS_SCHED_FUZZ_RULES_ROUND_TRIP_H_
