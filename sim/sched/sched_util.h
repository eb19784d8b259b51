// SPDX-License-Identifier: GPL-2.0
// Pieces shared by the scheduler models: how a model remembers a dest across
// callbacks, and the kernel's load estimates. Pure functions, thread-safe.
#ifndef IPVS_SCHED_SIM_SCHED_UTIL_H_
#define IPVS_SCHED_SIM_SCHED_UTIL_H_

#include <cstdint>
#include <vector>

#include "net.h"
#include "service.h"

namespace ipvs_sim {

// A dest as a model remembers it between callbacks, where the kernel keeps a
// struct ip_vs_dest pointer. Endpoints are unique within a service, and a
// deleted dest that comes back is the same kernel object (it is taken back
// from the trash while anything still holds it), so the endpoint is its
// identity. hint is where the dest stood in svc.dests when remembered.
struct DestRef {
  Endpoint ep;
  int hint = -1;
};

// Index in svc.dests of the dest @ref names, or -1 when it is no longer in
// the service (the kernel's "not IP_VS_DEST_CF_AVAILABLE"). O(1) while the
// dest has not moved, O(n) otherwise.
int ResolveDest(const Service& svc, const DestRef& ref);

// Snapshot of svc.dests as refs, in list order.
std::vector<DestRef> SnapshotDests(const Service& svc);

// ip_vs_dest_conn_overhead() of 6.1.183+/6.12.104+: activeconns * 256 +
// totalconns, where totalconns counts active and inactive connections. Kept
// in 64 bits; the kernel's int only differs past 8 million connections.
int64_t ConnOverhead(const Dest& d);

// The client port as the hashing schedulers read it (ip_vs_mh_get_port and
// friends): the source port of TCP, UDP and SCTP packets, 0 otherwise. All
// protocols the simulator knows carry ports.
uint16_t HashedClientPort(const FlowKey& flow);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_UTIL_H_
