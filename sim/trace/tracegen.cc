// SPDX-License-Identifier: GPL-2.0
#include "tracegen.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ipvs_sim {

namespace {

constexpr uint32_t kMaxClients = 1u << 23;
constexpr uint16_t kEphemeralLow = 32768, kEphemeralHigh = 60999;  // Linux default
constexpr uint16_t kNatPortBase = 1024;
constexpr double kMss = 1460;

// Web-search flow sizes in 1460-byte packets, (size, cumulative share), as
// in the CDF circulated with the pFabric simulations (Alizadeh et al.,
// SIGCOMM 2013), itself from the DCTCP web-search measurements (Alizadeh
// et al., SIGCOMM 2010). Interpolated linearly between points.
constexpr struct {
  double packets, cdf;
} kWebSearchCdf[] = {{1, 0.0},   {6, 0.15},  {13, 0.2},   {19, 0.3},   {33, 0.4},    {53, 0.53},
                     {133, 0.6}, {667, 0.7}, {1333, 0.8}, {3333, 0.9}, {6667, 0.97}, {20000, 1.0}};

uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Mix(uint64_t v) { return SplitMix64(&v); }

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::string DescribeDistributions() {
  return "Synthetic traces (defaults in brackets):\n"
         "  arrivals  Poisson process at --rate flows/s.\n"
         "  clients   activity of the client of rank r proportional to 1/r^s [s=1.0], the\n"
         "            Zipf-like skew of per-client request counts in web traces (Breslau et\n"
         "            al., INFOCOM 1999). A fraction of addresses [2%] are NAT gateways that\n"
         "            carry [50] users' activity and use a block of [4096] source ports.\n"
         "  duration  lognormal body (median [0.5 s], sigma [1.5]) with a Pareto tail\n"
         "            ([10%] of flows, minimum [10 s], alpha [1.2]), capped at [3600 s]:\n"
         "            about 88% of flows end within 10 s and a heavy tail lasts minutes,\n"
         "            matching the shape reported for data-center flows (Benson, Akella,\n"
         "            Maltz, IMC 2010: most flows last under 10 s, a few over 100 s;\n"
         "            Kandula et al., IMC 2009: 80% of flows under 10 s).\n"
         "  size      packets from the web-search flow-size CDF used by pFabric (Alizadeh\n"
         "            et al., SIGCOMM 2013; from DCTCP, SIGCOMM 2010): half of the flows\n"
         "            under about 50 packets, a tail to 20000; bytes = packets x 1460.\n"
         "            Size is drawn independently of duration.\n";
}

std::unique_ptr<TraceGenerator> TraceGenerator::Create(const TraceGenOptions& o, std::string* err) {
  auto bad = [err](const std::string& what) {
    *err = what;
    return nullptr;
  };
  if (!(o.rate > 0) || !std::isfinite(o.rate)) return bad("rate must be > 0 flows/s");
  if (o.clients == 0 || o.clients > kMaxClients)
    return bad(fmt::format("clients must be 1..{}", kMaxClients));
  if (!(o.zipf_s >= 0) || o.zipf_s > 10) return bad("zipf exponent must be 0..10");
  auto fraction = [](double f) { return f >= 0 && f <= 1; };
  if (!fraction(o.nat_fraction)) return bad("nat fraction must be 0..1");
  if (!fraction(o.ipv6_fraction)) return bad("ipv6 fraction must be 0..1");
  if (!fraction(o.udp_fraction)) return bad("udp fraction must be 0..1");
  if (!fraction(o.tail_fraction)) return bad("tail fraction must be 0..1");
  if (o.nat_users == 0) return bad("nat users must be >= 1");
  if (o.nat_ports == 0 || o.nat_ports > 65536u - kNatPortBase)
    return bad(fmt::format("nat ports must be 1..{}", 65536u - kNatPortBase));
  if (!(o.duration_median > 0) || !(o.duration_sigma >= 0) || !(o.tail_min > 0) ||
      !(o.tail_alpha > 0) || !(o.max_duration > 0))
    return bad("duration parameters must be positive");
  for (const Endpoint& v : o.vips)
    if (v.port == 0) return bad(fmt::format("virtual service {} has port 0", v.ToString()));
  std::unique_ptr<TraceGenerator> g(new TraceGenerator(o));
  if (o.ipv6_fraction < 1 && g->vips4_.empty())
    return bad("IPv4 clients need an IPv4 virtual service");
  if (o.ipv6_fraction > 0 && g->vips6_.empty())
    return bad("IPv6 clients need an IPv6 virtual service");
  return g;
}

TraceGenerator::TraceGenerator(const TraceGenOptions& opts) : opts_(opts) {
  uint64_t s = opts.seed;
  for (uint64_t& x : state_) x = SplitMix64(&s);
  std::vector<Endpoint> vips = opts.vips;
  if (vips.empty()) {
    Endpoint a, b;
    Endpoint::Parse("10.0.0.1:80", &a);
    Endpoint::Parse("[2001:db8::1]:80", &b);
    vips = {a, b};
  }
  for (const Endpoint& v : vips) (v.addr.family == Family::kV6 ? vips6_ : vips4_).push_back(v);

  cdf_.resize(opts.clients);
  next_port_.resize(opts.clients);
  double sum = 0;
  for (uint32_t r = 0; r < opts.clients; ++r) {
    double w = std::pow(static_cast<double>(r) + 1, -opts.zipf_s);
    if (IsNatGateway(r)) w *= opts.nat_users;
    sum += w;
    cdf_[r] = sum;
    // Start each client's port cursor somewhere in its range.
    next_port_[r] = static_cast<uint32_t>(Mix(opts.seed ^ (0x70727400ULL + r)) % 65536);
  }
}

uint64_t TraceGenerator::NextU64() {  // xoshiro256**
  uint64_t* s = state_;
  uint64_t result = Rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

double TraceGenerator::Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

double TraceGenerator::Normal() {
  // Box-Muller; one value per call keeps the stream simple.
  double u1 = 1.0 - Uniform(), u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double TraceGenerator::Duration() {
  double d;
  if (Uniform() < opts_.tail_fraction) {
    d = opts_.tail_min * std::pow(1.0 - Uniform(), -1.0 / opts_.tail_alpha);
  } else {
    d = opts_.duration_median * std::exp(opts_.duration_sigma * Normal());
  }
  return std::min(d, opts_.max_duration);
}

uint64_t TraceGenerator::Packets() {
  double u = Uniform();
  for (size_t i = 1; i < std::size(kWebSearchCdf); ++i) {
    if (u <= kWebSearchCdf[i].cdf) {
      const auto& a = kWebSearchCdf[i - 1];
      const auto& b = kWebSearchCdf[i];
      double p = a.packets + (b.packets - a.packets) * (u - a.cdf) / (b.cdf - a.cdf);
      return static_cast<uint64_t>(std::max(1.0, std::round(p)));
    }
  }
  return static_cast<uint64_t>(kWebSearchCdf[std::size(kWebSearchCdf) - 1].packets);
}

bool TraceGenerator::IsNatGateway(uint32_t rank) const {
  if (opts_.nat_fraction <= 0) return false;
  uint64_t h = Mix(opts_.seed ^ (0x6e617400000000ULL + rank));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < opts_.nat_fraction;
}

IpAddr TraceGenerator::ClientAddr(uint32_t rank) const {
  // An odd multiplier is a bijection mod 2^23: distinct ranks get distinct,
  // scattered addresses.
  uint32_t idx =
      static_cast<uint32_t>((rank * 0x9e3779b1ULL + (opts_.seed & 0xffff)) & (kMaxClients - 1));
  bool v6 = opts_.ipv6_fraction > 0 &&
            static_cast<double>(Mix(opts_.seed ^ (0x763600000000ULL + rank)) >> 11) * 0x1.0p-53 <
                opts_.ipv6_fraction;
  if (!v6) return IpAddr::V4(0x0a800000u | idx);  // 10.128.0.0/9
  IpAddr a;
  IpAddr::Parse("2001:db8:c::", &a);
  a.bytes[13] = static_cast<uint8_t>(idx >> 16);
  a.bytes[14] = static_cast<uint8_t>(idx >> 8);
  a.bytes[15] = static_cast<uint8_t>(idx);
  return a;
}

bool TraceGenerator::Next(TraceFlow* flow) {
  if (emitted_ >= opts_.flows) return false;
  if (emitted_ > 0) now_ += -std::log(1.0 - Uniform()) / opts_.rate;
  TraceFlow f;
  f.start = now_;
  double pick = Uniform() * cdf_.back();
  uint32_t rank =
      static_cast<uint32_t>(std::upper_bound(cdf_.begin(), cdf_.end(), pick) - cdf_.begin());
  if (rank >= cdf_.size()) rank = static_cast<uint32_t>(cdf_.size() - 1);
  f.key.proto = Uniform() < opts_.udp_fraction ? Proto::kUdp : Proto::kTcp;
  f.key.client.addr = ClientAddr(rank);
  uint32_t cursor = next_port_[rank]++;
  if (IsNatGateway(rank)) {
    f.key.client.port = static_cast<uint16_t>(kNatPortBase + cursor % opts_.nat_ports);
  } else {
    f.key.client.port =
        static_cast<uint16_t>(kEphemeralLow + cursor % (kEphemeralHigh - kEphemeralLow + 1));
  }
  const std::vector<Endpoint>& vips = f.key.client.addr.family == Family::kV6 ? vips6_ : vips4_;
  f.key.vip = vips[vips.size() == 1 ? 0 : NextU64() % vips.size()];
  f.duration = Duration();
  if (opts_.sizes) {
    f.packets = Packets();
    f.bytes = static_cast<uint64_t>(static_cast<double>(f.packets) * kMss);
  }
  ++emitted_;
  *flow = f;
  return true;
}

bool GenerateTrace(const TraceGenOptions& opts, const std::function<bool(const TraceFlow&)>& sink,
                   std::string* err) {
  std::unique_ptr<TraceGenerator> g = TraceGenerator::Create(opts, err);
  if (!g) return false;
  TraceFlow f;
  while (g->Next(&f))
    if (!sink(f)) return false;
  return true;
}

}  // namespace ipvs_sim
