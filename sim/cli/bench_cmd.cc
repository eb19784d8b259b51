// SPDX-License-Identifier: GPL-2.0
// ipvs-sim bench: speed of the replay engine alone. Flows are generated
// into memory first (sim/trace/tracegen.h), then replayed through one scheduler
// with the connection table, metrics and a timeline-free fleet.
#include <fmt/core.h>
#include <sys/resource.h>

#include <chrono>

#include "common_cmd.h"
#include "replay.h"
#include "tracegen.h"

namespace ipvs_sim {

namespace {

struct BenchArgs {
  uint64_t flows = 2000000;
  double rate = 20000;
  std::string scheduler = "wmh";
  int dests = 8;
  int directors = 1;
};

class MemoryTrace : public TraceReader {
 public:
  explicit MemoryTrace(const std::vector<TraceFlow>* flows) : flows_(flows) {}
  bool Next(TraceFlow* flow) override {
    if (next_ >= flows_->size()) return false;
    *flow = (*flows_)[next_++];
    return true;
  }
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return next_; }
  uint64_t size() const override { return flows_->size(); }

 private:
  const std::vector<TraceFlow>* flows_;
  size_t next_ = 0;
  std::string error_;
};

int RunBench(const BenchArgs& a, const GlobalOptions& g) {
  TraceGenOptions go;
  go.flows = a.flows;
  go.rate = a.rate;
  go.clients = 100000;
  go.vips = {Endpoint{IpAddr::V4(0x0a000001), 80}};
  std::string err;
  std::unique_ptr<TraceGenerator> gen = TraceGenerator::Create(go, &err);
  if (!gen) return Fail(err);
  std::vector<TraceFlow> flows;
  flows.reserve(a.flows);
  TraceFlow f;
  while (gen->Next(&f)) flows.push_back(f);

  IpvsConfig config;
  Service svc;
  svc.key.vip = go.vips[0];
  svc.scheduler = a.scheduler;
  for (int i = 0; i < a.dests; ++i) {
    Dest d;
    d.ep = Endpoint{IpAddr::V4(0xc0a80101 + i), 80};
    d.weight = d.last_weight = 1 + i % 3;
    svc.dests.push_back(d);
  }
  config.services.push_back(svc);

  ReplayOptions opts;
  opts.fleet.directors = a.directors;
  SetDirectorOptions(g, &opts.fleet.director);
  MemoryTrace trace(&flows);
  RunResult result;
  auto t0 = std::chrono::steady_clock::now();
  if (!RunReplay(config, &trace, {}, opts, &result, &err)) return Fail(err);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  fmt::print(
      "{} flows over {:.0f} s of trace through {} ({} dests, {} director{}): {:.3f} s, "
      "{:.2f}M flows/s; max RSS {} MiB (including {} MiB of preloaded flows)\n",
      result.flows, result.duration, a.scheduler, a.dests, a.directors, a.directors == 1 ? "" : "s",
      secs, result.flows / secs / 1e6, ru.ru_maxrss / 1024, flows.size() * sizeof(TraceFlow) >> 20);
  return 0;
}

}  // namespace

void SetupBench(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* c = app->add_subcommand(
      "bench", "Measure the replay engine alone on generated flows held in memory.");
  c->add_option("-n,--flows", a->flows, "flows")->capture_default_str();
  c->add_option("-r,--rate", a->rate, "new flows per second of trace")->capture_default_str();
  c->add_option("-s,--scheduler", a->scheduler, "scheduler")->capture_default_str();
  c->add_option("--dests", a->dests, "real servers (weights 1,2,3,1,...)")->capture_default_str();
  c->add_option("-D,--directors", a->directors, "directors")->capture_default_str();
  c->callback([run, a, g]() { *run = [a, g]() { return RunBench(*a, *g); }; });
}

}  // namespace ipvs_sim
