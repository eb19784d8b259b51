// SPDX-License-Identifier: GPL-2.0
#include "bench_keys.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tracegen.h"

namespace bench {

std::vector<ipvs_sim::Endpoint> ClientKeys(size_t n, bool v6, uint64_t seed) {
  ipvs_sim::TraceGenOptions opts;
  opts.flows = n;
  opts.clients = 1u << 20;
  opts.ipv6_fraction = v6 ? 1.0 : 0.0;
  opts.sizes = false;
  opts.seed = seed;
  std::string err;
  auto gen = ipvs_sim::TraceGenerator::Create(opts, &err);
  if (!gen) {
    std::fprintf(stderr, "bench keys: %s\n", err.c_str());
    std::exit(1);
  }
  std::vector<ipvs_sim::Endpoint> keys;
  keys.reserve(n);
  ipvs_sim::TraceFlow f;
  while (gen->Next(&f)) keys.push_back(f.key.client);
  return keys;
}

}  // namespace bench
