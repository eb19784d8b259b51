// SPDX-License-Identifier: GPL-2.0
#include "live_config.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "ipvs_rules.h"
#include "ipvsadm_config.h"

namespace ipvs_sim {

bool ReadLive(ipvs_nl_config* nl, IpvsConfig* out, std::string* err) {
  ipvs_nl_free(nl);
  char e[256];
  if (ipvs_nl_read(nl, e, sizeof(e)) != IPVS_NL_OK) {
    *err = fmt::format("live configuration: {}", e);
    return false;
  }
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (!f) {
    *err = "live configuration: out of memory";
    return false;
  }
  ipvs_rules_print(f, nl);
  std::fclose(f);
  std::string text(buf, len);
  std::free(buf);
  *out = IpvsConfig();
  if (!ParseIpvsadmConfigText(text, "live", out, err)) return false;
  bool aligned = out->services.size() == nl->nsvc;
  for (size_t i = 0; aligned && i < nl->nsvc; ++i)
    aligned = out->services[i].dests.size() == nl->svc[i].ndests;
  if (!aligned) *err = "live configuration: the rules written from the dump read back differently";
  return aligned;
}

bool LoadLiveConfig(IpvsConfig* out, std::string* err) {
  ipvs_nl_config nl{};
  bool ok = ReadLive(&nl, out, err);
  ipvs_nl_free(&nl);
  return ok;
}

}  // namespace ipvs_sim
