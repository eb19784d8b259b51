// SPDX-License-Identifier: GPL-2.0
// The shared wmh core on its own: per-packet lookup and table rebuild, with
// no simulator in between (what ip_vs_wmh.ko runs per packet and per edit),
// and chbl's lookup as ip_vs_chbl.ko runs it: the service's load counted
// over every dest, then wmh's lookup with the bound (chbl_load.h).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "bench_keys.h"
#include "chbl_load.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace {

std::vector<wmh_dest_spec> Dests(size_t n, bool skewed) {
  // Skewed weights: log-uniform over 1..65535, as in fleets that mix server
  // generations and run canaries at weight 1.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lw(0, std::log(65535.0));
  std::vector<wmh_dest_spec> d(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t a = htonl(0x0a000000u + static_cast<uint32_t>(i) + 1);
    wmh_dest_key(d[i].key, WMH_AF_INET, &a, htons(8080));
    d[i].weight = skewed ? static_cast<uint32_t>(std::exp(lw(rng))) : 100;
    if (d[i].weight == 0) d[i].weight = 1;
  }
  return d;
}

wmh_dest_state AllUp(const void*, uint32_t) { return WMH_DEST_UP; }

void BM_WmhCoreLookup(benchmark::State& state) {
  const uint32_t size = state.range(0);
  const bool v6 = state.range(1);
  const bool port = state.range(2);
  auto dests = Dests(100, false);
  wmh_table t;
  if (wmh_table_build(&t, size, &wmh_default_hash_key, dests.data(), dests.size())) {
    state.SkipWithError("build failed");
    return;
  }
  auto keys = bench::ClientKeys(1 << 16, v6);
  size_t i = 0;
  for (auto _ : state) {
    const auto& k = keys[i++ & (keys.size() - 1)];
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t len = wmh_flow_msg(msg, v6 ? WMH_AF_INET6 : WMH_AF_INET, k.addr.bytes.data(), port,
                                htons(k.port));
    benchmark::DoNotOptimize(wmh_lookup(&t, msg, len, AllUp, nullptr, false));
  }
  wmh_table_free(&t);
}
BENCHMARK(BM_WmhCoreLookup)
    ->ArgNames({"M", "v6", "port"})
    ->ArgsProduct({{4093, 65537, 1048573}, {0, 1}, {0, 1}});

// chbl: the dests' connections (active + inactive) drawn as in
// sched_bench.cc's LoadConns: Poisson around Little's law's 200 + 2,400
// for 20 new connections/s a dest, 10 s established, 120 s in TIME_WAIT.
struct ChblCtx {
  const std::vector<wmh_dest_spec>* dests;
  const std::vector<uint64_t>* conns;
  chbl_load load;
};

wmh_dest_state ChblState(const void* ctx, uint32_t i) {
  const auto* c = static_cast<const ChblCtx*>(ctx);
  return chbl_dest_state(WMH_DEST_UP, (*c->conns)[i], (*c->dests)[i].weight, &c->load,
                         CHBL_EPS_DEFAULT);
}

void BM_ChblCoreLookup(benchmark::State& state) {
  const uint32_t size = state.range(0);
  const bool v6 = state.range(1);
  const bool port = state.range(2);
  auto dests = Dests(100, false);
  std::vector<uint64_t> conns(dests.size());
  std::mt19937 rng(11);
  for (auto& c : conns)
    c = std::poisson_distribution<uint32_t>(200)(rng) +
        std::poisson_distribution<uint32_t>(2400)(rng);
  wmh_table t;
  if (wmh_table_build(&t, size, &wmh_default_hash_key, dests.data(), dests.size())) {
    state.SkipWithError("build failed");
    return;
  }
  auto keys = bench::ClientKeys(1 << 16, v6);
  size_t i = 0;
  for (auto _ : state) {
    const auto& k = keys[i++ & (keys.size() - 1)];
    ChblCtx ctx{&dests, &conns, {}};
    for (size_t d = 0; d < dests.size(); ++d)
      chbl_load_add(&ctx.load, WMH_DEST_UP, conns[d], dests[d].weight);
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t len = wmh_flow_msg(msg, v6 ? WMH_AF_INET6 : WMH_AF_INET, k.addr.bytes.data(), port,
                                htons(k.port));
    benchmark::DoNotOptimize(wmh_lookup(&t, msg, len, ChblState, &ctx, false));
  }
  wmh_table_free(&t);
}
BENCHMARK(BM_ChblCoreLookup)
    ->ArgNames({"M", "v6", "port"})
    ->ArgsProduct({{4093, 65537, 1048573}, {0, 1}, {0, 1}});

void BM_WmhCoreBuild(benchmark::State& state) {
  const uint32_t size = state.range(0);
  const size_t n = state.range(1);
  auto dests = Dests(n, state.range(2));
  for (auto _ : state) {
    wmh_table t;
    if (wmh_table_build(&t, size, &wmh_default_hash_key, dests.data(), n)) {
      state.SkipWithError("build failed");
      return;
    }
    wmh_table_free(&t);
  }
}
BENCHMARK(BM_WmhCoreBuild)
    ->ArgNames({"M", "N", "skewed"})
    ->ArgsProduct({{4093, 65537, 1048573}, {10, 100, 1000, 10000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
