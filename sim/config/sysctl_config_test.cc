// SPDX-License-Identifier: GPL-2.0
#include "sysctl_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ipvs_sim {
namespace {

// `sysctl -a | grep net.ipv4.vs` of a 6.12 kernel with the defaults (plus
// lines of other sysctls and a stderr line, as `sysctl -a 2>&1` gives).
const char* kDefaultDump =
    "net.ipv4.ip_forward = 1\n"
    "sysctl: permission denied on key 'net.ipv4.route.flush'\n"
    "net.ipv4.vs.am_droprate = 10\n"
    "net.ipv4.vs.amemthresh = 1024\n"
    "net.ipv4.vs.backup_only = 0\n"
    "net.ipv4.vs.cache_bypass = 0\n"
    "net.ipv4.vs.conn_reuse_mode = 1\n"
    "net.ipv4.vs.conntrack = 0\n"
    "net.ipv4.vs.drop_entry = 0\n"
    "net.ipv4.vs.drop_packet = 0\n"
    "net.ipv4.vs.est_cpulist = 0-1\n"
    "net.ipv4.vs.est_nice = 0\n"
    "net.ipv4.vs.expire_nodest_conn = 0\n"
    "net.ipv4.vs.expire_quiescent_template = 0\n"
    "net.ipv4.vs.ignore_tunneled = 0\n"
    "net.ipv4.vs.lblc_expiration = 86400\n"
    "net.ipv4.vs.lblcr_expiration = 86400\n"
    "net.ipv4.vs.nat_icmp_send = 0\n"
    "net.ipv4.vs.pmtu_disc = 1\n"
    "net.ipv4.vs.run_estimation = 1\n"
    "net.ipv4.vs.schedule_icmp = 0\n"
    "net.ipv4.vs.secure_tcp = 0\n"
    "net.ipv4.vs.sloppy_sctp = 0\n"
    "net.ipv4.vs.sloppy_tcp = 0\n"
    "net.ipv4.vs.snat_reroute = 1\n"
    "net.ipv4.vs.sync_persist_mode = 0\n"
    "net.ipv4.vs.sync_ports = 1\n"
    "net.ipv4.vs.sync_qlen_max = 61634\n"
    "net.ipv4.vs.sync_refresh_period = 0\n"
    "net.ipv4.vs.sync_retries = 0\n"
    "net.ipv4.vs.sync_sock_size = 0\n"
    "net.ipv4.vs.sync_threshold = 3\t50\n"
    "net.ipv4.vs.sync_version = 1\n"
    "net.ipv6.conf.all.forwarding = 0\n";

bool SameAsDefaults(const IpvsSysctls& s) {
  IpvsSysctls d;
  return s.expire_nodest_conn == d.expire_nodest_conn &&
         s.expire_quiescent_template == d.expire_quiescent_template &&
         s.conn_reuse_mode == d.conn_reuse_mode && s.sloppy_tcp == d.sloppy_tcp &&
         s.sloppy_sctp == d.sloppy_sctp;
}

TEST(Sysctl, DefaultsAreTheKernels) {
  IpvsSysctls s;
  EXPECT_EQ(s.conn_reuse_mode, 1);
  EXPECT_EQ(s.expire_nodest_conn, 0);
  EXPECT_EQ(s.expire_quiescent_template, 0);
  EXPECT_EQ(s.sloppy_tcp, 0);
  EXPECT_EQ(s.sloppy_sctp, 0);
}

TEST(Sysctl, DefaultDumpIsQuietAndKeepsDefaults) {
  IpvsSysctls s;
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(ParseIpvsSysctlText(kDefaultDump, "dump", &s, &warnings, &err)) << err;
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_TRUE(SameAsDefaults(s));
}

TEST(Sysctl, SetsEveryModelledOne) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  ASSERT_TRUE(SetIpvsSysctl("expire_nodest_conn=1", "--sysctl", &s, &w, &err)) << err;
  ASSERT_TRUE(SetIpvsSysctl("net.ipv4.vs.expire_quiescent_template = 1", "--sysctl", &s, &w, &err));
  ASSERT_TRUE(SetIpvsSysctl("net/ipv4/vs/conn_reuse_mode=2", "--sysctl", &s, &w, &err));
  ASSERT_TRUE(SetIpvsSysctl("  sloppy_tcp\t=\t1 ", "--sysctl", &s, &w, &err));
  ASSERT_TRUE(SetIpvsSysctl("sloppy_sctp=0x1", "--sysctl", &s, &w, &err));
  EXPECT_EQ(s.expire_nodest_conn, 1);
  EXPECT_EQ(s.expire_quiescent_template, 1);
  EXPECT_EQ(s.conn_reuse_mode, 2);
  EXPECT_EQ(s.sloppy_tcp, 1);
  EXPECT_EQ(s.sloppy_sctp, 1);
  EXPECT_TRUE(w.empty());
}

TEST(Sysctl, ModelledOnesTakeAnyIntAsProcDointvec) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  ASSERT_TRUE(SetIpvsSysctl("conn_reuse_mode=3", "x", &s, &w, &err)) << err;
  EXPECT_EQ(s.conn_reuse_mode, 3);
  ASSERT_TRUE(SetIpvsSysctl("expire_nodest_conn=-1", "x", &s, &w, &err)) << err;
  EXPECT_EQ(s.expire_nodest_conn, -1);
  ASSERT_TRUE(SetIpvsSysctl("sloppy_tcp=2147483647", "x", &s, &w, &err)) << err;
  EXPECT_EQ(s.sloppy_tcp, 2147483647);
  ASSERT_TRUE(SetIpvsSysctl("sloppy_sctp=-2147483648", "x", &s, &w, &err)) << err;
  EXPECT_EQ(s.sloppy_sctp, -2147483647 - 1);
  EXPECT_FALSE(SetIpvsSysctl("sloppy_tcp=2147483648", "x", &s, &w, &err));
  EXPECT_NE(err.find("range"), std::string::npos) << err;
  EXPECT_EQ(s.sloppy_tcp, 2147483647);  // untouched on error
}

TEST(Sysctl, UnmodelledNonDefaultWarnsWithTheReason) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  ASSERT_TRUE(SetIpvsSysctl("conntrack=1", "--sysctl", &s, &w, &err)) << err;
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("--sysctl: net.ipv4.vs.conntrack = 1 is not modelled: ", 0), 0u) << w[0];
  EXPECT_NE(w[0].find("SYN"), std::string::npos) << w[0];
  ASSERT_TRUE(SetIpvsSysctl("lblc_expiration=60", "--sysctl", &s, &w, &err)) << err;
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[1].find("sched_lblc"), std::string::npos) << w[1];
  ASSERT_TRUE(SetIpvsSysctl("sync_threshold = 2 10", "--sysctl", &s, &w, &err)) << err;
  EXPECT_EQ(w.size(), 3u);
  // The default value of an unmodelled one is quiet, and none touches *out.
  ASSERT_TRUE(SetIpvsSysctl("pmtu_disc=1", "--sysctl", &s, &w, &err)) << err;
  EXPECT_EQ(w.size(), 3u);
  EXPECT_TRUE(SameAsDefaults(s));
}

TEST(Sysctl, UnmodelledOnesAreCheckedAsTheirHandlers) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  const char* bad[] = {
      "drop_entry=4",      // proc_do_defense_mode: 0..3
      "secure_tcp=-1",     //
      "sync_version=2",    // minmax 0..1
      "sync_retries=4",    // minmax 0..3
      "sync_ports=3",      // a power of 2
      "sync_ports=0",      //
      "est_nice=20",       // MIN_NICE..MAX_NICE
      "sync_threshold=3",  // two values
      "sync_threshold=50 3", "sync_qlen_max=-1",
  };
  for (const char* a : bad) {
    EXPECT_FALSE(SetIpvsSysctl(a, "--sysctl", &s, &w, &err)) << a;
    EXPECT_EQ(err.rfind("--sysctl: bad value", 0), 0u) << err;
  }
  EXPECT_TRUE(SetIpvsSysctl("drop_entry=3", "x", &s, &w, &err)) << err;
  EXPECT_TRUE(SetIpvsSysctl("sync_ports=8", "x", &s, &w, &err)) << err;
  EXPECT_TRUE(SetIpvsSysctl("est_nice=-20", "x", &s, &w, &err)) << err;
  EXPECT_TRUE(SetIpvsSysctl("sync_threshold=3 0", "x", &s, &w, &err)) << err;
  EXPECT_TRUE(SetIpvsSysctl("est_cpulist=", "x", &s, &w, &err)) << err;
}

TEST(Sysctl, Errors) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"conn_reuse_mode", "not NAME=VALUE"},
      {"ip_forward=1", "not an IPVS sysctl"},
      {"net.ipv4.ip_forward=1", "not an IPVS sysctl"},
      {"net.ipv4.vs.no_such=1", "not an IPVS sysctl"},
      {"conn_reuse_mode=", "one integer expected"},
      {"conn_reuse_mode=yes", "not an integer"},
      {"conn_reuse_mode=1 2", "one integer expected"},
      {"conn_reuse_mode=1.5", "not an integer"},
      {"conn_reuse_mode=+1", "not an integer"},
      {"conn_reuse_mode=010", "octal"},
      {"conn_reuse_mode=0x", "not an integer"},
      {"conn_reuse_mode=99999999999999999999999", "range"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(SetIpvsSysctl(c.text, "f:3", &s, &w, &err)) << c.text;
    EXPECT_EQ(err.rfind("f:3: ", 0), 0u) << err;
    EXPECT_NE(err.find(c.want), std::string::npos) << c.text << ": " << err;
  }
  EXPECT_TRUE(SameAsDefaults(s));
  EXPECT_TRUE(w.empty());
}

TEST(Sysctl, FileErrorsNameFileAndLine) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  const char* text =
      "# saved with sysctl -a\n"
      "; another comment\n"
      "\n"
      "net.ipv4.vs.conn_reuse_mode = 0\n"
      "kernel.pid_max = 4194304\n"
      "net.ipv4.vs.sloppy_tcp = maybe\n";
  EXPECT_FALSE(ParseIpvsSysctlText(text, "saved.txt", &s, &w, &err));
  EXPECT_EQ(err.rfind("saved.txt:6: ", 0), 0u) << err;
  EXPECT_EQ(s.conn_reuse_mode, 0);  // the line before the bad one applied
}

TEST(Sysctl, LaterLinesWinAndWarningsNameTheLine) {
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  const char* text =
      "net.ipv4.vs.expire_nodest_conn = 1\n"
      "net.ipv4.vs.secure_tcp = 3\n"
      "net/ipv4/vs/expire_nodest_conn = 0\n";
  ASSERT_TRUE(ParseIpvsSysctlText(text, "f", &s, &w, &err)) << err;
  EXPECT_EQ(s.expire_nodest_conn, 0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("f:2: net.ipv4.vs.secure_tcp = 3 is not modelled", 0), 0u) << w[0];
}

TEST(Sysctl, LoadsAFile) {
  std::string path = ::testing::TempDir() + "/sysctl_config_test.txt";
  {
    std::ofstream out(path);
    out << "net.ipv4.vs.conn_reuse_mode = 2\r\nnet.ipv4.vs.sloppy_tcp = 1";
  }
  IpvsSysctls s;
  std::vector<std::string> w;
  std::string err;
  ASSERT_TRUE(LoadIpvsSysctlFile(path, &s, &w, &err)) << err;
  EXPECT_EQ(s.conn_reuse_mode, 2);
  EXPECT_EQ(s.sloppy_tcp, 1);
  std::remove(path.c_str());
  EXPECT_FALSE(LoadIpvsSysctlFile(path, &s, &w, &err));
  EXPECT_EQ(err, path + ": cannot open");
}

}  // namespace
}  // namespace ipvs_sim
