// SPDX-License-Identifier: GPL-2.0
#include "common_cmd.h"

#include <fmt/format.h>

#include <cstdio>
#include <tuple>
#include <utility>

#include "chbl_load.h"
#include "config_load.h"
#include "sched_wmh.h"
#include "wmh_served.h"
#include "wmh_table.h"

namespace ipvs_sim {

namespace {

// Messages quote words of the input: one from a 10 MB line must not flood
// the terminal (the head keeps "file:line: what is wrong"), and a NUL or
// other control byte in it is shown as \xNN, not sent to the terminal.
std::string Clip(const std::string& msg) {
  constexpr size_t kMax = 4096;
  std::string out;
  for (size_t i = 0; i < msg.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(msg[i]);
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += msg[i];
  }
  if (msg.size() > kMax) out += fmt::format("... ({} more bytes)", msg.size() - kMax);
  return out;
}

}  // namespace

int Fail(const std::string& msg) {
  fmt::print(stderr, "{}\n", Clip(msg));
  return 1;
}

int WriteStdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) return Fail("stdout: write error");
  return 0;
}

namespace {

// The four parameters every one of our modules takes, as --MOD-table-size,
// --MOD-hash-key, --MOD-port-hash and --MOD-overflow.
void AddModuleOptions(CLI::App* app, const char* mod, uint32_t* table_size, std::string* key_hex,
                      bool* port_hash, bool* overflow) {
  const char* kLoad = "Scheduler load-time settings";
  app->add_option(fmt::format("--{}-table-size", mod), *table_size,
                  fmt::format("{} table size, a prime (ip_vs_{}'s table_size)", mod, mod))
      ->capture_default_str()
      ->group(kLoad);
  app->add_option(
         fmt::format("--{}-hash-key", mod), *key_hex,
         fmt::format("{} hash key as 32 hex digits, k0 then k1 (ip_vs_{}'s hash_key)", mod, mod))
      ->group(kLoad);
  app->add_flag(fmt::format("--{}-port-hash", mod), *port_hash,
                fmt::format("{} hashes the client port too (ip_vs_{}'s port_hash)", mod, mod))
      ->group(kLoad);
  app->add_flag(fmt::format("--{}-overflow", mod), *overflow,
                fmt::format("{} walks on from unavailable dests (ip_vs_{}'s overflow)", mod, mod))
      ->group(kLoad);
}

// A load bound in thousandths as ip_vs_chbl's eps parameter writes it.
std::string EpsText(uint32_t milli) { return fmt::format("{}.{:03}", milli / 1000, milli % 1000); }

void AddSchedulerOptions(CLI::App* app, GlobalOptions* g) {
  const char* kLoad = "Scheduler load-time settings";
  SchedulerOptions& o = g->sched;
  g->chbl_eps_text = EpsText(o.chbl_eps);
  g->chbl_eps_flag3_text = EpsText(o.chbl_eps_flag3);
  AddModuleOptions(app, "wmh", &o.wmh_table_size, &g->wmh_key_hex, &o.wmh_port_hash,
                   &o.wmh_overflow);
  AddModuleOptions(app, "hrw", &o.hrw_table_size, &g->hrw_key_hex, &o.hrw_port_hash,
                   &o.hrw_overflow);
  AddModuleOptions(app, "chbl", &o.chbl_table_size, &g->chbl_key_hex, &o.chbl_port_hash,
                   &o.chbl_overflow);
  app->add_option("--chbl-eps", g->chbl_eps_text,
                  "chbl's load bound: no new flow to a server at (1+eps) times its weighted "
                  "share of the connections, a decimal in [0, 10] (ip_vs_chbl's eps)")
      ->capture_default_str()
      ->group(kLoad);
  app->add_option("--chbl-eps-flag3", g->chbl_eps_flag3_text,
                  "chbl's load bound for services with -b flag-3 (ip_vs_chbl's eps_flag3)")
      ->capture_default_str()
      ->group(kLoad);
  app->add_option("--wmh-sched-name", g->sched.wmh_sched_name,
                  "name ip_vs_wmh registers under (module parameter sched_name): wmh, or mh / sh "
                  "to serve that name with the wmh code (mh-port/sh-port = flag-2, "
                  "mh-fallback/sh-fallback = flag-1); -s wmh is then not found")
      ->check(CLI::Validator(
          [](const std::string& v) {
            return IsWmhSchedName(v) ? std::string() : "not wmh, mh or sh: " + v;
          },
          "{wmh,mh,sh}"))
      ->capture_default_str()
      ->group(kLoad);
  app->add_option("--mh-tab-index", g->sched.mh_tab_index,
                  "CONFIG_IP_VS_MH_TAB_INDEX of the modelled kernel (8..17)")
      ->capture_default_str()
      ->group(kLoad);
  app->add_option("--sh-tab-bits", g->sched.sh_tab_bits,
                  "CONFIG_IP_VS_SH_TAB_BITS of the modelled kernel")
      ->capture_default_str()
      ->group(kLoad);
}

}  // namespace

void AddGlobalOptions(CLI::App* app, GlobalOptions* g) {
  AddSchedulerOptions(app, g);
  const char* kConn = "Connection table";
  app->add_option("--tcp-timeout", g->timeouts.tcp_established,
                  "seconds an ESTABLISHED TCP entry lives after its last packet when the flow "
                  "does not close (ipvsadm --set tcp)")
      ->capture_default_str()
      ->group(kConn);
  app->add_option("--tcpfin-timeout", g->timeouts.tcp_fin,
                  "seconds a TCP entry lives after the flow closes (ipvsadm --set tcpfin)")
      ->capture_default_str()
      ->group(kConn);
  app->add_option("--udp-timeout", g->timeouts.udp,
                  "seconds a UDP entry lives after its last packet (ipvsadm --set udp)")
      ->capture_default_str()
      ->group(kConn);
  app->add_flag("--tcp-no-close", g->tcp_no_close,
                "TCP flows of the trace end without FIN: entries stay ESTABLISHED for "
                "--tcp-timeout")
      ->group(kConn);
  const char* kKernel = "Kernel settings";
  app->add_option("--sysctl", g->sysctl_args,
                  "NAME=VALUE of net.ipv4.vs (repeatable): expire_nodest_conn, "
                  "expire_quiescent_template, conn_reuse_mode, sloppy_tcp, sloppy_sctp are "
                  "modelled; e.g. --sysctl conn_reuse_mode=0")
      ->group(kKernel);
  app->add_option("--sysctl-file", g->sysctl_file,
                  "a saved 'sysctl -a' (net.ipv4.vs.NAME = VALUE lines; others skipped), "
                  "applied before --sysctl")
      ->group(kKernel);
  app->add_option("--marks", g->marks_path,
                  "firewall marks of the flows for fwmark services: lines 'MARK PROTO "
                  "DEST[:PORTS]', the last matching line wins (as iptables -j MARK)")
      ->group(kKernel);
  app->add_flag("-q,--quiet", g->quiet, "no progress and no warnings on stderr");
}

void WarnUnreachable(const IpvsConfig& config, const GlobalOptions& g) {
  if (g.quiet || (g.marks && !g.marks->empty())) return;
  for (const Service& s : config.services)
    if (s.key.fwmark)
      fmt::print(stderr,
                 "warning: {}: a fwmark service gets flows only through --marks (none given)\n",
                 s.key.ToString());
}

void SetDirectorOptions(const GlobalOptions& g, DirectorOptions* d) {
  d->sched = g.sched;
  d->timeouts = g.timeouts;
  d->sysctls = g.sysctls;
  d->marks = g.marks.get();
}

void AddConfigOptions(CLI::App* c, ConfigArgs* a) {
  c->add_option("-c,--config", a->path,
                "services: ipvsadm rules (-Sn syntax, applied as ipvsadm -R does: each -a at the "
                "list head; ipvs-snapshot output), ipvsadm -Ln [--nosort] output, or a "
                "keepalived.conf; '-' for stdin")
      ->required();
  c->add_option("--config-format", a->format,
                "auto (detect from the content), rules, list (ipvsadm -Ln: sorted, real-server "
                "order unknown), list-nosort (ipvsadm -Ln --nosort: list order) or keepalived")
      ->check(CLI::IsMember(ConfigFormatNames()))
      ->capture_default_str();
  c->add_option("--keepalived-id", a->keepalived_id,
                "keepalived's config id (keepalived -i): which '@ID' lines apply (default: none)");
}

bool LoadConfigArgs(const ConfigArgs& a, const GlobalOptions& g, IpvsConfig* out,
                    std::string* err) {
  ConfigFormat format;
  if (!ParseConfigFormat(a.format, &format)) {
    *err = fmt::format("--config-format: unknown format '{}'", a.format);
    return false;
  }
  KeepalivedOptions kopts;
  kopts.config_id = a.keepalived_id;
  LoadedConfig lc;
  if (!LoadConfig(a.path, format, kopts, &lc, err)) return false;
  if (!g.quiet) {
    for (const std::string& w : lc.warnings) fmt::print(stderr, "warning: {}\n", Clip(w));
  }
  *out = std::move(lc.config);
  return true;
}

bool CheckSomeService(const std::string& path, const IpvsConfig& config,
                      const std::vector<TimelineEvent>& timeline, std::string* err) {
  if (!config.services.empty()) return true;
  for (const TimelineEvent& ev : timeline)
    if (ev.kind == TimelineEvent::Kind::kAddService) return true;
  *err = fmt::format(
      "{}: no services (an empty or truncated file, or another format: see --config-format); "
      "no flow could be scheduled",
      path);
  return false;
}

int ReportNoService(const RunResult& r, bool strict, const GlobalOptions& g) {
  std::vector<std::string> lines = DescribeNoService(r);
  if (lines.empty()) return 0;
  if (strict) {
    std::vector<std::string> vips;
    for (const auto& [key, n] : r.no_service_vips)
      vips.push_back(fmt::format("{} ({})", key.ToString(), n));
    return Fail(fmt::format("error: --strict: {} flows matched no service: {}", r.no_service,
                            fmt::join(vips, ", ")));
  }
  if (!g.quiet)
    for (const std::string& l : lines) fmt::print(stderr, "warning: {}\n", l);
  return 0;
}

namespace {

// --MOD-hash-key HEX into *key, unless empty. The module's own parser
// (hash_key=): a key it would refuse at load time, "0x" prefix included,
// must not give a prediction here.
bool ParseHashKeyOption(const char* mod, const std::string& h, wmh_hash_key* key,
                        std::string* err) {
  if (h.empty()) return true;
  if (h.rfind("0x", 0) == 0 || h.rfind("0X", 0) == 0) {
    *err = fmt::format(
        "--{}-hash-key: '{}' refused: ip_vs_{}'s hash_key takes the 32 hex digits "
        "without 0x (the module would refuse this key)",
        mod, h, mod);
    return false;
  }
  if (h.size() != 32 || wmh_hash_key_parse(h.c_str(), key) != 0) {
    *err = fmt::format("--{}-hash-key: '{}' is not 32 hex digits", mod, h);
    return false;
  }
  return true;
}

}  // namespace

void AddServedOptions(CLI::App* c, ServedArgs* a) {
  const char* kServed = "The tables the kernel serves";
  auto* e = c->add_option("--export", a->export_dir,
                          "start each wmh service from the table the kernel serves, read from a "
                          "saved copy of ip_vs_wmh's export (the files of "
                          "/sys/kernel/debug/ip_vs_wmh, one namespace's): exact for drained "
                          "servers and for tables kept after a failed rebuild")
                ->group(kServed);
  c->add_flag("--live", a->live,
              "as --export, from this namespace's files in /sys/kernel/debug/ip_vs_wmh (root)")
      ->excludes(e)
      ->group(kServed);
  c->add_flag("--keep-going", a->keep_going,
              "exit 0 even when a wmh service has more servers than table slots (said on "
              "stderr either way)")
      ->group(kServed);
}

bool LoadServedArgs(const ServedArgs& a, GlobalOptions* g, IpvsConfig* config, std::string* err) {
  if (a.export_dir.empty() && !a.live) return true;
  auto tables = std::make_shared<WmhServedTables>();
  std::string dir = a.live ? kWmhExportDir : a.export_dir;
  std::string prefix = a.live ? OwnNetnsPrefix() : "";
  if (!LoadServedTables(dir, prefix, tables.get(), err)) {
    if (a.live) *err += " (--live reads ip_vs_wmh's export as root, with debugfs mounted)";
    return false;
  }
  if (!CheckServedTables(*tables, g->sched.wmh_table_size,
                         wmh_hash_key_fingerprint(&g->sched.wmh_key), err))
    return false;
  ApplyServedWeights(*tables, &config->services);
  if (!g->quiet)
    for (const auto& [key, t] : *tables)
      if (t.last_error != 0)
        fmt::print(stderr,
                   "ipvs-sim: {}: {}: the kernel serves an old table (its last rebuild failed: "
                   "{} {}); predicting from it\n",
                   t.file, WmhServiceName(key), t.last_error, t.last_reason);
  g->sched.wmh_served = std::move(tables);
  return true;
}

int ReportOutgrown(const ServedArgs& a, const IpvsConfig& config, const GlobalOptions& g,
                   const std::vector<std::string>& schedulers) {
  // wmh's table (under its registered name) and hrw's, which outgrow alike.
  const std::pair<std::string, SchedulerOptions> kinds[] = {{g.sched.wmh_sched_name, g.sched},
                                                            {"hrw", HrwOptions(g.sched)},
                                                            {"chbl", ChblOptions(g.sched)}};
  int n = 0;
  for (const auto& [name, opts] : kinds) {
    bool run = std::find(schedulers.begin(), schedulers.end(), name) != schedulers.end();
    for (const Service& s : config.services) {
      if (!run && s.scheduler != name) continue;
      std::string msg = OutgrownMessage(s, opts);
      if (msg.empty()) continue;
      fmt::print(stderr, "ipvs-sim: {}{}\n", name == "hrw" || name == "chbl" ? name + ": " : "",
                 msg);
      ++n;
    }
  }
  if (n == 0 || a.keep_going) return 0;
  fmt::print(stderr, "ipvs-sim: {} service{} outgrew the table: exit status 1 (--keep-going: 0)\n",
             n, n == 1 ? "" : "s");
  return 1;
}

bool FinishGlobalOptions(GlobalOptions* g, std::string* err) {
  g->timeouts.tcp_flows_close = !g->tcp_no_close;
  if (!ParseHashKeyOption("wmh", g->wmh_key_hex, &g->sched.wmh_key, err) ||
      !ParseHashKeyOption("hrw", g->hrw_key_hex, &g->sched.hrw_key, err) ||
      !ParseHashKeyOption("chbl", g->chbl_key_hex, &g->sched.chbl_key, err))
    return false;
  for (const auto& [opt, text, milli] :
       {std::tuple{"--chbl-eps", &g->chbl_eps_text, &g->sched.chbl_eps},
        std::tuple{"--chbl-eps-flag3", &g->chbl_eps_flag3_text, &g->sched.chbl_eps_flag3}}) {
    if (chbl_eps_parse(text->c_str(), milli) != 0) {
      *err = fmt::format(
          "{}: '{}' refused: ip_vs_chbl takes a decimal in [0, 10] with at most 3 "
          "decimals (the module would refuse it)",
          opt, *text);
      return false;
    }
  }
  for (const auto& [opt, t] : {std::pair{"--tcp-timeout", g->timeouts.tcp_established},
                               std::pair{"--tcpfin-timeout", g->timeouts.tcp_fin},
                               std::pair{"--udp-timeout", g->timeouts.udp}}) {
    if (!(t >= 0)) {
      *err = fmt::format("{}: {} is not a timeout (seconds, >= 0)", opt, t);
      return false;
    }
  }
  std::vector<std::string> warnings;
  if (!g->sysctl_file.empty() && !LoadIpvsSysctlFile(g->sysctl_file, &g->sysctls, &warnings, err))
    return false;
  for (const std::string& a : g->sysctl_args)
    if (!SetIpvsSysctl(a, "--sysctl", &g->sysctls, &warnings, err)) return false;
  if (!g->quiet)
    for (const std::string& w : warnings) fmt::print(stderr, "warning: {}\n", Clip(w));
  if (!g->marks_path.empty()) {
    g->marks = std::make_shared<MarkMap>();
    if (!g->marks->Load(g->marks_path, err)) return false;
  }
  return true;
}

}  // namespace ipvs_sim
