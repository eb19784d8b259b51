// SPDX-License-Identifier: GPL-2.0
#include "report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "gnuplot.h"
#include "plots.h"

namespace ipvs_sim {

namespace {

namespace fs = std::filesystem;

std::string Pct(double v) { return std::isnan(v) ? "-" : fmt::format("{:.2f}%", 100 * v); }
std::string Num(double v, int prec = 3) {
  return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, prec);
}
std::string Csv(double v) { return std::isnan(v) ? "" : fmt::format("{:.6g}", v); }

nlohmann::json J(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

double Field(const Balance& b, double Balance::*f) { return b.valid ? b.*f : kNaN; }

// Mean and worst of a balance field over the valid windows.
std::pair<double, double> OverWindows(const RunResult& r, Balance ServiceWindow::*which,
                                      double Balance::*f) {
  double sum = 0, worst = kNaN;
  int n = 0;
  for (const ServiceWindow& w : r.windows) {
    const Balance& b = w.*which;
    if (!b.valid || !FullWindow(r, w)) continue;
    sum += b.*f;
    worst = std::isnan(worst) ? b.*f : std::max(worst, b.*f);
    ++n;
  }
  return {n ? sum / n : kNaN, worst};
}

bool HasBytes(const RunResult& r) {
  for (const ServiceWindow& t : r.totals)
    for (const DestWindow& d : t.dests)
      if (d.bytes) return true;
  return false;
}

}  // namespace

std::string FormatTable(const ReportContext& ctx, const std::vector<RunResult>& runs) {
  std::string out = fmt::format("config {}  trace {}", ctx.config, ctx.trace);
  if (!ctx.timeline.empty()) out += fmt::format("  timeline {}", ctx.timeline);
  out += fmt::format(
      "\n{} director{}{}, window {} s\n", ctx.directors, ctx.directors == 1 ? "" : "s",
      ctx.directors > 1 ? (ctx.sync ? " with conn sync" : " without conn sync") : "", ctx.window);
  for (const auto& [name, code] : ctx.served_by)
    out += fmt::format("{}: served by {}\n", name, code);
  out += '\n';
  constexpr int kLabel = 34, kCol = 13;
  auto row = [&](const std::string& label, auto cell) {
    out += fmt::format("{:<{}}", label, kLabel);
    for (const RunResult& r : runs) out += fmt::format("{:>{}}", cell(r), kCol);
    out += '\n';
  };
  row("", [](const RunResult& r) { return r.scheduler; });
  row("flows", [](const RunResult& r) { return std::to_string(r.flows); });
  row("  no destination", [](const RunResult& r) { return std::to_string(r.no_dest); });
  row("  broken (dest lost mid-flow)", [](const RunResult& r) { return std::to_string(r.broken); });
  bool persistent = std::any_of(runs.begin(), runs.end(),
                                [](const RunResult& r) { return r.persistent_flows > 0; });
  if (persistent) {
    row("  new to persistent services",
        [](const RunResult& r) { return std::to_string(r.persistent_flows); });
    row("  ... sent by a template", [](const RunResult& r) {
      return Pct(r.persistent_flows ? static_cast<double>(r.persisted) / r.persistent_flows : kNaN);
    });
  }
  row("  first choice of the scheduler", [](const RunResult& r) {
    return Pct(r.scheduled ? 1.0 - static_cast<double>(r.bounded) / r.scheduled : kNaN);
  });
  row("  peak weighted entries at placing",
      [](const RunResult& r) { return r.peak_load > 0 ? Num(r.peak_load) : std::string("-"); });
  if (std::any_of(runs.begin(), runs.end(), [](const RunResult& r) { return r.dropped > 0; }))
    row("  dropped on a deleted dest's entry",
        [](const RunResult& r) { return std::to_string(r.dropped); });
  auto balance_rows = [&](const char* title, Balance ServiceWindow::*which) {
    out += fmt::format("{}\n", title);
    auto total = [which](const RunResult& r, double Balance::*f) {
      return r.totals.empty() ? kNaN : Field(r.totals[0].*which, f);
    };
    row("  max relative error, whole run",
        [&](const RunResult& r) { return Pct(total(r, &Balance::max_rel_err)); });
    row("  max weighted load, whole run",
        [&](const RunResult& r) { return Num(total(r, &Balance::max_load)); });
    row("  coeff. of variation, whole run",
        [&](const RunResult& r) { return Pct(total(r, &Balance::cv)); });
    row("  max rel. error, window mean", [&](const RunResult& r) {
      return Pct(OverWindows(r, which, &Balance::max_rel_err).first);
    });
    row("  max rel. error, worst window", [&](const RunResult& r) {
      return Pct(OverWindows(r, which, &Balance::max_rel_err).second);
    });
    row("  max/mean load, worst window", [&](const RunResult& r) {
      return Num(OverWindows(r, which, &Balance::max_over_mean).second);
    });
  };
  balance_rows("new flows against weight", &ServiceWindow::new_flows_balance);
  balance_rows("concurrent flows against weight", &ServiceWindow::concurrent_balance);
  bool bytes = std::any_of(runs.begin(), runs.end(), HasBytes);
  if (bytes) balance_rows("bytes against weight", &ServiceWindow::bytes_balance);
  size_t nevents = runs.empty() ? 0 : runs[0].events.size();
  for (size_t e = 0; e < nevents; ++e) {
    const EventStats& ev = runs[0].events[e];
    out += fmt::format("t={}s {}", ev.time, ev.what);
    if (!std::isnan(ev.ideal_remap)) out += fmt::format(" (ideal remap {})", Pct(ev.ideal_remap));
    out += '\n';
    auto at = [e](const RunResult& r) -> const EventStats& { return r.events[e]; };
    if (!std::isnan(ev.ideal_remap)) {
      row("  hash space remapped", [&](const RunResult& r) { return Pct(at(r).hash_remap); });
      row("  new flows remapped", [&](const RunResult& r) { return Pct(at(r).new_flow_remap()); });
    } else {
      row("  flows moved to another director",
          [&](const RunResult& r) { return std::to_string(at(r).moved); });
    }
    row("  flows broken", [&](const RunResult& r) { return std::to_string(at(r).broken); });
    if (std::any_of(runs.begin(), runs.end(), [&](const RunResult& r) { return at(r).kept > 0; }))
      row("  flows kept (drained dest)",
          [&](const RunResult& r) { return std::to_string(at(r).kept); });
    if (persistent)
      row("  templates broken",
          [&](const RunResult& r) { return std::to_string(at(r).templates_broken); });
  }
  row("replay speed (flows/s)", [](const RunResult& r) {
    return r.wall_seconds > 0 ? fmt::format("{:.2f}M", r.flows / r.wall_seconds / 1e6)
                              : std::string("-");
  });
  for (const RunResult& r : runs)
    for (const std::string& w : r.warnings) out += fmt::format("warning: {}: {}\n", r.scheduler, w);
  return out;
}

namespace {

nlohmann::json JsonBalance(const Balance& b) {
  if (!b.valid) return nlohmann::json(nullptr);
  return nlohmann::json{{"max_rel_err", b.max_rel_err},
                        {"max_load", b.max_load},
                        {"max_over_mean", b.max_over_mean},
                        {"cv", b.cv},
                        {"zero_weight_share", b.zero_weight_share}};
}

// One service of a run, over the whole run: totals, balance, dests.
nlohmann::json JsonService(const RunResult& r, const ServiceWindow& t) {
  using nlohmann::json;
  json js;
  js["service"] = r.services[t.svc];
  js["new_flows"] = t.new_flows;
  js["no_dest"] = t.no_dest;
  js["broken"] = t.broken;
  js["balance"] = {{"new_flows", JsonBalance(t.new_flows_balance)},
                   {"concurrent", JsonBalance(t.concurrent_balance)},
                   {"bytes", JsonBalance(t.bytes_balance)}};
  json wins;
  for (auto [name, which] : {std::pair{"new_flows", &ServiceWindow::new_flows_balance},
                             std::pair{"concurrent", &ServiceWindow::concurrent_balance}}) {
    auto [mean, worst] = OverWindows(r, which, &Balance::max_rel_err);
    wins[name] = {{"max_rel_err_mean", J(mean)}, {"max_rel_err_worst", J(worst)}};
  }
  js["windows"] = wins;
  double nf = 0, cc = 0, by = 0;
  for (const DestWindow& d : t.dests) {
    nf += d.new_flows;
    cc += d.concurrent;
    by += d.bytes;
  }
  js["dests"] = json::array();
  for (const DestWindow& d : t.dests)
    js["dests"].push_back({{"dest", r.dest_ep[d.dest_id].ToString()},
                           {"weight_share", d.weight_share},
                           {"new_flows", d.new_flows},
                           {"new_share", J(Share(d.new_flows, nf))},
                           {"concurrent", d.concurrent},
                           {"concurrent_share", J(Share(d.concurrent, cc))},
                           {"bytes", d.bytes},
                           {"bytes_share", J(Share(d.bytes, by))}});
  return js;
}

nlohmann::json JsonEvent(const EventStats& e) {
  return {{"time", e.time},
          {"event", e.what},
          {"where", e.where},
          {"edits", e.edits},
          {"ideal_remap", J(e.ideal_remap)},
          {"hash_remap", J(e.hash_remap)},
          {"new_flow_remap", J(e.new_flow_remap())},
          {"probed_flows", e.probed_flows},
          {"broken", e.broken},
          {"templates_broken", e.templates_broken},
          {"kept", e.kept},
          {"moved", e.moved},
          {"survived", e.survived}};
}

nlohmann::json JsonRun(const RunResult& r) {
  using nlohmann::json;
  json jr;
  jr["scheduler"] = r.scheduler;
  jr["flows"] = r.flows;
  jr["no_service"] = r.no_service;
  jr["no_dest"] = r.no_dest;
  jr["broken"] = r.broken;
  jr["reused"] = r.reused;
  jr["dropped"] = r.dropped;
  jr["persistent_flows"] = r.persistent_flows;
  jr["persisted"] = r.persisted;
  jr["scheduled"] = r.scheduled;
  jr["bounded"] = r.bounded;
  jr["peak_load"] = J(r.peak_load > 0 ? r.peak_load : kNaN);
  jr["duration"] = r.duration;
  jr["wall_seconds"] = r.wall_seconds;
  jr["flows_per_second"] = J(r.wall_seconds > 0 ? r.flows / r.wall_seconds : kNaN);
  jr["warnings"] = r.warnings;
  jr["services"] = json::array();
  for (const ServiceWindow& t : r.totals) jr["services"].push_back(JsonService(r, t));
  jr["events"] = json::array();
  for (const EventStats& e : r.events) jr["events"].push_back(JsonEvent(e));
  return jr;
}

}  // namespace

std::string FormatJson(const ReportContext& ctx, const std::vector<RunResult>& runs) {
  using nlohmann::json;
  json j;
  j["config"] = ctx.config;
  j["trace"] = ctx.trace;
  j["timeline"] = ctx.timeline;
  j["directors"] = ctx.directors;
  j["sync"] = ctx.sync;
  j["window"] = ctx.window;
  j["served_by"] = json::object();
  for (const auto& [name, code] : ctx.served_by) j["served_by"][name] = code;
  j["runs"] = json::array();
  for (const RunResult& r : runs) j["runs"].push_back(JsonRun(r));
  return j.dump(2) + "\n";
}

std::string FormatSummaryCsv(const std::vector<RunResult>& runs) {
  std::string out =
      "scheduler,flows,no_service,no_dest,broken,reused,new_max_rel_err,new_max_load,new_cv,"
      "conc_max_rel_err,conc_cv,window_new_max_rel_err_mean,window_new_max_rel_err_worst,"
      "flows_per_second\n";
  for (const RunResult& r : runs) {
    Balance n, c;
    if (!r.totals.empty()) {
      n = r.totals[0].new_flows_balance;
      c = r.totals[0].concurrent_balance;
    }
    auto [mean, worst] = OverWindows(r, &ServiceWindow::new_flows_balance, &Balance::max_rel_err);
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.scheduler, r.flows,
                       r.no_service, r.no_dest, r.broken, r.reused,
                       Csv(Field(n, &Balance::max_rel_err)), Csv(Field(n, &Balance::max_load)),
                       Csv(Field(n, &Balance::cv)), Csv(Field(c, &Balance::max_rel_err)),
                       Csv(Field(c, &Balance::cv)), Csv(mean), Csv(worst),
                       Csv(r.wall_seconds > 0 ? r.flows / r.wall_seconds : kNaN));
  }
  return out;
}

std::string FormatWindowsCsv(const std::vector<RunResult>& runs) {
  std::string out =
      "scheduler,service,start,end,new_flows,no_dest,broken,"
      "new_max_rel_err,new_max_load,new_max_over_mean,new_cv,new_zero_weight_share,"
      "conc_max_rel_err,conc_max_load,conc_cv,bytes_max_rel_err,bytes_max_load,bytes_cv\n";
  for (const RunResult& r : runs) {
    for (const ServiceWindow& w : r.windows) {
      const Balance &n = w.new_flows_balance, &c = w.concurrent_balance, &b = w.bytes_balance;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.scheduler,
                         CsvQuote(r.services[w.svc]), w.start, w.end, w.new_flows, w.no_dest,
                         w.broken, Csv(Field(n, &Balance::max_rel_err)),
                         Csv(Field(n, &Balance::max_load)), Csv(Field(n, &Balance::max_over_mean)),
                         Csv(Field(n, &Balance::cv)), Csv(Field(n, &Balance::zero_weight_share)),
                         Csv(Field(c, &Balance::max_rel_err)), Csv(Field(c, &Balance::max_load)),
                         Csv(Field(c, &Balance::cv)), Csv(Field(b, &Balance::max_rel_err)),
                         Csv(Field(b, &Balance::max_load)), Csv(Field(b, &Balance::cv)));
    }
  }
  return out;
}

std::string FormatDestsCsv(const std::vector<RunResult>& runs) {
  std::string out =
      "scheduler,service,start,end,dest,weight_share,new_flows,new_share,concurrent,"
      "concurrent_share,bytes,bytes_share\n";
  for (const RunResult& r : runs) {
    for (const ServiceWindow& w : r.windows) {
      double nf = 0, cc = 0, by = 0;
      for (const DestWindow& d : w.dests) {
        nf += d.new_flows;
        cc += d.concurrent;
        by += d.bytes;
      }
      for (const DestWindow& d : w.dests)
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", r.scheduler,
                           CsvQuote(r.services[w.svc]), w.start, w.end,
                           CsvQuote(r.dest_ep[d.dest_id].ToString()), Csv(d.weight_share),
                           d.new_flows, Csv(Share(d.new_flows, nf)), Csv(d.concurrent),
                           Csv(Share(d.concurrent, cc)), d.bytes, Csv(Share(d.bytes, by)));
    }
  }
  return out;
}

std::string FormatEventsCsv(const std::vector<RunResult>& runs) {
  std::string out =
      "scheduler,time,event,where,ideal_remap,hash_remap,new_flow_remap,probed_flows,broken,"
      "moved,survived\n";
  for (const RunResult& r : runs)
    for (const EventStats& e : r.events)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", r.scheduler, e.time,
                         CsvQuote(e.what), CsvQuote(e.where), Csv(e.ideal_remap), Csv(e.hash_remap),
                         Csv(e.new_flow_remap()), e.probed_flows, e.broken, e.moved, e.survived);
  return out;
}

void AddReportFiles(const ReportContext& ctx, const std::vector<RunResult>& runs,
                    OutputFiles* out) {
  out->Add("summary.json", FormatJson(ctx, runs));
  out->Add("windows.csv", FormatWindowsCsv(runs));
  out->Add("dests.csv", FormatDestsCsv(runs));
  out->Add("events.csv", FormatEventsCsv(runs));
  AddSharePlot(runs, out);
  AddDisruptionPlot(runs, out);
}

void OutputFiles::Add(std::string name, std::string content) {
  files_.emplace_back(std::move(name), std::move(content));
}

bool OutputFiles::Commit(const std::string& dir, bool plots, std::vector<std::string>* warnings,
                         std::string* err) const {
  AtomicDir out;
  if (!out.Open(dir, err)) return false;
  std::vector<std::string> names;
  for (const auto& [name, content] : files_) {
    if (!out.Write(name, content, err)) return false;
    names.push_back(name);
  }
  if (plots) {
    std::vector<std::string> scripts = names;
    DrawPlots(out.tmp(), scripts, &names, warnings);
  }
  return out.Commit(names, err);
}

}  // namespace ipvs_sim
