// SPDX-License-Identifier: GPL-2.0
// net.ipv4.vs sysctl listings and --sysctl assignments (sysctl_config.h).
// A refused --sysctl leaves the settings untouched.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "sysctl_config.h"

namespace {

bool Same(const ipvs_sim::IpvsSysctls& a, const ipvs_sim::IpvsSysctls& b) {
  return a.expire_nodest_conn == b.expire_nodest_conn &&
         a.expire_quiescent_template == b.expire_quiescent_template &&
         a.conn_reuse_mode == b.conn_reuse_mode && a.sloppy_tcp == b.sloppy_tcp &&
         a.sloppy_sctp == b.sloppy_sctp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ipvs_sim::IpvsSysctls s;
  std::vector<std::string> warnings;
  std::string err;
  if (!ipvs_sim::ParseIpvsSysctlText(text, "fuzz.sysctl", &s, &warnings, &err)) {
    FUZZ_CHECK(err.starts_with("fuzz.sysctl:"));
  }
  std::string_view first = text.substr(0, text.find('\n'));
  ipvs_sim::IpvsSysctls t, before;
  err.clear();
  if (!ipvs_sim::SetIpvsSysctl(first, "--sysctl", &t, &warnings, &err)) {
    FUZZ_CHECK(Same(t, before));
    FUZZ_CHECK(err.starts_with("--sysctl"));
  }
  return 0;
}
