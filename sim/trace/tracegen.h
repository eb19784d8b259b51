// SPDX-License-Identifier: GPL-2.0
// Synthetic connection traces: Poisson arrivals from a Zipf-skewed client
// population (some clients are NAT gateways that open many source ports),
// heavy-tailed flow durations and web-search-like flow sizes. Deterministic
// for a seed (own PRNG and samplers, no std::*_distribution), streamed one
// flow at a time. DescribeDistributions() says where the shapes come from.
#ifndef IPVS_SCHED_SIM_TRACEGEN_H_
#define IPVS_SCHED_SIM_TRACEGEN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trace.h"

namespace ipvs_sim {

struct TraceGenOptions {
  uint64_t flows = 100000;
  double rate = 1000;        // new flows per second (Poisson process)
  uint32_t clients = 10000;  // client addresses, NAT gateways included (max 2^23)
  double zipf_s = 1.0;       // activity of the client of rank r ~ 1 / r^zipf_s
  // Fraction of client addresses that are NAT gateways. A gateway stands for
  // nat_users users (its activity is multiplied by that) and takes source
  // ports from a block of nat_ports ports (1024 up), as a carrier-grade NAT
  // with port-block allocation does. Other clients use Linux's ephemeral
  // range 32768..60999.
  double nat_fraction = 0.02;
  uint32_t nat_users = 50;
  uint32_t nat_ports = 4096;
  double ipv6_fraction = 0.0;  // share of clients with IPv6 addresses
  double udp_fraction = 0.1;   // share of flows that are UDP (rest TCP)
  // Virtual services; a flow goes to a uniformly chosen VIP of its client's
  // family. Empty: 10.0.0.1:80 and [2001:db8::1]:80.
  std::vector<Endpoint> vips;
  // Durations: with probability 1 - tail_fraction lognormal with this median
  // and sigma, else Pareto with minimum tail_min and shape tail_alpha; capped
  // at max_duration.
  double duration_median = 0.5;
  double duration_sigma = 1.5;
  double tail_fraction = 0.1;
  double tail_min = 10;
  double tail_alpha = 1.2;
  double max_duration = 3600;
  bool sizes = true;  // fill packets/bytes from the web-search size CDF
  uint64_t seed = 1;
};

// Where the default distributions come from, for --help.
std::string DescribeDistributions();

// Generates flows on demand: a TraceReader that never fails after Create().
// Memory: O(clients) (activity CDF and a port cursor per client), not
// O(flows). Starts are non-decreasing; a client's source ports advance
// sequentially, so they repeat only after a full cycle of its range.
class TraceGenerator : public TraceReader {
 public:
  // nullptr and *err naming the bad option.
  static std::unique_ptr<TraceGenerator> Create(const TraceGenOptions& opts, std::string* err);

  bool Next(TraceFlow* flow) override;
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return emitted_; }  // flows, not bytes
  uint64_t size() const override { return opts_.flows; }

  // Client address of rank r (0 = most active) and whether it is a NAT
  // gateway; for tests and reports.
  IpAddr ClientAddr(uint32_t rank) const;
  bool IsNatGateway(uint32_t rank) const;

 private:
  explicit TraceGenerator(const TraceGenOptions& opts);
  uint64_t NextU64();
  double Uniform();  // [0, 1)
  double Normal();
  double Duration();
  uint64_t Packets();

  TraceGenOptions opts_;
  uint64_t state_[4];
  std::vector<double> cdf_;          // cumulative activity by rank
  std::vector<uint32_t> next_port_;  // per-client source port cursor
  std::vector<Endpoint> vips4_, vips6_;
  double now_ = 0;
  uint64_t emitted_ = 0;
  std::string error_;
};

// Streams opts.flows flows into @sink; stops early (returning false) if the
// sink returns false. False and *err on bad options.
bool GenerateTrace(const TraceGenOptions& opts, const std::function<bool(const TraceFlow&)>& sink,
                   std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACEGEN_H_
