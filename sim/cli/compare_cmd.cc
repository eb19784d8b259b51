// SPDX-License-Identifier: GPL-2.0
// ipvs-sim compare / replay: schedulers over the same trace and timeline.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "common_cmd.h"
#include "ipvsadm_config.h"
#include "progress.h"
#include "replay.h"
#include "report.h"
#include "timeline.h"
#include "trace.h"
#include "trace_readahead.h"

namespace ipvs_sim {

namespace {

struct RunArgs {
  ConfigArgs config;
  std::string trace;
  std::string timeline;
  std::string schedulers = "wmh,hrw,chbl,mh,sh,rr,wlc";
  int directors = 1;
  bool sync = false;
  std::string ecmp = "hash-threshold";
  double window = 60;
  std::string out;
  std::string format = "table";
  uint32_t probe_keys = 100000;
  int jobs = 2;
  bool no_plots = false;
  bool strict = false;
  bool per_edit = false;
  ServedArgs served;
  CLI::Option* schedulers_opt = nullptr;  // to tell the default from a given list
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// The schedulers to run, checked; *err says why there are none.
bool ChooseSchedulers(const RunArgs& a, const GlobalOptions& g, bool single,
                      const IpvsConfig& config, std::vector<std::string>* out, std::string* err) {
  std::vector<std::string> names = Split(a.schedulers);
  // With ip_vs_wmh registered as mh or sh there is no "wmh" (and the name
  // it took is served by wmh): the default list drops it.
  if (!single && a.schedulers_opt && a.schedulers_opt->count() == 0 &&
      g.sched.wmh_sched_name != "wmh")
    std::erase(names, std::string("wmh"));
  if (single && names.empty() && !config.services.empty())
    names.push_back(config.services[0].scheduler);
  if (names.empty()) {
    *err = "--schedulers: no scheduler given";
    return false;
  }
  for (const std::string& n : names) {
    if (!MakeScheduler(n, g.sched, err)) {
      *err = fmt::format("--schedulers: {}", *err);
      return false;
    }
  }
  *out = std::move(names);
  return true;
}

// The options that do not depend on the configuration; "" when all are good.
std::string CheckRunArgs(const RunArgs& a, size_t schedulers) {
  if (a.trace == "-" && schedulers > 1)
    return "--trace -: stdin can be read once; compare needs a file";
  if (a.directors < 1 || a.directors > 64) return "--directors: 1..64";
  if (!(a.window > 0)) return "--window: must be > 0 seconds";
  if (a.format != "table" && a.format != "json" && a.format != "csv")
    return "--format: table, json or csv";
  return "";
}

ReplayOptions BaseReplayOptions(const RunArgs& a, const GlobalOptions& g) {
  ReplayOptions base;
  base.fleet.directors = a.directors;
  base.fleet.sync = a.sync;
  base.fleet.ecmp = a.ecmp == "resilient" ? EcmpMode::kResilient : EcmpMode::kHashThreshold;
  SetDirectorOptions(g, &base.fleet.director);
  base.window = a.window;
  base.probe_keys = a.probe_keys;
  base.per_edit = a.per_edit;
  return base;
}

// One replay per scheduler, a.jobs at a time, each with its own trace
// reader. False with *err = the first replay's error.
bool ReplayAll(const RunArgs& a, const GlobalOptions& g, bool single, const IpvsConfig& config,
               const std::vector<TimelineEvent>& timeline, const std::vector<std::string>& names,
               std::vector<RunResult>* results, std::string* err) {
  ReplayOptions base = BaseReplayOptions(a, g);
  Progress progress(!g.quiet && Progress::StderrIsTty(), names);
  results->assign(names.size(), RunResult());
  std::vector<std::string> errors(names.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i; (i = next.fetch_add(1)) < names.size();) {
      std::string e;
      std::unique_ptr<TraceReader> trace = OpenTrace(a.trace, &e);
      if (!trace) {
        errors[i] = e;
        continue;
      }
      // A lone replay leaves a core idle: parse the trace on it.
      if (names.size() == 1 && a.jobs > 1) trace = ReadAhead(std::move(trace));
      ReplayOptions opts = base;
      // replay without --scheduler keeps the configuration's and the
      // timeline's schedulers.
      opts.fleet.director.sched_override = single && a.schedulers.empty() ? "" : names[i];
      if (progress.enabled()) {
        int slot = static_cast<int>(i);
        opts.on_progress = [&progress, slot](uint64_t flows, uint64_t pos, uint64_t size,
                                             bool done) {
          progress.Update(slot, flows, pos, size);
          if (done) progress.Finish(slot);
        };
      }
      if (!RunReplay(config, trace.get(), timeline, opts, &(*results)[i], &e)) errors[i] = e;
      (*results)[i].scheduler = names[i];
    }
  };
  int jobs = std::clamp(a.jobs, 1, static_cast<int>(names.size()));
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  progress.Done();
  for (const std::string& e : errors) {
    if (!e.empty()) {
      *err = e;
      return false;
    }
  }
  return true;
}

ReportContext MakeReportContext(const RunArgs& a, const GlobalOptions& g, bool single,
                                const IpvsConfig& config, const std::vector<std::string>& names) {
  ReportContext ctx;
  ctx.config = a.config.path;
  ctx.trace = a.trace;
  ctx.timeline = a.timeline;
  ctx.directors = a.directors;
  ctx.sync = a.sync;
  ctx.window = a.window;
  std::vector<std::string> served = names;
  if (single && a.schedulers.empty())
    for (const Service& s : config.services) served.push_back(s.scheduler);
  for (const std::string& n : served) {
    bool seen = false;
    for (const auto& p : ctx.served_by) seen = seen || p.first == n;
    if (!seen) ctx.served_by.emplace_back(n, SchedulerServedBy(n, g.sched));
  }
  return ctx;
}

int RunCompare(const RunArgs& a, const GlobalOptions& global, bool single) {
  std::string err;
  IpvsConfig config;
  GlobalOptions g = global;
  if (!LoadConfigArgs(a.config, g, &config, &err)) return Fail(err);
  if (!LoadServedArgs(a.served, &g, &config, &err)) return Fail(err);
  WarnUnreachable(config, g);
  std::vector<TimelineEvent> timeline;
  if (!a.timeline.empty() && !ParseTimeline(a.timeline, &timeline, &err)) return Fail(err);
  if (!CheckSomeService(a.config.path, config, timeline, &err)) return Fail(err);
  std::vector<std::string> names;
  if (!ChooseSchedulers(a, g, single, config, &names, &err)) return Fail(err);
  if (std::string bad = CheckRunArgs(a, names.size()); !bad.empty()) return Fail(bad);

  std::vector<RunResult> results;
  if (!ReplayAll(a, g, single, config, timeline, names, &results, &err)) return Fail(err);
  // Which flows match a service does not depend on the scheduler.
  if (int status = ReportNoService(results[0], a.strict, g)) return status;

  ReportContext ctx = MakeReportContext(a, g, single, config, names);
  std::string table = FormatTable(ctx, results);
  if (!a.out.empty()) {
    OutputFiles files;
    AddReportFiles(ctx, results, &files);
    files.Add("summary.txt", table);
    std::vector<std::string> warnings;
    if (!files.Commit(a.out, !a.no_plots, &warnings, &err)) return Fail(err);
    if (!g.quiet)
      for (const std::string& w : warnings) fmt::print(stderr, "warning: {}\n", w);
  }
  if (a.format == "json")
    fmt::print("{}", FormatJson(ctx, results));
  else if (a.format == "csv")
    fmt::print("{}", FormatSummaryCsv(results));
  else
    fmt::print("{}", table);
  std::fflush(stdout);
  return ReportOutgrown(a.served, config, g,
                        single && a.schedulers.empty() ? std::vector<std::string>{} : names);
}

CLI::App* AddRunOptions(CLI::App* c, RunArgs* a, bool single) {
  AddConfigOptions(c, &a->config);
  c->add_option("-T,--trace", a->trace, "trace: text, pcap or ip_vs_conn snapshot")->required();
  c->add_option("-t,--timeline", a->timeline, "timeline of edits and director events");
  c->add_flag("--per-edit", a->per_edit,
              "figures per timeline edit; by default the edits of one service that share a time "
              "stamp are one change");
  if (single)
    a->schedulers_opt = c->add_option("-s,--scheduler", a->schedulers,
                                      "scheduler for every service (default: the configuration's)");
  else
    a->schedulers_opt = c->add_option("-s,--schedulers", a->schedulers,
                                      "comma-separated schedulers to compare (without wmh when "
                                      "--wmh-sched-name is mh or sh)")
                            ->capture_default_str();
  c->add_option("-D,--directors", a->directors, "directors behind ECMP")->capture_default_str();
  c->add_flag("--sync", a->sync, "connection sync between directors");
  c->add_option("--ecmp", a->ecmp,
                "ECMP model: hash-threshold (Linux default, RFC 2992) or resilient (buckets)")
      ->check(CLI::IsMember({"hash-threshold", "resilient"}))
      ->capture_default_str();
  c->add_option("-w,--window", a->window, "metrics window in seconds")->capture_default_str();
  c->add_option("-o,--out", a->out,
                "write summary.json, CSVs, gnuplot scripts and PNGs into this directory "
                "(atomically)");
  c->add_option("--format", a->format, "terminal output: table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  c->add_option("--probe-keys", a->probe_keys,
                "synthetic keys sampled per event to measure hash-space remapping (0: off)")
      ->capture_default_str();
  c->add_option("-j,--jobs", a->jobs, "schedulers replayed in parallel")->capture_default_str();
  c->add_flag("--no-plots", a->no_plots, "do not run gnuplot");
  c->add_flag("--strict", a->strict,
              "flows that match no service are an error (exit 1, naming the VIPs) instead of "
              "a warning");
  AddServedOptions(c, &a->served);
  return c;
}

}  // namespace

void SetupCompare(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* c = app->add_subcommand(
      "compare",
      "Replay the same trace and timeline through several schedulers (each replacing the "
      "configuration's) and compare load spread and disruption side by side.");
  AddRunOptions(c, a.get(), false);
  c->footer(SchedulerHelp());
  c->callback([run, a, g]() { *run = [a, g]() { return RunCompare(*a, *g, false); }; });
}

void SetupReplay(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<RunArgs>();
  a->schedulers.clear();
  CLI::App* c = app->add_subcommand(
      "replay", "Replay a trace and timeline through one scheduler; same outputs as compare.");
  AddRunOptions(c, a.get(), true);
  c->footer(SchedulerHelp());
  c->callback([run, a, g]() { *run = [a, g]() { return RunCompare(*a, *g, true); }; });
}

}  // namespace ipvs_sim
