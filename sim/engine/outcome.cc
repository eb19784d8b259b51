// SPDX-License-Identifier: GPL-2.0
#include "outcome.h"

namespace ipvs_sim {

uint32_t DestIds::Get(int svc, const Endpoint& ep) {
  auto [it, added] = ids_.emplace(std::make_pair(svc, ep), static_cast<uint32_t>(info_.size()));
  if (added) info_.emplace_back(svc, ep);
  return it->second;
}

}  // namespace ipvs_sim
