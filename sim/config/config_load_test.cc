// SPDX-License-Identifier: GPL-2.0
#include "config_load.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "replay.h"
#include "replay_testing.h"

namespace ipvs_sim {
namespace {

using replay_testing::F;
using replay_testing::Predict;

LoadedConfig Load(const std::string& text, ConfigFormat format) {
  LoadedConfig lc;
  std::string err;
  EXPECT_TRUE(LoadConfigText(text, "cfg", ".", format, KeepalivedOptions(), &lc, &err)) << err;
  return lc;
}

// Real servers of the test services, in the order they were added.
struct Svc {
  const char* proto;  // "TCP" / "UDP"
  const char* vip;
  int port;
  const char* sched;
  const char* flag;  // keepalived keyword, ipvsadm -b name
  char fwd;          // 'm' NAT / 'g' DR
  int dests;
};
const Svc kServices[] = {
    {"TCP", "10.0.0.1", 80, "mh", "mh-port", 'm', 7},
    {"UDP", "10.0.0.2", 53, "sh", "sh-port", 'g', 5},
    {"TCP", "10.0.0.3", 443, "rr", nullptr, 'm', 4},
};
std::string DestAddr(int s, int i) {
  return fmt::format("192.168.{}.{}", s + 1, (i * 37) % 250 + 1);
}
int Weight(int i) { return i % 4 + 1; }

std::string AsRules() {
  std::string out;
  for (int s = 0; s < 3; ++s) {
    const Svc& v = kServices[s];
    std::string key = fmt::format("-{} {}:{}", v.proto[0] == 'T' ? 't' : 'u', v.vip, v.port);
    out += fmt::format("-A {} -s {}{}\n", key, v.sched, v.flag ? std::string(" -b ") + v.flag : "");
    for (int i = 0; i < v.dests; ++i)  // oldest first, as ipvs-snapshot writes them
      out +=
          fmt::format("-a {} -r {}:{} -{} -w {}\n", key, DestAddr(s, i), v.port, v.fwd, Weight(i));
  }
  return out;
}

std::string AsListing(bool nosort) {
  std::string out =
      "IP Virtual Server version 1.2.1 (size=4096)\n"
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
  for (int s = 0; s < 3; ++s) {
    const Svc& v = kServices[s];
    out += fmt::format("{}  {}:{} {}{}\n", v.proto, v.vip, v.port, v.sched,
                       v.flag ? fmt::format(" ({})", v.flag) : "");
    std::vector<int> order;
    for (int i = v.dests - 1; i >= 0; --i) order.push_back(i);  // newest (head) first
    if (!nosort)
      std::sort(order.begin(), order.end(), [&](int a, int b) {
        IpAddr x, y;
        IpAddr::Parse(DestAddr(s, a), &x);
        IpAddr::Parse(DestAddr(s, b), &y);
        return x.v4() < y.v4();
      });
    for (int i : order)
      out += fmt::format("  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n",
                         fmt::format("{}:{}", DestAddr(s, i), v.port),
                         v.fwd == 'm' ? "Masq" : "Route", Weight(i), 0, 0);
  }
  return out;
}

std::string AsKeepalived() {
  std::string out = "! the same services\nglobal_defs {\n  router_id LVS_TEST\n}\n";
  for (int s = 0; s < 3; ++s) {
    const Svc& v = kServices[s];
    out += fmt::format("virtual_server {} {} {{\n  protocol {}\n  lb_algo {}\n", v.vip, v.port,
                       v.proto, v.sched);
    if (v.flag) out += fmt::format("  {}\n", v.flag);
    out += fmt::format("  lb_kind {}\n", v.fwd == 'm' ? "NAT" : "DR");
    for (int i = 0; i < v.dests; ++i)
      out += fmt::format(
          "  real_server {} {} {{\n    weight {}\n    TCP_CHECK {{\n      connect_timeout 3\n"
          "    }}\n  }}\n",
          DestAddr(s, i), v.port, Weight(i));
    out += "}\n";
  }
  return out;
}

std::vector<TraceFlow> Flows() {
  std::vector<TraceFlow> flows;
  for (int i = 0; i < 6000; ++i) {
    const Svc& v = kServices[i % 3];
    flows.push_back(
        F(i * 0.001,
          fmt::format("10.{}.{}.{}:{}", 20 + i % 5, i / 5 % 250, i % 249 + 1, 1024 + i % 50000),
          0.0005, fmt::format("{}:{}", v.vip, v.port),
          v.proto[0] == 'T' ? Proto::kTcp : Proto::kUdp));
  }
  return flows;
}

// The same services as -Sn rules, as -Ln --nosort and as keepalived.conf
// give the same lists and so the same prediction for every flow.
TEST(ConfigLoad, SameServicesThreeWaysPredictAlike) {
  LoadedConfig rules = Load(AsRules(), ConfigFormat::kAuto);
  LoadedConfig nosort = Load(AsListing(true), ConfigFormat::kListNosort);
  LoadedConfig kconf = Load(AsKeepalived(), ConfigFormat::kAuto);
  EXPECT_EQ(rules.format, ConfigFormat::kRules);
  EXPECT_EQ(kconf.format, ConfigFormat::kKeepalived);
  EXPECT_TRUE(nosort.warnings.empty());
  EXPECT_TRUE(kconf.warnings.empty()) << kconf.warnings[0];
  EXPECT_EQ(FormatIpvsadmConfig(rules.config), AsRules());
  EXPECT_EQ(FormatIpvsadmConfig(nosort.config), AsRules());
  EXPECT_EQ(FormatIpvsadmConfig(kconf.config), AsRules());
  std::vector<TraceFlow> flows = Flows();
  std::string want = Predict(rules.config, flows);
  EXPECT_EQ(Predict(nosort.config, flows), want);
  EXPECT_EQ(Predict(kconf.config, flows), want);
  // Not a tautology: every flow got a dest, and a sorted listing (which
  // lost the order) predicts mh differently, hence its warning.
  EXPECT_EQ(want.find(" -\n"), std::string::npos);
  LoadedConfig sorted = Load(AsListing(false), ConfigFormat::kAuto);
  EXPECT_EQ(sorted.format, ConfigFormat::kList);
  EXPECT_EQ(sorted.warnings.size(), 3u);  // mh, sh, and the rr one under another scheduler
  EXPECT_NE(Predict(sorted.config, flows), want);
}

TEST(ConfigLoad, FormatNamesAndErrors) {
  for (const std::string& n : ConfigFormatNames()) {
    ConfigFormat f;
    ASSERT_TRUE(ParseConfigFormat(n, &f)) << n;
    EXPECT_EQ(ConfigFormatName(f), n);
  }
  ConfigFormat f;
  EXPECT_FALSE(ParseConfigFormat("yaml", &f));
  LoadedConfig lc;
  std::string err;
  EXPECT_FALSE(LoadConfig("/nonexistent/cfg", ConfigFormat::kAuto, KeepalivedOptions(), &lc, &err));
  EXPECT_EQ(err, "/nonexistent/cfg: cannot open");
  // A forced format reads the text as that format.
  EXPECT_FALSE(LoadConfigText(AsKeepalived(), "k", ".", ConfigFormat::kRules, KeepalivedOptions(),
                              &lc, &err));
  EXPECT_EQ(err.rfind("k:1: ", 0), 0u) << err;
}

}  // namespace
}  // namespace ipvs_sim
