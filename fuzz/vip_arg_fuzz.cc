// SPDX-License-Identifier: GPL-2.0
// ipvs-capture's --vip parser (tools/ipvs-capture/vip.h): any text is
// accepted or refused with a message that quotes it; an accepted one yields
// one or two VIPs, each of which parses back from VipArg() to itself alone.
#include <string>

#include "fuzz_util.h"
#include "vip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<ipvs_sim::TraceVip> vips;
  std::string err;
  if (!ipvs_capture::ParseVip(text, &vips, &err)) {
    FUZZ_CHECK(vips.empty());
    FUZZ_CHECK(err.find("'" + text + "'") != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(vips.size() == 1 || vips.size() == 2);
  for (const ipvs_sim::TraceVip& v : vips) {
    std::vector<ipvs_sim::TraceVip> back;
    FUZZ_CHECK(ipvs_capture::ParseVip(ipvs_capture::VipArg(v), &back, &err));
    FUZZ_CHECK(back.size() == 1);
    FUZZ_CHECK(back[0].proto == v.proto && back[0].ep == v.ep);
    FUZZ_CHECK(!ipvs_capture::VipName(v).empty());
  }
  return 0;
}
