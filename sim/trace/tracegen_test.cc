// SPDX-License-Identifier: GPL-2.0
#include "tracegen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "trace_text.h"

namespace ipvs_sim {
namespace {

std::vector<TraceFlow> Generate(const TraceGenOptions& o) {
  std::vector<TraceFlow> out;
  std::string err;
  EXPECT_TRUE(GenerateTrace(
      o,
      [&out](const TraceFlow& f) {
        out.push_back(f);
        return true;
      },
      &err))
      << err;
  return out;
}

// Share of flows that come from the most active @top client addresses.
double TopShare(const std::vector<TraceFlow>& flows, size_t top) {
  std::map<IpAddr, uint64_t> per;
  for (const TraceFlow& f : flows) ++per[f.key.client.addr];
  std::vector<uint64_t> counts;
  for (const auto& [a, n] : per) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  uint64_t sum = 0;
  for (size_t i = 0; i < top && i < counts.size(); ++i) sum += counts[i];
  return static_cast<double>(sum) / static_cast<double>(flows.size());
}

TEST(TraceGen, DeterministicForASeed) {
  TraceGenOptions o;
  o.flows = 5000;
  o.ipv6_fraction = 0.3;
  std::vector<TraceFlow> a = Generate(o), b = Generate(o);
  ASSERT_EQ(a.size(), 5000u);
  std::string ta, tb;
  for (const TraceFlow& f : a) AppendTraceFlow(f, &ta);
  for (const TraceFlow& f : b) AppendTraceFlow(f, &tb);
  EXPECT_EQ(ta, tb);
  o.seed = 2;
  std::string tc;
  for (const TraceFlow& f : Generate(o)) AppendTraceFlow(f, &tc);
  EXPECT_NE(ta, tc);
}

TEST(TraceGen, StartsArePoissonAndNonDecreasing) {
  TraceGenOptions o;
  o.flows = 50000;
  o.rate = 2000;
  std::vector<TraceFlow> f = Generate(o);
  EXPECT_EQ(f[0].start, 0);
  for (size_t i = 1; i < f.size(); ++i) ASSERT_LE(f[i - 1].start, f[i].start);
  double mean_gap = f.back().start / static_cast<double>(f.size() - 1);
  EXPECT_NEAR(mean_gap, 1.0 / o.rate, 0.03 / o.rate);
  // Exponential gaps: the share of gaps above the mean is about 1/e.
  size_t above = 0;
  for (size_t i = 1; i < f.size(); ++i) above += f[i].start - f[i - 1].start > 1.0 / o.rate;
  EXPECT_NEAR(static_cast<double>(above) / static_cast<double>(f.size()), std::exp(-1.0), 0.02);
}

TEST(TraceGen, ZipfSkewsClientActivity) {
  TraceGenOptions o;
  o.flows = 100000;
  o.clients = 10000;
  o.nat_fraction = 0;
  // s = 1: the top 1% of 10^4 clients carry H(100)/H(10^4), about 53%.
  EXPECT_GT(TopShare(Generate(o), 100), 0.45);
  o.zipf_s = 0;  // uniform: the top 1% carry little more than 1%
  EXPECT_LT(TopShare(Generate(o), 100), 0.03);
}

TEST(TraceGen, NatGatewaysOpenManyPortsFromOneAddress) {
  TraceGenOptions o;
  o.flows = 100000;
  o.clients = 2000;
  o.nat_fraction = 0.05;
  o.nat_ports = 2000;
  auto g = TraceGenerator::Create(o, nullptr);
  ASSERT_NE(g, nullptr);
  std::set<IpAddr> nat;
  for (uint32_t r = 0; r < o.clients; ++r)
    if (g->IsNatGateway(r)) nat.insert(g->ClientAddr(r));
  EXPECT_GT(nat.size(), 50u);
  EXPECT_LT(nat.size(), 150u);

  std::map<IpAddr, std::set<uint16_t>> ports;
  uint64_t nat_flows = 0;
  for (const TraceFlow& f : Generate(o)) {
    ports[f.key.client.addr].insert(f.key.client.port);
    if (nat.count(f.key.client.addr)) {
      ++nat_flows;
      EXPECT_GE(f.key.client.port, 1024);
      EXPECT_LT(f.key.client.port, 1024 + 2000);
    } else {
      EXPECT_GE(f.key.client.port, 32768);
      EXPECT_LE(f.key.client.port, 60999);
    }
  }
  // 5% of the addresses with 50x the activity carry most flows...
  EXPECT_GT(static_cast<double>(nat_flows) / o.flows, 0.5);
  // ...and the busiest gateway cycles through its whole port block.
  size_t most = 0;
  for (const IpAddr& a : nat) most = std::max(most, ports[a].size());
  EXPECT_EQ(most, 2000u);
}

TEST(TraceGen, SourcePortsRarelyCollideAmongLiveFlows) {
  TraceGenOptions o;
  o.flows = 100000;
  o.nat_fraction = 0;
  std::unordered_map<FlowKey, double, FlowKeyHash> live_until;
  size_t collisions = 0;
  for (const TraceFlow& f : Generate(o)) {
    FlowKey k = f.key;
    k.vip = {};  // the client side alone must be unique
    auto [it, fresh] = live_until.emplace(k, f.start + f.duration);
    if (!fresh) {
      if (it->second > f.start) ++collisions;
      it->second = f.start + f.duration;
    }
  }
  EXPECT_LT(static_cast<double>(collisions) / o.flows, 0.001) << collisions;
}

TEST(TraceGen, DurationTailHeavierThanExponential) {
  TraceGenOptions o;
  o.flows = 100000;
  std::vector<TraceFlow> f = Generate(o);
  double sum = 0;
  std::vector<double> d;
  for (const TraceFlow& t : f) {
    sum += t.duration;
    d.push_back(t.duration);
    ASSERT_GE(t.duration, 0);
    ASSERT_LE(t.duration, o.max_duration);
  }
  double mean = sum / static_cast<double>(d.size());
  size_t beyond = std::count_if(d.begin(), d.end(), [mean](double x) { return x > 10 * mean; });
  // An exponential with this mean puts e^-10 (4.5e-5) of its mass there.
  EXPECT_GT(static_cast<double>(beyond) / static_cast<double>(d.size()), 100 * std::exp(-10.0));
  // And most flows are short: the median is near the lognormal median.
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  EXPECT_LT(d[d.size() / 2], 1.0);
  size_t under10 =
      std::count_if(f.begin(), f.end(), [](const TraceFlow& t) { return t.duration < 10; });
  EXPECT_NEAR(static_cast<double>(under10) / f.size(), 0.88, 0.03);
}

TEST(TraceGen, SizesFollowWebSearchCdf) {
  TraceGenOptions o;
  o.flows = 50000;
  std::vector<TraceFlow> f = Generate(o);
  size_t small = 0;
  for (const TraceFlow& t : f) {
    ASSERT_GE(t.packets, 1u);
    ASSERT_LE(t.packets, 20000u);
    EXPECT_EQ(t.bytes, t.packets * 1460);
    small += t.packets <= 53;
  }
  EXPECT_NEAR(static_cast<double>(small) / f.size(), 0.53, 0.02);
  o.sizes = false;
  EXPECT_EQ(Generate(o)[0].packets, 0u);
}

TEST(TraceGen, FamiliesProtocolsAndVips) {
  TraceGenOptions o;
  o.flows = 20000;
  o.ipv6_fraction = 0.5;
  o.udp_fraction = 0.25;
  o.zipf_s = 0;
  Endpoint v1, v2, v3;
  ASSERT_TRUE(Endpoint::Parse("10.0.0.1:80", &v1));
  ASSERT_TRUE(Endpoint::Parse("10.0.0.2:443", &v2));
  ASSERT_TRUE(Endpoint::Parse("[2001:db8::7]:53", &v3));
  o.vips = {v1, v2, v3};
  size_t v6 = 0, udp = 0, to_v2 = 0;
  for (const TraceFlow& f : Generate(o)) {
    ASSERT_EQ(f.key.client.addr.family, f.key.vip.addr.family);
    v6 += f.key.client.addr.family == Family::kV6;
    udp += f.key.proto == Proto::kUdp;
    to_v2 += f.key.vip == v2;
    if (f.key.client.addr.family == Family::kV6) {
      ASSERT_EQ(f.key.vip, v3);
    }
  }
  EXPECT_NEAR(v6 / 20000.0, 0.5, 0.05);
  EXPECT_NEAR(udp / 20000.0, 0.25, 0.02);
  EXPECT_NEAR(to_v2 / 20000.0, 0.25, 0.03);
}

TEST(TraceGen, OutputParsesWithTheTextReader) {
  TraceGenOptions o;
  o.flows = 3000;
  o.ipv6_fraction = 0.2;
  std::vector<TraceFlow> in = Generate(o);
  std::string text;
  for (const TraceFlow& f : in) AppendTraceFlow(f, &text);
  auto r = TextTraceFromString(text, "gen");
  TraceFlow f;
  size_t n = 0;
  while (r->Next(&f)) {
    ASSERT_LT(n, in.size());
    EXPECT_EQ(f.key, in[n].key);
    EXPECT_NEAR(f.start, in[n].start, 1e-6);
    EXPECT_EQ(f.packets, in[n].packets);
    ++n;
  }
  EXPECT_EQ(r->error(), "");
  EXPECT_EQ(n, in.size());
}

TEST(TraceGen, ReaderInterfaceAndEarlyStop) {
  TraceGenOptions o;
  o.flows = 10;
  std::string err;
  auto g = TraceGenerator::Create(o, &err);
  ASSERT_NE(g, nullptr) << err;
  TraceFlow f;
  int n = 0;
  while (g->Next(&f)) ++n;
  EXPECT_EQ(n, 10);
  EXPECT_EQ(g->position(), g->size());
  EXPECT_EQ(g->error(), "");
  int seen = 0;
  EXPECT_FALSE(GenerateTrace(
      o, [&seen](const TraceFlow&) { return ++seen < 3; }, &err));
  EXPECT_EQ(seen, 3);
}

TEST(TraceGen, BadOptions) {
  struct Case {
    void (*set)(TraceGenOptions*);
    const char* error;
  } cases[] = {
      {[](TraceGenOptions* o) { o->rate = 0; }, "rate must be > 0 flows/s"},
      {[](TraceGenOptions* o) { o->clients = 0; }, "clients must be 1..8388608"},
      {[](TraceGenOptions* o) { o->zipf_s = -1; }, "zipf exponent must be 0..10"},
      {[](TraceGenOptions* o) { o->nat_fraction = 2; }, "nat fraction must be 0..1"},
      {[](TraceGenOptions* o) { o->ipv6_fraction = -0.1; }, "ipv6 fraction must be 0..1"},
      {[](TraceGenOptions* o) { o->udp_fraction = 1.5; }, "udp fraction must be 0..1"},
      {[](TraceGenOptions* o) { o->tail_fraction = 3; }, "tail fraction must be 0..1"},
      {[](TraceGenOptions* o) { o->nat_users = 0; }, "nat users must be >= 1"},
      {[](TraceGenOptions* o) { o->nat_ports = 0; }, "nat ports must be 1..64512"},
      {[](TraceGenOptions* o) { o->tail_alpha = 0; }, "duration parameters must be positive"},
      {[](TraceGenOptions* o) { o->vips = {Endpoint{}}; }, "virtual service 0.0.0.0:0 has port 0"},
      {[](TraceGenOptions* o) {
         Endpoint v;
         Endpoint::Parse("[2001:db8::1]:80", &v);
         o->vips = {v};
       },
       "IPv4 clients need an IPv4 virtual service"},
      {[](TraceGenOptions* o) {
         Endpoint v;
         Endpoint::Parse("10.0.0.1:80", &v);
         o->vips = {v};
         o->ipv6_fraction = 0.5;
       },
       "IPv6 clients need an IPv6 virtual service"},
  };
  for (const Case& c : cases) {
    TraceGenOptions o;
    c.set(&o);
    std::string err;
    EXPECT_EQ(TraceGenerator::Create(o, &err), nullptr) << c.error;
    EXPECT_EQ(err, c.error);
  }
  EXPECT_NE(DescribeDistributions().find("Benson"), std::string::npos);
}

}  // namespace
}  // namespace ipvs_sim
