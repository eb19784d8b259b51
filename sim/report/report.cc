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

namespace {

// The side-by-side table, a block of rows at a time: one column per run.
class TableWriter {
 public:
  explicit TableWriter(const std::vector<RunResult>& runs) : runs_(runs) {}

  void Header(const ReportContext& ctx) {
    out_ += fmt::format("config {}  trace {}", ctx.config, ctx.trace);
    if (!ctx.timeline.empty()) out_ += fmt::format("  timeline {}", ctx.timeline);
    out_ += fmt::format(
        "\n{} director{}{}, window {} s\n", ctx.directors, ctx.directors == 1 ? "" : "s",
        ctx.directors > 1 ? (ctx.sync ? " with conn sync" : " without conn sync") : "", ctx.window);
    for (const auto& [name, code] : ctx.served_by)
      out_ += fmt::format("{}: served by {}\n", name, code);
    out_ += '\n';
    Row("", [](const RunResult& r) { return r.scheduler; });
  }

  void Flows() {
    Row("flows", [](const RunResult& r) { return std::to_string(r.flows); });
    Row("  no destination", [](const RunResult& r) { return std::to_string(r.no_dest); });
    Row("  broken (dest lost mid-flow)",
        [](const RunResult& r) { return std::to_string(r.broken); });
    if (Persistent()) {
      Row("  new to persistent services",
          [](const RunResult& r) { return std::to_string(r.persistent_flows); });
      Row("  ... sent by a template", [](const RunResult& r) {
        return Pct(r.persistent_flows ? static_cast<double>(r.persisted) / r.persistent_flows
                                      : kNaN);
      });
    }
    Row("  first choice of the scheduler", [](const RunResult& r) {
      return Pct(r.scheduled ? 1.0 - static_cast<double>(r.bounded) / r.scheduled : kNaN);
    });
    Row("  peak weighted entries at placing",
        [](const RunResult& r) { return r.peak_load > 0 ? Num(r.peak_load) : std::string("-"); });
    if (std::any_of(runs_.begin(), runs_.end(), [](const RunResult& r) { return r.dropped > 0; }))
      Row("  dropped on a deleted dest's entry",
          [](const RunResult& r) { return std::to_string(r.dropped); });
  }

  void Balances() {
    BalanceRows("new flows against weight", &ServiceWindow::new_flows_balance);
    BalanceRows("concurrent flows against weight", &ServiceWindow::concurrent_balance);
    if (std::any_of(runs_.begin(), runs_.end(), HasBytes))
      BalanceRows("bytes against weight", &ServiceWindow::bytes_balance);
  }

  void Events() {
    size_t nevents = runs_.empty() ? 0 : runs_[0].events.size();
    for (size_t e = 0; e < nevents; ++e) Event(e);
  }

  std::string Finish() {
    Row("replay speed (flows/s)", [](const RunResult& r) {
      return r.wall_seconds > 0 ? fmt::format("{:.2f}M", r.flows / r.wall_seconds / 1e6)
                                : std::string("-");
    });
    for (const RunResult& r : runs_)
      for (const std::string& w : r.warnings)
        out_ += fmt::format("warning: {}: {}\n", r.scheduler, w);
    return std::move(out_);
  }

 private:
  static constexpr int kLabel = 34, kCol = 13;

  template <typename Cell>
  void Row(const std::string& label, Cell cell) {
    out_ += fmt::format("{:<{}}", label, kLabel);
    for (const RunResult& r : runs_) out_ += fmt::format("{:>{}}", cell(r), kCol);
    out_ += '\n';
  }

  bool Persistent() const {
    return std::any_of(runs_.begin(), runs_.end(),
                       [](const RunResult& r) { return r.persistent_flows > 0; });
  }

  void BalanceRows(const char* title, Balance ServiceWindow::*which) {
    out_ += fmt::format("{}\n", title);
    auto total = [which](const RunResult& r, double Balance::*f) {
      return r.totals.empty() ? kNaN : Field(r.totals[0].*which, f);
    };
    Row("  max relative error, whole run",
        [&](const RunResult& r) { return Pct(total(r, &Balance::max_rel_err)); });
    Row("  max weighted load, whole run",
        [&](const RunResult& r) { return Num(total(r, &Balance::max_load)); });
    Row("  coeff. of variation, whole run",
        [&](const RunResult& r) { return Pct(total(r, &Balance::cv)); });
    Row("  max rel. error, window mean", [&](const RunResult& r) {
      return Pct(OverWindows(r, which, &Balance::max_rel_err).first);
    });
    Row("  max rel. error, worst window", [&](const RunResult& r) {
      return Pct(OverWindows(r, which, &Balance::max_rel_err).second);
    });
    Row("  max/mean load, worst window", [&](const RunResult& r) {
      return Num(OverWindows(r, which, &Balance::max_over_mean).second);
    });
  }

  void Event(size_t e) {
    const EventStats& ev = runs_[0].events[e];
    out_ += fmt::format("t={}s {}", ev.time, ev.what);
    bool hashed = !std::isnan(ev.ideal_remap);
    if (hashed) out_ += fmt::format(" (ideal remap {})", Pct(ev.ideal_remap));
    out_ += '\n';
    auto at = [e](const RunResult& r) -> const EventStats& { return r.events[e]; };
    if (hashed) {
      Row("  hash space remapped", [&](const RunResult& r) { return Pct(at(r).hash_remap); });
      Row("  new flows remapped", [&](const RunResult& r) { return Pct(at(r).new_flow_remap()); });
    } else {
      Row("  flows moved to another director",
          [&](const RunResult& r) { return std::to_string(at(r).moved); });
    }
    Row("  flows broken", [&](const RunResult& r) { return std::to_string(at(r).broken); });
    if (std::any_of(runs_.begin(), runs_.end(), [&](const RunResult& r) { return at(r).kept > 0; }))
      Row("  flows kept (drained dest)",
          [&](const RunResult& r) { return std::to_string(at(r).kept); });
    if (Persistent())
      Row("  templates broken",
          [&](const RunResult& r) { return std::to_string(at(r).templates_broken); });
  }

  const std::vector<RunResult>& runs_;
  std::string out_;
};

}  // namespace

std::string FormatTable(const ReportContext& ctx, const std::vector<RunResult>& runs) {
  TableWriter t(runs);
  t.Header(ctx);
  t.Flows();
  t.Balances();
  t.Events();
  return t.Finish();
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
