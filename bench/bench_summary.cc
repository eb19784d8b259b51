// SPDX-License-Identifier: GPL-2.0
// Reads the JSON that bench/run.sh collected in one run and prints each of
// our figures next to its in-tree counterpart as a ratio, with the targets
// of Documentation/performance.rst. Exit status is 0 even when a target is
// missed: benchmarks inform, tests decide.
//
// Usage: bench_summary RESULTS_DIR
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "hrw_table.h"

namespace {

using Times = std::map<std::string, double>;  // benchmark name -> ns per iteration

double ToNs(double v, const std::string& unit) {
  if (unit == "us") return v * 1e3;
  if (unit == "ms") return v * 1e6;
  if (unit == "s") return v * 1e9;
  return v;
}

bool Load(const std::string& path, Times* times) {
  std::ifstream in(path);
  if (!in) return false;
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", path, e.what());
    return false;
  }
  for (const auto& b : j["benchmarks"]) {
    if (b.value("error_occurred", false)) continue;
    if (b.value("run_type", "iteration") != "iteration") continue;
    std::string name = b["name"];
    (*times)[name] = ToNs(b["real_time"].get<double>(), b.value("time_unit", "ns"));
  }
  return true;
}

const char* const kChanges[] = {"add", "remove", "weight x2"};

void Ratio(const Times& t, const std::string& what, const std::string& ours,
           const std::string& theirs, double target) {
  auto a = t.find(ours), b = t.find(theirs);
  if (a == t.end() || b == t.end()) {
    fmt::print("  {:<44} missing ({} / {})\n", what, ours, theirs);
    return;
  }
  double r = a->second / b->second;
  if (target <= 0) {  // a figure to know, not a goal
    fmt::print("  {:<44} {:>10.1f} ns vs {:>10.1f} ns  ratio {:5.2f}  (no target)\n", what,
               a->second, b->second, r);
    return;
  }
  fmt::print("  {:<44} {:>10.1f} ns vs {:>10.1f} ns  ratio {:5.2f}  target <= {:.2f}  {}\n", what,
             a->second, b->second, r, target, r <= target ? "met" : "MISSED");
}

// wmh against the mh model: lookups and builds.
void WmhSection(const Times& t) {
  fmt::print("Lookup, one scheduling decision (wmh vs the mh model, same table size):\n");
  for (int m : {4093, 65521, 131071})
    for (int v6 : {0, 1})
      for (int port : {0, 1}) {
        std::string args = fmt::format("M:{}/v6:{}/port:{}", m, v6, port);
        Ratio(t, fmt::format("M={} {} port={}", m, v6 ? "IPv6" : "IPv4", port),
              "BM_Lookup/wmh/" + args, "BM_Lookup/mh/" + args, 1.0);
      }
  fmt::print("\nTable build (wmh vs the mh model, same inputs):\n");
  for (int n : {10, 100, 1000})
    for (int skewed : {0, 1}) {
      std::string args = fmt::format("M:65521/N:{}/skewed:{}", n, skewed);
      Ratio(t, fmt::format("M=65521 N={} {}", n, skewed ? "skewed" : "equal"),
            "BM_Build/wmh/" + args, "BM_Build/mh/" + args, 1.0);
    }
}

// hrw: lookups, full builds and incremental rebuilds.
void HrwSection(const Times& t) {
  // hrw: wmh's lookup code, so the same speed at the same size; a full
  // build costs O(M * N) score evaluations (target: at most N times wmh's);
  // an incremental rebuild at most a tenth of a full build (hrw.rst).
  fmt::print("\nhrw (lookup vs wmh and the mh model; rebuilds vs its own full build):\n");
  for (int m : {4093, 65521, 131071}) {
    std::string args = fmt::format("M:{}/v6:0/port:0", m);
    Ratio(t, fmt::format("lookup M={} IPv4 vs wmh", m), "BM_Lookup/hrw/" + args,
          "BM_Lookup/wmh/" + args, 1.1);
    Ratio(t, fmt::format("lookup M={} IPv4 vs mh", m), "BM_Lookup/hrw/" + args,
          "BM_Lookup/mh/" + args, 1.0);
  }
  for (int n : {10, 100})
    Ratio(t, fmt::format("full build M=65521 N={} vs wmh", n),
          fmt::format("BM_Build/hrw/M:65521/N:{}/skewed:0", n),
          fmt::format("BM_Build/wmh/M:65521/N:{}/skewed:0", n), n);
  for (int n : {100, 1000})
    for (int change : {0, 1, 2})
      Ratio(t, fmt::format("rebuild N={} {} vs full build", n, kChanges[change]),
            fmt::format("BM_Rebuild/N:{}/change:{}", n, change),
            fmt::format("BM_Build/hrw/M:{}/N:{}/skewed:0", HRW_TABLE_SIZE_DEFAULT, n), 0.1);
}

// chbl: lookups against wlc, wmh and mh; builds against wmh.
void ChblSection(const Times& t) {
  // chbl: wmh's lookup after counting the service's connections over its
  // dests (O(N), as wlc's scan): the count is the price of the bound, so
  // the target is wlc's speed (both read every dest once per new flow);
  // against wmh and mh, whose lookups read one dest, the ratio is N-bound
  // and has no target. Its build is wmh's (the same code): at most 1.10x.
  fmt::print("\nchbl (lookup of 100 dests vs wmh, the mh and wlc models; core; build vs wmh's):\n");
  for (int m : {4093, 65521, 131071}) {
    std::string args = fmt::format("M:{}/v6:0/port:0", m);
    Ratio(t, fmt::format("lookup M={} IPv4 vs wlc", m), "BM_Lookup/chbl/" + args,
          "BM_Lookup/wlc/M:0/v6:0/port:0", 1.0);
    Ratio(t, fmt::format("lookup M={} IPv4 vs wmh", m), "BM_Lookup/chbl/" + args,
          "BM_Lookup/wmh/" + args, 0);
    Ratio(t, fmt::format("lookup M={} IPv4 vs mh", m), "BM_Lookup/chbl/" + args,
          "BM_Lookup/mh/" + args, 0);
  }
  for (int m : {4093, 65537})
    Ratio(t, fmt::format("core lookup M={} IPv4 vs wmh core", m),
          fmt::format("BM_ChblCoreLookup/M:{}/v6:0/port:0", m),
          fmt::format("BM_WmhCoreLookup/M:{}/v6:0/port:0", m), 0);
  for (int n : {10, 100, 1000})
    Ratio(t, fmt::format("build M=65521 N={} vs wmh", n),
          fmt::format("BM_Build/chbl/M:65521/N:{}/skewed:0", n),
          fmt::format("BM_Build/wmh/M:65521/N:{}/skewed:0", n), 1.1);

  auto core = t.find("BM_WmhCoreBuild/M:65537/N:1000/skewed:0");
  if (core != t.end())
    fmt::print("  {:<44} {:>10.3f} ms  target < 2 ms  {}\n", "wmh core build M=65537 N=1000",
               core->second / 1e6, core->second < 2e6 ? "met" : "MISSED");
}

// End-to-end replay speed and memory (replay.json, from bench/run.sh).
void ReplaySection(const std::string& dir) {
  fmt::print(
      "\nReplay through ipvs-sim, end to end (parse, schedule, connection table, metrics):\n");
  std::ifstream rin(dir + "/replay.json");
  if (rin) {
    try {
      nlohmann::json r;
      rin >> r;
      double flows = r.at("flows");
      // /usr/bin/time has 10 ms resolution: smoke runs are too short.
      double one_s = std::max(r.at("one").at("seconds").get<double>(), 0.01);
      double one = flows / one_s;
      fmt::print("  {:<44} {:>10.2f}M flows/s  target >= 5M  {}\n",
                 "one scheduler (wmh), best of 3", one / 1e6, one >= 5e6 ? "met" : "MISSED");
      fmt::print("  {:<44} {:>10}\n", "engine alone (flows in memory)",
                 r.at("engine_only").get<std::string>() + " flows/s");
      const auto& five = r.at("five");
      double five_s = std::max(five.at("seconds").get<double>(), 0.01);
      double cores = five.at("cpu_seconds").get<double>() / five_s;
      fmt::print("  {:<44} {:>10.2f}M flows/s  {:.2f} cores busy  target: both cores  {}\n",
                 "five schedulers in one compare",
                 5 * flows / five.at("seconds").get<double>() / 1e6, cores,
                 cores >= 1.5 ? "met" : "MISSED");
      const auto& st = r.at("streamed");
      double a = st.at("short_peak_rss_kib"), b = st.at("long_peak_rss_kib");
      fmt::print("  peak memory streamed: {:.0f} MiB for {} flows, {:.0f} MiB for {} flows  {}\n",
                 a / 1024, st.at("short_flows").get<long>(), b / 1024,
                 st.at("long_flows").get<long>(), b <= a * 1.25 ? "flat (met)" : "GROWS (MISSED)");
    } catch (const std::exception& e) {
      fmt::print(stderr, "replay.json: {}\n", e.what());
    }
  } else {
    fmt::print("  (replay.json not found)\n");
  }
}

// In-kernel cost (kernel_flows.json, copied by bench/run.sh when measured).
void KernelSection(const std::string& dir) {
  std::ifstream kern(dir + "/kernel_flows.json");
  if (kern) {
    nlohmann::json k;
    try {
      kern >> k;
      double wmh = k.at("wmh_seconds"), mh = k.at("mh_seconds");
      fmt::print("\nIn the kernel ({} new UDP flows in one VM boot):\n", k.value("flows", 0));
      fmt::print("  {:<44} {:>8.2f} s vs {:>8.2f} s  ratio {:5.2f}  target <= 1.10  {}\n",
                 "wmh vs mh", wmh, mh, wmh / mh, wmh / mh <= 1.1 ? "met" : "MISSED");
    } catch (const std::exception& e) {
      fmt::print(stderr, "kernel_flows.json: {}\n", e.what());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: bench_summary RESULTS_DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  Times t;
  for (const char* f : {"core_bench.json", "sched_bench.json"})
    if (!Load(dir + "/" + f, &t)) fmt::print("  ({} not found)\n", f);
  WmhSection(t);
  HrwSection(t);
  ChblSection(t);
  ReplaySection(dir);
  KernelSection(dir);
  return 0;
}
