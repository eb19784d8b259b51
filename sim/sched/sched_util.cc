// SPDX-License-Identifier: GPL-2.0
#include "sched_util.h"

namespace ipvs_sim {

int ResolveDest(const Service& svc, const DestRef& ref) {
  if (ref.hint >= 0 && static_cast<size_t>(ref.hint) < svc.dests.size() &&
      svc.dests[ref.hint].ep == ref.ep)
    return ref.hint;
  return svc.Find(ref.ep);
}

std::vector<DestRef> SnapshotDests(const Service& svc) {
  std::vector<DestRef> refs;
  refs.reserve(svc.dests.size());
  for (size_t i = 0; i < svc.dests.size(); ++i)
    refs.push_back(DestRef{svc.dests[i].ep, static_cast<int>(i)});
  return refs;
}

int64_t ConnOverhead(const Dest& d) {
  int64_t active = d.active_conns;
  int64_t total = int64_t{d.active_conns} + d.inactive_conns;
  return active * 256 + total;
}

uint16_t HashedClientPort(const FlowKey& flow) {
  switch (flow.proto) {
    case Proto::kTcp:
    case Proto::kUdp:
    case Proto::kSctp:
      return flow.client.port;
  }
  return 0;
}

}  // namespace ipvs_sim
