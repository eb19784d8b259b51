// SPDX-License-Identifier: GPL-2.0
#include "service.h"

namespace ipvs_sim {

std::string ServiceKey::ToString() const {
  if (fwmark) return "-f " + std::to_string(fwmark);
  const char* opt = proto == Proto::kUdp    ? "-u "
                    : proto == Proto::kSctp ? "--sctp-service "
                                            : "-t ";
  return opt + vip.ToString();
}

int Service::Find(const Endpoint& ep) const {
  for (size_t i = 0; i < dests.size(); ++i)
    if (dests[i].ep == ep) return static_cast<int>(i);
  return -1;
}

}  // namespace ipvs_sim
