// SPDX-License-Identifier: GPL-2.0
// ipvs-sim config: prints the services --config means, in ipvsadm -Sn
// syntax with real servers oldest first (as ipvs-snapshot writes them), so
// that what the simulator reads from a keepalived.conf or a listing can be
// diffed against a snapshot of the director that was configured from it.
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>

#include "common_cmd.h"
#include "config_load.h"
#include "keepalived_config.h"

namespace ipvs_sim {

namespace {

struct ConfigCmdArgs {
  ConfigArgs config;
  std::string format = "rules";
  std::vector<std::string> down;
  double at = 0;
  bool sort = false;
};

std::string FormatNotes(const IpvsConfig& cfg) {
  std::string out;
  for (const Service& s : cfg.services) {
    for (const Dest& d : s.dests)
      if (d.inhibit_on_failure)
        out += fmt::format("# {} {}: inhibit_on_failure\n", s.key.ToString(), d.ep.ToString());
    if (s.has_sorry_server)
      out += fmt::format("# {} sorry_server {}{}\n", s.key.ToString(), s.sorry_server.ToString(),
                         s.sorry_inhibit ? " (inhibit: in the list at weight 0)" : "");
  }
  return out;
}

int RunConfig(const ConfigCmdArgs& a, const GlobalOptions& g) {
  std::string err;
  IpvsConfig cfg;
  if (!LoadConfigArgs(a.config, g, &cfg, &err)) return Fail(err);
  if (a.sort)
    std::stable_sort(cfg.services.begin(), cfg.services.end(),
                     [](const Service& x, const Service& y) {
                       return std::make_pair(x.key.fwmark != 0, x.key) <
                              std::make_pair(y.key.fwmark != 0, y.key);
                     });
  std::string out;
  if (!a.down.empty()) {
    std::vector<Endpoint> down;
    for (const std::string& t : a.down) {
      Endpoint ep;
      if (!Endpoint::Parse(t, &ep, false))
        return Fail(fmt::format("--checker-down: '{}' is not ADDR:PORT ([v6]:PORT)", t));
      down.push_back(ep);
    }
    std::vector<Endpoint> unknown;
    out = KeepalivedCheckersDown(cfg, down, a.at, &unknown);
    for (const Endpoint& ep : unknown)
      return Fail(fmt::format("--checker-down: no service has real server {}", ep.ToString()));
  } else {
    out = FormatIpvsadmConfig(cfg);
    if (a.format == "annotated") out += FormatNotes(cfg);
  }
  return WriteStdout(out);
}

}  // namespace

void SetupConfig(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<ConfigCmdArgs>();
  CLI::App* c = app->add_subcommand(
      "config",
      "Print the services --config means in ipvsadm -Sn syntax, real servers oldest first (as "
      "ipvs-snapshot writes them, so that ipvsadm -R rebuilds the same lists); warnings about "
      "what keepalived or ipvsadm would do differently go to stderr.");
  AddConfigOptions(c, &a->config);
  c->add_option("--format", a->format,
                "rules (exactly the -Sn lines) or annotated (rules, then '#' lines with "
                "keepalived's inhibit_on_failure and sorry_server)")
      ->check(CLI::IsMember({"rules", "annotated"}))
      ->capture_default_str();
  c->add_option("--checker-down", a->down,
                "instead of the rules, print the timeline of keepalived's checker failing for "
                "this real server (ADDR:PORT, repeatable): -d, or -e ... -w 0 with "
                "inhibit_on_failure, and the sorry server when no weight is left");
  c->add_flag("--sort", a->sort,
              "services in a fixed order (by protocol, address, port; fwmark services last) "
              "instead of the configuration's, so that two dumps of the same services diff "
              "clean whatever order they were listed in (a snapshot lists them in hash order); "
              "real servers keep their order");
  c->add_option("--at", a->at, "time of the --checker-down events (seconds)")
      ->capture_default_str();
  c->callback([run, a, g]() { *run = [a, g]() { return RunConfig(*a, *g); }; });
}

}  // namespace ipvs_sim
