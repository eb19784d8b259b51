// SPDX-License-Identifier: GPL-2.0
// Realistic scheduling keys for benchmarks, drawn from the project's trace
// generator (sim/trace/tracegen.h, whose DescribeDistributions() cites where each
// shape comes from): Zipf(1.0) client activity over 2^20 addresses, NAT
// gateways opening many ports, ephemeral source ports.
#ifndef IPVS_SCHED_BENCH_BENCH_KEYS_H_
#define IPVS_SCHED_BENCH_BENCH_KEYS_H_

#include <cstdint>
#include <vector>

#include "net.h"

namespace bench {

// Client endpoints of @n generated flows (all IPv4 or all IPv6),
// deterministic for @seed.
std::vector<ipvs_sim::Endpoint> ClientKeys(size_t n, bool v6, uint64_t seed = 42);

}  // namespace bench

#endif  // IPVS_SCHED_BENCH_BENCH_KEYS_H_
