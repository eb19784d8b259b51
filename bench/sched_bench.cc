// SPDX-License-Identifier: GPL-2.0
// wmh, hrw and chbl against the simulator's models of the in-tree mh, sh
// and wlc, through the same Scheduler interface, on the same inputs, in one
// run: the ratios in bench/run.sh's summary come from here.
//
// chbl's lookup counts the service's connections first (every dest's
// active and inactive entries, O(N) as wlc's scan is), so chbl and wlc run
// on dests with connection counts (LoadConns); the others ignore them. A
// chbl build is a wmh build (the same tables), measured through chbl's
// options.
//
// hrw builds cost O(M * N) score evaluations, so hrw's full builds run at
// 65521 and 262139 (its default) up to 1000 dests; BM_Rebuild measures the
// incremental rebuilds that adds, removes and weight changes take instead.
// BM_Balance measures no time: its counter max_over_avg is the most loaded
// dest's slots over its weight's share, which hrw.rst's table of table
// sizes comes from.
//
// mh can only use the primes its kernel config offers (251 .. 131071; Debian
// builds 4093), so lookups and builds are compared at 4093, 65521 and 131071
// slots, where both can run; wmh alone also runs at 1048573.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>

#include "bench_keys.h"
#include "sched_wmh.h"
#include "scheduler.h"

namespace {

using ipvs_sim::Dest;
using ipvs_sim::FlowKey;
using ipvs_sim::IpAddr;
using ipvs_sim::kSchedFlag2;
using ipvs_sim::Proto;
using ipvs_sim::SchedEvent;
using ipvs_sim::SchedulerOptions;
using ipvs_sim::Service;

int MhTabIndex(uint32_t size) {
  const uint32_t primes[] = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};
  for (int i = 0; i < 10; ++i)
    if (primes[i] == size) return i + 8;
  return -1;
}

Service MakeService(const std::string& sched, size_t n, bool skewed, bool v6, bool port) {
  Service svc;
  svc.key.proto = Proto::kTcp;
  IpAddr::Parse(v6 ? "2001:db8::1" : "10.0.0.1", &svc.key.vip.addr);
  svc.key.vip.port = 80;
  svc.scheduler = sched;
  svc.flags = port ? kSchedFlag2 : 0;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lw(0, std::log(65535.0));
  for (size_t i = 0; i < n; ++i) {
    Dest d;
    if (v6) {
      IpAddr::Parse("2001:db8:1::" + std::to_string(i + 1), &d.ep.addr);
    } else {
      d.ep.addr = IpAddr::V4(0xc0a80000u + static_cast<uint32_t>(i) + 1);
    }
    d.ep.port = 8080;
    d.weight = d.last_weight = skewed ? std::max(1, static_cast<int>(std::exp(lw(rng)))) : 100;
    svc.dests.push_back(d);
  }
  return svc;
}

// Steady-state connection counts for the lookups that read them (chbl,
// wlc). Each dest gets 20 new connections/s (2,000/s over 100 dests) that
// stay established for 10 s on average and then sit 120 s in FIN_WAIT or
// TIME_WAIT (IPVS's default TCP timeouts for both, ip_vs_proto_tcp.c).
// By Little's law that is 200 active and 2,400 inactive entries a dest on
// average, and the count of an M/G/infinity queue is Poisson-distributed
// around it, so each count is drawn from Poisson(200) and Poisson(2400),
// scaled by the dest's weight over the mean weight. Nonzero and close to
// the mean: chbl's bound (eps 0.25) rarely passes a first choice over, as
// in a balanced service.
void LoadConns(Service* svc) {
  double wsum = 0;
  for (const Dest& d : svc->dests) wsum += d.weight;
  const double mean_w = wsum / svc->dests.size();
  std::mt19937 rng(11);
  for (Dest& d : svc->dests) {
    const double f = d.weight / mean_w;
    d.active_conns = std::poisson_distribution<uint32_t>(200 * f)(rng);
    d.inactive_conns = std::poisson_distribution<uint32_t>(2400 * f)(rng);
  }
}

std::unique_ptr<ipvs_sim::Scheduler> Bind(const std::string& name, uint32_t size,
                                          const Service& svc, benchmark::State& state) {
  SchedulerOptions opts;
  opts.wmh_table_size = size;
  opts.hrw_table_size = size;
  opts.chbl_table_size = size;
  int idx = MhTabIndex(size);
  if (idx > 0) opts.mh_tab_index = idx;
  std::string err;
  auto s = ipvs_sim::MakeScheduler(name, opts, &err);
  if (!s || !s->Update(svc, SchedEvent::kInit, nullptr, &err)) {
    state.SkipWithError(err.c_str());
    return nullptr;
  }
  return s;
}

// Args: M, v6, port. One scheduling decision per iteration.
void BM_Lookup(benchmark::State& state, const std::string& name) {
  const uint32_t size = state.range(0);
  const bool v6 = state.range(1), port = state.range(2);
  if (name == "mh" && MhTabIndex(size) < 0) {
    state.SkipWithError("mh cannot use this table size");
    return;
  }
  Service svc = MakeService(name, 100, false, v6, port);
  if (name == "chbl" || name == "wlc") LoadConns(&svc);
  auto sched = Bind(name, size, svc, state);
  if (!sched) return;
  auto keys = bench::ClientKeys(1 << 16, v6);
  std::vector<FlowKey> flows(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    flows[i].proto = Proto::kTcp;
    flows[i].client = keys[i];
    flows[i].vip = svc.key.vip;
  }
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(sched->Schedule(svc, flows[i++ & 0xffff]));
}

// Args: M, N, skewed. One full rebuild (init_service) per iteration.
void BM_Build(benchmark::State& state, const std::string& name) {
  const uint32_t size = state.range(0);
  const size_t n = state.range(1);
  if (n > size || (name == "mh" && MhTabIndex(size) < 0)) {
    state.SkipWithError("unsupported size");
    return;
  }
  Service svc = MakeService(name, n, state.range(2), false, false);
  auto sched = Bind(name, size, svc, state);
  if (!sched) return;
  std::string err;
  for (auto _ : state) {
    if (!sched->Update(svc, SchedEvent::kInit, nullptr, &err)) {
      state.SkipWithError(err.c_str());
      return;
    }
  }
}

// Args: N, change (0 add, 1 remove, 2 weight x2). One incremental hrw
// rebuild per iteration at the default table size, alternating between the
// two sets so that every iteration is the same change.
void BM_Rebuild(benchmark::State& state) {
  const size_t n = state.range(0);
  const int change = static_cast<int>(state.range(1));
  Service a = MakeService("hrw", n, false, false, false), b = a;
  if (change == 0) b.dests.pop_back();
  if (change == 1) a.dests.pop_back();
  if (change == 2) b.dests[n / 2].weight = b.dests[n / 2].last_weight = 200;
  auto sched = Bind("hrw", HRW_TABLE_SIZE_DEFAULT, b, state);
  if (!sched) return;
  std::string err;
  bool to_a = true;
  for (auto _ : state) {
    // a then b: add (b lacks one), remove (a lacks one), raise then cut.
    if (!sched->Update(to_a ? a : b, SchedEvent::kUpdDest, nullptr, &err)) {
      state.SkipWithError(err.c_str());
      return;
    }
    to_a = !to_a;
  }
}

// Args: M, N, skewed. The slots of the dest most over its weight's share,
// relative to that share, as the counter max_over_avg (the hash space,
// which uniform flow hashes see; a trace's heavy hitters add their own
// imbalance on top, whatever the table).
void BM_Balance(benchmark::State& state, const std::string& name) {
  const uint32_t size = state.range(0);
  const size_t n = state.range(1);
  Service svc = MakeService(name, n, state.range(2), false, false);
  auto sched = Bind(name, size, svc, state);
  if (!sched) return;
  const auto* table = dynamic_cast<const ipvs_sim::WmhScheduler&>(*sched).table();
  std::vector<double> slots(n);
  for (auto _ : state) {
    std::fill(slots.begin(), slots.end(), 0);
    for (uint32_t s = 0; s < table->size; ++s) slots[wmh_table_slot(table, s)]++;
  }
  double wsum = 0, worst = 0;
  for (const Dest& d : svc.dests) wsum += d.weight;
  for (size_t i = 0; i < n; ++i)
    worst = std::max(worst, slots[i] / (double(size) * svc.dests[i].weight / wsum));
  state.counters["max_over_avg"] = worst;
}

void LookupArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "v6", "port"})->ArgsProduct({{4093, 65521, 131071, 1048573}, {0, 1}, {0, 1}});
}
void ShLookupArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "v6", "port"})->ArgsProduct({{256}, {0, 1}, {0, 1}});
}
// wlc has no table: M is 0, the rest as for the others.
void WlcLookupArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "v6", "port"})->ArgsProduct({{0}, {0, 1}, {0, 1}});
}
void BuildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "skewed"})
      ->ArgsProduct({{4093, 65521, 131071, 1048573}, {10, 100, 1000, 10000}, {0, 1}})
      ->Unit(benchmark::kMicrosecond);
}

// chbl builds wmh's tables: the sizes mh can run and up to 1000 dests.
void ChblBuildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "skewed"})
      ->ArgsProduct({{4093, 65521, 131071}, {10, 100, 1000}, {0, 1}})
      ->Unit(benchmark::kMicrosecond);
}
void HrwBuildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "skewed"})
      ->ArgsProduct({{65521, HRW_TABLE_SIZE_DEFAULT}, {10, 100, 1000}, {0, 1}})
      ->Unit(benchmark::kMillisecond);
}
void RebuildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"N", "change"})->ArgsProduct({{10, 100, 1000}, {0, 1, 2}});
  b->Unit(benchmark::kMillisecond);
}
void BalanceArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "skewed"})
      ->ArgsProduct({{4093, 65521, HRW_TABLE_SIZE_DEFAULT, 1048573}, {10, 100, 1000}, {0, 1}})
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(BM_Lookup, wmh, std::string("wmh"))->Apply(LookupArgs);
BENCHMARK_CAPTURE(BM_Lookup, hrw, std::string("hrw"))->Apply(LookupArgs);
BENCHMARK_CAPTURE(BM_Lookup, chbl, std::string("chbl"))->Apply(LookupArgs);
BENCHMARK_CAPTURE(BM_Lookup, mh, std::string("mh"))->Apply(LookupArgs);
BENCHMARK_CAPTURE(BM_Lookup, wlc, std::string("wlc"))->Apply(WlcLookupArgs);
BENCHMARK_CAPTURE(BM_Lookup, sh, std::string("sh"))->Apply(ShLookupArgs);
BENCHMARK_CAPTURE(BM_Build, wmh, std::string("wmh"))->Apply(BuildArgs);
BENCHMARK_CAPTURE(BM_Build, mh, std::string("mh"))->Apply(BuildArgs);
BENCHMARK_CAPTURE(BM_Build, hrw, std::string("hrw"))->Apply(HrwBuildArgs);
BENCHMARK_CAPTURE(BM_Build, chbl, std::string("chbl"))->Apply(ChblBuildArgs);
BENCHMARK(BM_Rebuild)->Apply(RebuildArgs);
BENCHMARK_CAPTURE(BM_Balance, wmh, std::string("wmh"))->Apply(BalanceArgs);
BENCHMARK_CAPTURE(BM_Balance, hrw, std::string("hrw"))->Apply(BalanceArgs);

}  // namespace

BENCHMARK_MAIN();
