// SPDX-License-Identifier: GPL-2.0
// ipvs-sim generate: a synthetic text trace (sim/trace/tracegen.h).
#include <fmt/core.h>

#include <cstdio>

#include "atomic_file.h"
#include "common_cmd.h"
#include "text_parse.h"
#include "trace_text.h"
#include "tracegen.h"

namespace ipvs_sim {

namespace {

struct GenerateArgs {
  TraceGenOptions gen;
  std::vector<std::string> vips;
  bool no_sizes = false;
  std::string out;
};

// Streams the trace into a temporary file next to @path, renamed into place
// at the end; on any failure the temporary file is removed.
int RunGenerate(GenerateArgs a, const GlobalOptions&) {
  for (const std::string& v : a.vips) {
    Endpoint ep;
    if (!Endpoint::Parse(v, &ep)) return Fail(fmt::format("--vip: bad address:port '{}'", v));
    a.gen.vips.push_back(ep);
  }
  a.gen.sizes = !a.no_sizes;
  // What a trace reader takes back (text_parse.h): durations and starts up
  // to kMaxSeconds.
  if (a.gen.max_duration > kMaxSeconds)
    return Fail(fmt::format("--max-duration {} is beyond {:g} s, the longest a trace takes",
                            a.gen.max_duration, kMaxSeconds));
  if (a.gen.rate > 0 && static_cast<double>(a.gen.flows) / a.gen.rate > kMaxSeconds)
    return Fail(
        fmt::format("--flows {} at --rate {} would last beyond {:g} s, the latest start a "
                    "trace takes",
                    a.gen.flows, a.gen.rate, kMaxSeconds));
  std::string err;
  std::unique_ptr<TraceGenerator> gen = TraceGenerator::Create(a.gen, &err);
  if (!gen) return Fail(err);
  bool to_stdout = a.out == "-";
  AtomicFile out;
  FILE* f = stdout;
  if (!to_stdout) {
    if (!out.Open(a.out, &err)) return Fail(err);
    f = out.file();
  }
  std::string buf;
  TraceFlow flow;
  bool ok = true;
  while (ok && gen->Next(&flow)) {
    AppendTraceFlow(flow, &buf);
    if (buf.size() >= (1 << 20)) {
      ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      buf.clear();
    }
  }
  if (ok && !buf.empty()) ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  if (to_stdout) return ok && std::fflush(f) == 0 ? 0 : Fail("stdout: write error");
  if (!out.Commit(&err)) return Fail(err);
  return 0;
}

}  // namespace

void SetupGenerate(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<GenerateArgs>();
  CLI::App* c = app->add_subcommand(
      "generate",
      "Write a synthetic text trace: Poisson arrivals, Zipf-skewed clients with NAT gateways, "
      "heavy-tailed durations, web-search flow sizes.\n" +
          DescribeDistributions());
  TraceGenOptions& o = a->gen;
  c->add_option("-o,--output", a->out, "output file ('-' for stdout)")->required();
  c->add_option("-n,--flows", o.flows, "number of flows")->capture_default_str();
  c->add_option("-r,--rate", o.rate, "new flows per second")->capture_default_str();
  c->add_option("--clients", o.clients, "client addresses")->capture_default_str();
  c->add_option("--zipf", o.zipf_s, "Zipf exponent of client activity")->capture_default_str();
  c->add_option("--nat-fraction", o.nat_fraction, "fraction of clients that are NAT gateways")
      ->capture_default_str();
  c->add_option("--nat-users", o.nat_users, "users behind a NAT gateway")->capture_default_str();
  c->add_option("--nat-ports", o.nat_ports, "source ports of a NAT gateway")->capture_default_str();
  c->add_option("--ipv6-fraction", o.ipv6_fraction, "fraction of IPv6 clients")
      ->capture_default_str();
  c->add_option("--udp-fraction", o.udp_fraction, "fraction of UDP flows")->capture_default_str();
  c->add_option("--vip", a->vips, "virtual service address:port (repeatable)");
  c->add_option("--duration-median", o.duration_median, "median flow duration (s)")
      ->capture_default_str();
  c->add_option("--duration-sigma", o.duration_sigma, "lognormal sigma of durations")
      ->capture_default_str();
  c->add_option("--tail-fraction", o.tail_fraction, "fraction of Pareto-tailed durations")
      ->capture_default_str();
  c->add_option("--tail-min", o.tail_min, "Pareto minimum duration (s)")->capture_default_str();
  c->add_option("--tail-alpha", o.tail_alpha, "Pareto shape")->capture_default_str();
  c->add_option("--max-duration", o.max_duration, "cap on durations (s)")->capture_default_str();
  c->add_flag("--no-sizes", a->no_sizes, "leave packets and bytes out");
  c->add_option("--seed", o.seed, "random seed")->capture_default_str();
  c->callback([run, a, g]() { *run = [a, g]() { return RunGenerate(*a, *g); }; });
}

}  // namespace ipvs_sim
