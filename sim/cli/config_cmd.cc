// SPDX-License-Identifier: GPL-2.0
// ipvs-sim config: prints the services --config means, in ipvsadm -Sn
// syntax with real servers oldest first (as ipvs-snapshot writes them), so
// that what the simulator reads from a keepalived.conf or a listing can be
// diffed against a snapshot of the director that was configured from it.
// With --checker-down / --checker-up it prints instead the timeline of
// keepalived's checkers failing and recovering (keepalived_config.h).
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "common_cmd.h"
#include "config_load.h"
#include "keepalived_config.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

struct ConfigCmdArgs {
  ConfigArgs config;
  std::string format = "rules";
  std::vector<std::string> down;
  std::vector<std::string> up;
  double at = 0;
  double at_up = 0;
  bool at_up_given = false;
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
  if (!a.down.empty() || !a.up.empty()) {
    // Times a timeline takes (timeline.h): the events are read back.
    for (const auto& [opt, t, given] :
         {std::tuple{"--at", a.at, true}, std::tuple{"--at-up", a.at_up, a.at_up_given}}) {
      if (given && !(t >= 0 && t <= kMaxSeconds))
        return Fail(fmt::format("{}: {} is not a time a timeline takes (0 to {:g} seconds)", opt, t,
                                kMaxSeconds));
    }
    std::vector<Endpoint> down, up;
    auto endpoints = [](const char* opt, const std::vector<std::string>& texts,
                        std::vector<Endpoint>* eps, std::string* err) {
      for (const std::string& t : texts) {
        Endpoint ep;
        if (!Endpoint::Parse(t, &ep, false)) {
          *err = fmt::format("{}: '{}' is not ADDR:PORT ([v6]:PORT)", opt, t);
          return false;
        }
        eps->push_back(ep);
      }
      return true;
    };
    if (!endpoints("--checker-down", a.down, &down, &err) ||
        !endpoints("--checker-up", a.up, &up, &err))
      return Fail(err);
    std::vector<Endpoint> unknown;
    if (!down.empty()) {
      out = KeepalivedCheckersDown(cfg, down, a.at, &unknown);
      for (const Endpoint& ep : unknown)
        return Fail(fmt::format("--checker-down: no service has real server {}", ep.ToString()));
    }
    if (!up.empty()) {
      // Alone, --checker-up brings back servers that were down before --at;
      // after --checker-down, the up events come at --at-up (--at + 1).
      double at_up = down.empty() ? a.at : a.at_up_given ? a.at_up : a.at + 1;
      if (!down.empty() && at_up < a.at)
        return Fail(fmt::format("--at-up {} is before --at {}", at_up, a.at));
      out += KeepalivedCheckersUp(cfg, down.empty() ? up : down, up, at_up, &unknown);
      for (const Endpoint& ep : unknown)
        return Fail(fmt::format("--checker-up: no service has real server {}", ep.ToString()));
    }
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
  c->add_option("--checker-up", a->up,
                "instead of the rules, print the timeline of keepalived's checker recovering for "
                "this real server (ADDR:PORT, repeatable), down until then (or since "
                "--checker-down): -a, or -e ... -w WEIGHT with inhibit_on_failure; when the "
                "weight comes back the sorry server goes (-d, or -e ... -w 0 with "
                "sorry_server_inhibit) and every live real server is added back");
  c->add_flag("--sort", a->sort,
              "services in a fixed order (by protocol, address, port; fwmark services last) "
              "instead of the configuration's, so that two dumps of the same services diff "
              "clean whatever order they were listed in (a snapshot lists them in hash order); "
              "real servers keep their order");
  c->add_option("--at", a->at,
                "time of the --checker-down events, or of --checker-up given alone (seconds)")
      ->capture_default_str();
  CLI::Option* at_up = c->add_option(
      "--at-up", a->at_up,
      "time of the --checker-up events after --checker-down (seconds; default --at + 1)");
  c->callback([run, a, g, at_up]() {
    a->at_up_given = at_up->count() > 0;
    *run = [a, g]() { return RunConfig(*a, *g); };
  });
}

}  // namespace ipvs_sim
