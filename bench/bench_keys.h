// SPDX-License-Identifier: GPL-2.0
// Realistic scheduling keys for benchmarks.
//
// Client activity on the Internet is heavy tailed: the number of requests per
// client follows a Zipf-like law with exponent near 1 (Breslau et al., "Web
// Caching and Zipf-like Distributions", INFOCOM 1999; the same shape appears
// per source address in CAIDA backbone traces). Keys are drawn from a pool of
// kClients addresses by Zipf(1.0) rank, so hot clients repeat the way they do
// on a director, and source ports are uniform over Linux's default ephemeral
// range 32768-60999 (net.ipv4.ip_local_port_range).
#ifndef IPVS_SCHED_BENCH_BENCH_KEYS_H_
#define IPVS_SCHED_BENCH_BENCH_KEYS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

struct ClientKey {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};  // network order; v4 in [0..3]
  uint16_t port = 0;               // host order
};

constexpr size_t kClients = 1 << 20;

// @n keys, deterministic for @seed.
std::vector<ClientKey> ZipfClientKeys(size_t n, bool v6, uint64_t seed = 42);

}  // namespace bench

#endif  // IPVS_SCHED_BENCH_BENCH_KEYS_H_
