// SPDX-License-Identifier: GPL-2.0
// ipvs-sim predict: the dest of every flow, as one director would choose it.
#include <fmt/core.h>

#include <cstdio>

#include "atomic_file.h"
#include "common_cmd.h"
#include "ipvsadm_config.h"
#include "replay.h"
#include "report.h"
#include "timeline.h"
#include "trace.h"

namespace ipvs_sim {

namespace {

struct PredictArgs {
  ConfigArgs config;
  std::string flows;
  std::string timeline;
  std::string out;
  bool strict = false;
  ServedArgs served;
};

int RunPredict(const PredictArgs& a, const GlobalOptions& global) {
  std::string err;
  IpvsConfig config;
  GlobalOptions g = global;
  if (!LoadConfigArgs(a.config, g, &config, &err)) return Fail(err);
  if (!LoadServedArgs(a.served, &g, &config, &err)) return Fail(err);
  WarnUnreachable(config, g);
  std::vector<TimelineEvent> timeline;
  if (!a.timeline.empty() && !ParseTimeline(a.timeline, &timeline, &err)) return Fail(err);
  if (!CheckSomeService(a.config.path, config, timeline, &err)) return Fail(err);
  std::unique_ptr<TraceReader> trace = OpenTrace(a.flows, &err);
  if (!trace) return Fail(err);
  ReplayOptions opts;
  opts.fleet.directors = 1;
  SetDirectorOptions(g, &opts.fleet.director);
  opts.probe_keys = 0;
  std::string buf;
  bool to_stdout = a.out.empty() || a.out == "-";
  opts.on_flow = [&](const TraceFlow& f, const FlowOutcome&, const Endpoint* dest) {
    buf += FormatPrediction(f, dest);
    if (to_stdout && buf.size() > (1 << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  };
  RunResult result;
  if (!RunReplay(config, trace.get(), timeline, opts, &result, &err)) {
    if (to_stdout) std::fwrite(buf.data(), 1, buf.size(), stdout);
    std::fflush(stdout);
    return Fail(err);
  }
  if (!g.quiet)
    for (const std::string& w : result.warnings) fmt::print(stderr, "warning: {}\n", w);
  int outgrown = ReportOutgrown(a.served, config, g, {});
  if (to_stdout) {
    if (int status = WriteStdout(buf)) return status;
    if (int status = ReportNoService(result, a.strict, g)) return status;
    return outgrown;
  }
  // --strict: no output file from a run that matched flows to nothing.
  if (int status = ReportNoService(result, a.strict, g)) return status;
  if (!WriteFileAtomic(a.out, buf, &err)) return Fail(err);
  return outgrown;
}

}  // namespace

void SetupPredict(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* c = app->add_subcommand(
      "predict",
      "Print the dest of every flow as one director would choose it: one line per flow in "
      "input order, 'CLIENT VIP DEST' ('-' when no dest). Flows go through one connection "
      "table in order, so rr/wlc state evolves and a live 5-tuple keeps its dest.");
  AddConfigOptions(c, &a->config);
  c->add_option("-f,--flows", a->flows, "flows: text trace, pcap or ip_vs_conn snapshot")
      ->required();
  c->add_option("-t,--timeline", a->timeline, "timeline of edits applied between flows");
  c->add_option("-o,--output", a->out, "write here (atomically) instead of stdout");
  c->add_flag("--strict", a->strict,
              "flows that match no service are an error (exit 1, naming the VIPs) instead of "
              "a warning");
  AddServedOptions(c, &a->served);
  c->callback([run, a, g]() { *run = [a, g]() { return RunPredict(*a, *g); }; });
}

}  // namespace ipvs_sim
