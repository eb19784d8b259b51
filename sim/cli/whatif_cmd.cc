// SPDX-License-Identifier: GPL-2.0
// ipvs-sim whatif: what one proposed change does to the connections a
// director holds now (sim/engine/whatif.h); this file reads and prints.
#include "whatif_cmd.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "common_cmd.h"
#include "live_config.h"
#include "text_lines.h"
#include "timeline.h"
#include "trace_ipvs_conn.h"
#include "whatif.h"

namespace ipvs_sim {

namespace {

struct WhatifArgs {
  ConfigArgs config;
  std::string conns;
  std::string change;
  std::vector<std::string> edits;
  std::string schedulers;
  std::string timeline;
  bool per_edit = false;
  bool json = false;
  bool list_broken = false;
  bool list = false;
  ServedArgs served;
};

// The change as timeline events: --timeline's as they are, else the edit
// lines, every one at time 0.
bool ReadChange(const WhatifArgs& a, std::vector<TimelineEvent>* out, std::string* err) {
  if (a.timeline.empty()) return ReadChangeLines(a.change, a.edits, "whatif", out, err);
  if (!a.change.empty() || !a.edits.empty()) {
    *err = "whatif: --timeline takes no --change or --edit";
    return false;
  }
  if (!ParseTimeline(a.timeline, out, err)) return false;
  if (out->empty()) {
    *err = fmt::format("{}: no edit in the timeline", a.timeline);
    return false;
  }
  return true;
}

std::string Pct(double v) { return v < 0 ? "-" : fmt::format("{:.2f}%", 100 * v); }
std::string Num(double v) { return v < 0 ? "-" : fmt::format("{:.1f}", v); }

std::string ConnLine(const WhatifResult& r, const WhatifConn& c) {
  const IpvsConnEntry& e = *c.entry;
  std::string s = fmt::format("conn {} {} {} {} {} {}", WhatifVerdictName(c.verdict), e.protocol,
                              e.client.ToString(), e.vip.ToString(), e.dest.ToString(),
                              c.service < 0 ? "-" : r.service_keys[c.service]);
  if (c.has_to) s += " -> " + c.to.ToString();
  return s + "\n";
}

std::string FormatTable(const WhatifResult& r) {
  std::string s = fmt::format("{} entries read, {} of no service\n", r.entries, r.no_service);
  for (const WhatifService& v : r.services) {
    s += fmt::format(
        "\n{} ({}): {} connections: {} break, {} rescheduled, {} stay; templates {}, {} broken\n",
        v.key, v.scheduler, v.entries, v.broken, v.rescheduled, v.stayed, v.templates,
        v.templates_broken);
    if (v.stale)
      s += fmt::format("  {} entries of dests not in the service before, not judged\n", v.stale);
    s += fmt::format("  ideal share moved: {}\n", Pct(v.ideal));
    s += fmt::format("  {:<16} {:>12} {:>12} {:>10}\n", "scheduler", "hash moved", "new moved",
                     "new flows");
    for (const WhatifSched& w : v.scheds)
      s += fmt::format("  {:<16} {:>12} {:>12} {:>10}\n", w.name, Pct(w.hash_moved),
                       Pct(w.new_flows_moved), w.new_flows);
    s += fmt::format("  {:<24} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}\n", "dest", "w",
                     "w'", "active", "active'", "inact", "inact'", "load", "load'");
    for (const WhatifDest& d : v.dests)
      s += fmt::format("  {:<24} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}\n",
                       d.ep.ToString(), d.weight_before < 0 ? "-" : fmt::to_string(d.weight_before),
                       d.weight_after < 0 ? "-" : fmt::to_string(d.weight_after), d.active_before,
                       d.active_after, d.inactive_before, d.inactive_after, Num(d.load_before),
                       Num(d.load_after));
  }
  for (const std::string& b : r.broken_list) s += "broken " + b + "\n";
  for (const WhatifConn& c : r.conns) s += ConnLine(r, c);
  return s;
}

// @v as a JSON string: the fields are words from the table or addresses,
// so the escaping is rarely needed and done by the library then.
void AppendJsonString(std::string_view v, std::string* out) {
  bool plain = true;
  for (char ch : v) plain &= ch != '"' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20;
  if (!plain) {
    *out += nlohmann::json(std::string(v)).dump();
    return;
  }
  *out += '"';
  *out += v;
  *out += '"';
}

// One entry's verdict as a JSON object on one line. Written by hand: a
// million entries as library objects take seconds and gigabytes.
void AppendConnJson(const WhatifResult& r, const WhatifConn& c, std::string* out) {
  const IpvsConnEntry& e = *c.entry;
  auto field = [out](const char* name, std::string_view v) {
    *out += fmt::format(", \"{}\": ", name);
    AppendJsonString(v, out);
  };
  *out += "{\"verdict\": ";
  AppendJsonString(WhatifVerdictName(c.verdict), out);
  field("protocol", e.protocol);
  field("client", e.client.ToString());
  field("vip", e.vip.ToString());
  field("dest", e.dest.ToString());
  field("state", e.state);
  *out += e.is_template() ? ", \"template\": true" : ", \"template\": false";
  if (c.service < 0)
    *out += ", \"service\": null";
  else
    field("service", r.service_keys[c.service]);
  if (c.has_to) field("to", c.to.ToString());
  *out += '}';
}

nlohmann::json ResultJson(const WhatifResult& r) {
  using nlohmann::json;
  auto num = [](double v) { return v < 0 ? json(nullptr) : json(v); };
  json j = {{"entries", r.entries}, {"no_service", r.no_service}, {"services", json::array()}};
  for (const WhatifService& v : r.services) {
    json s = {{"service", v.key},
              {"scheduler", v.scheduler},
              {"connections", v.entries},
              {"broken", v.broken},
              {"rescheduled", v.rescheduled},
              {"stayed", v.stayed},
              {"templates", v.templates},
              {"templates_broken", v.templates_broken},
              {"stale", v.stale},
              {"ideal_moved", v.ideal},
              {"schedulers", json::array()},
              {"dests", json::array()}};
    for (const WhatifSched& w : v.scheds)
      s["schedulers"].push_back({{"scheduler", w.name},
                                 {"hash_moved", num(w.hash_moved)},
                                 {"new_flows_moved", num(w.new_flows_moved)},
                                 {"new_flows", w.new_flows}});
    for (const WhatifDest& d : v.dests) {
      auto side = [&](int32_t w, uint64_t a, uint64_t i, uint64_t t, double l) {
        return w < 0 ? json(nullptr)
                     : json{{"weight", w},
                            {"active", a},
                            {"inactive", i},
                            {"templates", t},
                            {"load", num(l)}};
      };
      s["dests"].push_back({{"dest", d.ep.ToString()},
                            {"before", side(d.weight_before, d.active_before, d.inactive_before,
                                            d.templates_before, d.load_before)},
                            {"after", side(d.weight_after, d.active_after, d.inactive_after,
                                           d.templates_after, d.load_after)}});
    }
    j["services"].push_back(std::move(s));
  }
  if (!r.broken_list.empty()) j["broken_list"] = r.broken_list;
  return j;
}

// The figures of @r as JSON (@extra's members first), its entries'
// verdicts as a "connections" array when listed.
std::string FormatResultJson(const WhatifResult& r, nlohmann::json extra) {
  extra.update(ResultJson(r));
  std::string s = extra.dump(2);
  if (r.conns.empty()) return s;
  s.pop_back();  // the closing brace
  while (!s.empty() && s.back() == '\n') s.pop_back();
  s += ",\n  \"connections\": [";
  for (size_t i = 0; i < r.conns.size(); ++i) {
    s += i ? ",\n    " : "\n    ";
    AppendConnJson(r, r.conns[i], &s);
  }
  s += "\n  ]\n}";
  return s;
}

// One change: the result alone (as before timelines); several: each
// change's figures under "changes".
std::string FormatSteps(const std::vector<WhatifStep>& steps, bool json) {
  if (steps.size() == 1)
    return json ? FormatResultJson(steps[0].result, nlohmann::json::object()) + "\n"
                : FormatTable(steps[0].result);
  if (json) {
    std::string s = "{\n\"changes\": [\n";
    for (size_t i = 0; i < steps.size(); ++i) {
      const WhatifStep& st = steps[i];
      nlohmann::json extra = {{"time", st.time}, {"where", st.where}, {"edits", st.edits}};
      s += (i ? ",\n" : "") + FormatResultJson(st.result, std::move(extra));
    }
    return s + "\n]\n}\n";
  }
  std::string s;
  for (size_t i = 0; i < steps.size(); ++i) {
    const WhatifStep& st = steps[i];
    s += fmt::format("{}== change {} at {} s: {} edit{} from {}\n", i ? "\n" : "", i + 1, st.time,
                     st.edits, st.edits == 1 ? "" : "s", st.where);
    s += FormatTable(st.result);
  }
  return s;
}

int RunWhatifCmd(const WhatifArgs& a, const GlobalOptions& global) {
  std::string err;
  IpvsConfig config;
  GlobalOptions g = global;
  if (a.config.path.empty()) {
    if (!LoadLiveConfig(&config, &err)) return Fail("whatif: " + err);
  } else if (!LoadConfigArgs(a.config, g, &config, &err)) {
    return Fail(err);
  }
  if (!LoadServedArgs(a.served, &g, &config, &err)) return Fail(err);
  if (!CheckSomeService(a.config.path.empty() ? "live configuration" : a.config.path, config, {},
                        &err))
    return Fail(err);
  std::vector<TimelineEvent> change;
  if (!ReadChange(a, &change, &err)) return Fail(err);
  std::vector<IpvsConnEntry> entries;
  std::string conns = a.conns == "-" ? "/proc/net/ip_vs_conn" : a.conns;
  if (!ParseIpvsConnEntries(conns, &entries, &err)) return Fail(err);
  WhatifOptions opts;
  opts.sched = g.sched;
  opts.sysctls = g.sysctls;
  opts.list_broken = a.list_broken;
  opts.list_conns = a.list;
  opts.marks = g.marks.get();
  for (size_t p = 0; !a.schedulers.empty() && p <= a.schedulers.size();) {
    size_t q = a.schedulers.find(',', p);
    if (q == std::string::npos) q = a.schedulers.size();
    if (q > p) opts.alternatives.push_back(a.schedulers.substr(p, q - p));
    p = q + 1;
  }
  std::vector<WhatifStep> steps;
  if (!RunWhatifSteps(config, SplitChanges(change, a.per_edit), entries, opts, &steps, &err))
    return Fail("whatif: " + err);
  if (int status = WriteStdout(FormatSteps(steps, a.json))) return status;
  return ReportOutgrown(a.served, config, g, opts.alternatives);
}

}  // namespace

bool ReadChangeLines(const std::string& change, const std::vector<std::string>& edits,
                     const std::string& cmd, std::vector<TimelineEvent>* out, std::string* err) {
  std::string text;
  std::string name = "--edit";
  if (!change.empty()) {
    FILE* f = change == "-" ? stdin : fopen(change.c_str(), "rb");
    if (!f) {
      *err = fmt::format("{}: cannot open", change);
      return false;
    }
    std::string raw;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) raw.append(buf, n);
    if (f != stdin) fclose(f);
    name = change;
    LineSplitter lines(raw);
    std::string_view line;
    while (lines.Next(&line)) {
      size_t s = line.find_first_not_of(" \t");
      bool blank = s == std::string_view::npos || line[s] == '#';
      text += blank ? std::string(line) : "0 " + std::string(line);
      text += '\n';
    }
  }
  for (const std::string& e : edits) text += "0 " + e + "\n";
  if (!ParseTimelineText(text, name, out, err)) return false;
  if (out->empty()) {
    *err = cmd + ": no change given (--change FILE or --edit 'LINE')";
    return false;
  }
  return true;
}

void SetupWhatif(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<WhatifArgs>();
  CLI::App* c = app->add_subcommand(
      "whatif",
      "Say what one proposed change (ipvsadm edit lines, all applied at once) does to the "
      "connections a director holds now: which break (dest deleted; a UDP entry is "
      "rescheduled under --sysctl expire_nodest_conn=1) and which stay, the share of the "
      "hash space and of new flows that move against the ideal, each dest's active and "
      "inactive connections and weighted load before and after, and broken persistence "
      "templates.");
  AddConfigOptions(c, &a->config);
  c->get_option("--config")
      ->required(false)
      ->description(
          "the configuration, as every subcommand reads it (ipvsadm rules, ipvsadm -Ln "
          "[--nosort], keepalived.conf; '-' for stdin); default: the live one, over netlink "
          "(CAP_NET_ADMIN)");
  c->add_option("--conns", a->conns,
                "the connection table: a saved /proc/net/ip_vs_conn (or ip_vs_conn_sync); "
                "'-' reads /proc/net/ip_vs_conn live")
      ->required();
  c->add_option("--change", a->change,
                "ipvsadm edit lines (-a/-e/-d/-E/-D, as in a timeline without the time), "
                "one change; '#' comments");
  c->add_option("--edit", a->edits, "one ipvsadm edit line (repeatable; after --change's lines)");
  c->add_option("--timeline", a->timeline,
                "a timeline (TIME EDIT lines) instead: the edits that share a time stamp are one "
                "change, judged in time order, each against the table the ones before left");
  c->add_flag("--per-edit", a->per_edit,
              "with --timeline (or several --edit lines), every edit is a change of its own");
  c->add_option("-s,--schedulers", a->schedulers,
                "alternative schedulers to judge the change under, comma-separated");
  c->add_flag("--json", a->json, "JSON instead of the table");
  c->add_flag("--list-broken", a->list_broken,
              "also print each broken connection ('PROTO CLIENT VIP DEST')");
  c->add_flag("--list", a->list,
              "also give every entry's verdict (stays, breaks, rescheduled, stale, no-service): "
              "'conn VERDICT PROTO CLIENT VIP DEST SERVICE [-> TO]' lines, or with --json a "
              "\"connections\" array");
  AddServedOptions(c, &a->served);
  c->callback([run, a, g]() { *run = [a, g]() { return RunWhatifCmd(*a, *g); }; });
}

}  // namespace ipvs_sim
