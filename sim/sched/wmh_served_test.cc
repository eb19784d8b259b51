// SPDX-License-Identifier: GPL-2.0
#include "wmh_served.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "file_testing.h"
#include "sched_testing.h"
#include "sched_wmh.h"
#include "wmh_table.h"

namespace ipvs_sim {
namespace {

using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::EpOf;
using sched_testing::Init;
using sched_testing::Svc;

SchedulerOptions Opts(uint32_t size) {
  SchedulerOptions o;
  o.wmh_table_size = size;
  return o;
}

// The export of @wmh's table for @svc, rendered as ip_vs_wmh_debugfs.c does
// (Documentation/wmh.rst, format 1); @weights are the dests' current ones.
std::string Render(const WmhScheduler& wmh, const Service& svc, const SchedulerOptions& o,
                   const std::string& error = "0") {
  const wmh_table* t = wmh.table();
  std::string s = "ip_vs_wmh table export 1\nsched_name wmh\nnetns 4026531840\n";
  s += fmt::format("service {}\nflags 0x0\nport_hash 0\noverflow 0\n", WmhServiceName(svc.key));
  s += fmt::format("table_size {}\nhash_key_fingerprint {:08x}\n", t->size,
                   wmh_hash_key_fingerprint(&o.wmh_key));
  s += fmt::format("generation 7\nlast_error {}\nfailed_rebuilds 0\n", error);
  s += fmt::format("dests {}\n", wmh.built_for().size());
  for (size_t i = 0; i < wmh.built_for().size(); ++i) {
    int d = svc.Find(wmh.built_for()[i].ep);
    const Dest& x = svc.dests[d];
    s += fmt::format("dest {} addr={} table_weight={} weight={} state={}\n", i, x.ep.ToString(),
                     x.last_weight, x.weight, x.weight ? "up" : "down");
  }
  s += fmt::format("slots {}\n", t->size);
  for (uint32_t i = 0; i < t->size; ++i) {
    if (i % 16 == 0) s += fmt::format("{}{}:", i ? "\n" : "", i);
    uint32_t v = wmh_table_slot(t, i);
    s += v == WMH_NO_DEST ? std::string(" -") : fmt::format(" {}", v);
  }
  return s + "\nend\n";
}

Service Weighted(int n) {
  std::vector<Dest> d;
  for (int i = 1; i <= n; ++i) d.push_back(D(fmt::format("192.168.1.{}:80", i), 1 + i * 7 % 13));
  return Svc(d);
}

TEST(WmhServed, AdoptedTableEqualsTheBuiltTable) {
  SchedulerOptions o = Opts(251);
  Service svc = Weighted(12);
  svc.dests[3].weight = 0;  // drained: its last weight keeps its slots
  svc.dests[5].overloaded = true;
  WmhScheduler built(o);
  Init(&built, svc);
  WmhServedTable t;
  std::string err;
  ASSERT_TRUE(ParseServedTable("a.export", Render(built, svc, o), &t, &err)) << err;
  EXPECT_EQ(t.key, svc.key);
  ASSERT_EQ(t.dests.size(), 12u);
  WmhScheduler adopted(o);
  ASSERT_TRUE(adopted.Adopt(t, &err)) << err;
  for (uint32_t s = 0; s < 251; ++s)
    ASSERT_EQ(built.built_for()[wmh_table_slot(built.table(), s)].ep,
              adopted.built_for()[wmh_table_slot(adopted.table(), s)].ep)
        << s;
  for (uint32_t i = 0; i < 3000; ++i)
    ASSERT_EQ(EpOf(svc, built.Schedule(svc, ClientV4(i))),
              EpOf(svc, adopted.Schedule(svc, ClientV4(i))))
        << i;
  // Every dest overloaded: what the lookup does then agrees too.
  for (Dest& d : svc.dests) d.overloaded = true;
  for (uint32_t i = 0; i < 500; ++i)
    ASSERT_EQ(EpOf(svc, built.Schedule(svc, ClientV4(i))),
              EpOf(svc, adopted.Schedule(svc, ClientV4(i))))
        << i;
}

TEST(WmhServed, KInitStartsFromTheServedTable) {
  SchedulerOptions o = Opts(13);
  Service old = Weighted(5);
  WmhScheduler before(o);
  Init(&before, old);
  // The rules now have a sixth dest and another weight, but the kernel
  // still serves the old table (a failed rebuild).
  Service now = old;
  now.dests.insert(now.dests.begin(), D("192.168.1.99:80", 100));
  now.dests[2].weight = now.dests[2].last_weight = 60;
  auto tables = std::make_shared<WmhServedTables>();
  std::string err;
  WmhServedTable t;
  ASSERT_TRUE(ParseServedTable("x", Render(before, old, o, "-12 out of memory"), &t, &err)) << err;
  EXPECT_EQ(t.last_error, -12);
  EXPECT_EQ(t.last_reason, "out of memory");
  (*tables)[t.key] = t;
  o.wmh_served = tables;
  WmhScheduler wmh(o);
  Init(&wmh, now);
  for (uint32_t i = 0; i < 2000; ++i)
    ASSERT_EQ(EpOf(now, wmh.Schedule(now, ClientV4(i))),
              EpOf(old, before.Schedule(old, ClientV4(i))))
        << i;
  // The next change rebuilds from the rules, as the kernel's next callback.
  ASSERT_TRUE(wmh.Update(now, SchedEvent::kUpdDest, &now.dests[0], &err)) << err;
  int newest = 0;
  for (uint32_t i = 0; i < 2000; ++i) newest += wmh.Schedule(now, ClientV4(i)) == 0;
  EXPECT_GT(newest, 500);
}

TEST(WmhServed, AnotherTableSizeOrKeyIsRefusedNamingTheFile) {
  SchedulerOptions o = Opts(13);
  Service svc = Weighted(4);
  WmhScheduler built(o);
  Init(&built, svc);
  WmhServedTable t;
  std::string err;
  ASSERT_TRUE(ParseServedTable("d/4026531840-tcp-10.0.0.1-80", Render(built, svc, o), &t, &err));
  WmhServedTables tables{{t.key, t}};
  EXPECT_TRUE(CheckServedTables(tables, 13, wmh_hash_key_fingerprint(&o.wmh_key), &err)) << err;
  EXPECT_FALSE(CheckServedTables(tables, 17, wmh_hash_key_fingerprint(&o.wmh_key), &err));
  EXPECT_EQ(err,
            "d/4026531840-tcp-10.0.0.1-80: table_size 13, but --wmh-table-size is 17 (the "
            "module's table_size must be given)");
  wmh_hash_key other{};
  EXPECT_FALSE(CheckServedTables(tables, 13, wmh_hash_key_fingerprint(&other), &err));
  EXPECT_EQ(err.rfind("d/4026531840-tcp-10.0.0.1-80: hash key fingerprint ", 0), 0u) << err;
  WmhScheduler wrong(Opts(17));
  EXPECT_FALSE(wrong.Adopt(t, &err));
  EXPECT_EQ(err.rfind("d/4026531840-tcp-10.0.0.1-80: table_size 13", 0), 0u) << err;
}

TEST(WmhServed, BadExportGivesFileAndLine) {
  SchedulerOptions o = Opts(13);
  Service svc = Weighted(4);
  WmhScheduler built(o);
  Init(&built, svc);
  std::string text = Render(built, svc, o);
  WmhServedTable t;
  std::string err;
  // Cut short: no "end".
  EXPECT_FALSE(ParseServedTable("cut.export", text.substr(0, text.size() - 4), &t, &err));
  EXPECT_EQ(err.rfind("cut.export: line ", 0), 0u) << err;
  // A dest line without its weight.
  std::string bad = text;
  bad.replace(bad.find("table_weight="), 13, "tw=");
  EXPECT_FALSE(ParseServedTable("bad.export", bad, &t, &err));
  EXPECT_EQ(err.rfind("bad.export: line 14: ", 0), 0u) << err;
}

TEST(WmhServed, DrainedDestsGetTheirLastWeightFromTheExport) {
  SchedulerOptions o = Opts(13);
  Service svc = Weighted(4);
  WmhScheduler built(o);
  Init(&built, svc);
  WmhServedTable t;
  std::string err;
  ASSERT_TRUE(ParseServedTable("x", Render(built, svc, o), &t, &err)) << err;
  WmhServedTables tables{{t.key, t}};
  // A dump shows a drained dest as -w 0: its last weight is lost.
  std::vector<Service> dumped{svc};
  int32_t lw = dumped[0].dests[2].last_weight;
  dumped[0].dests[2].weight = dumped[0].dests[2].last_weight = 0;
  dumped[0].dests[1].weight = 9;  // an undrained one keeps its own
  EXPECT_EQ(ApplyServedWeights(tables, &dumped), 1);
  EXPECT_EQ(dumped[0].dests[2].last_weight, lw);
  EXPECT_EQ(dumped[0].dests[1].last_weight, svc.dests[1].last_weight);
}

class WmhServedDir : public file_testing::TempDirTest {};

TEST_F(WmhServedDir, LoadsEveryFileAndRefusesTwoOfOneService) {
  SchedulerOptions o = Opts(13);
  Service a = Weighted(4);
  Service b = Weighted(6);
  b.key.proto = Proto::kUdp;
  b.key.vip = sched_testing::Ep("10.0.0.2:53");
  WmhScheduler wa(o), wb(o);
  Init(&wa, a);
  Init(&wb, b);
  std::ofstream(root_ / "1-tcp-10.0.0.1-80") << Render(wa, a, o);
  std::ofstream(root_ / "1-udp-10.0.0.2-53") << Render(wb, b, o);
  WmhServedTables tables;
  std::string err;
  ASSERT_TRUE(LoadServedTables(root_, "", &tables, &err)) << err;
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables.at(b.key).dests.size(), 6u);
  EXPECT_EQ(tables.at(b.key).file, (root_ / "1-udp-10.0.0.2-53").string());
  tables.clear();
  ASSERT_TRUE(LoadServedTables(root_, "1-udp", &tables, &err)) << err;
  EXPECT_EQ(tables.size(), 1u);
  // Another namespace's copy of the same service.
  std::ofstream(root_ / "2-tcp-10.0.0.1-80") << Render(wa, a, o);
  tables.clear();
  EXPECT_FALSE(LoadServedTables(root_, "", &tables, &err));
  EXPECT_NE(err.find("2-tcp-10.0.0.1-80: a second export of tcp 10.0.0.1:80"), std::string::npos)
      << err;
  std::ofstream(root_ / "3-junk") << "not an export\n";
  tables.clear();
  EXPECT_FALSE(LoadServedTables(root_, "3-", &tables, &err));
  EXPECT_NE(err.find("3-junk: line 1"), std::string::npos) << err;
}

#ifdef IPVS_SCHED_VERIFY_TESTDATA
// The module's own export of a service given 252 servers for 251 slots
// (tests/vm/prepare-verify.sh's verify-enospc, saved on Debian's 6.1): the
// model of the outgrown table, from the rules alone, is its table.
TEST(WmhServed, OutgrownModelIsTheKernelsTable) {
  std::ifstream in(std::string(IPVS_SCHED_VERIFY_TESTDATA) + "/6.1-enospc.export");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WmhServedTable t;
  std::string err;
  ASSERT_TRUE(ParseServedTable("6.1-enospc.export", text, &t, &err)) << err;
  EXPECT_EQ(t.last_error, -28);
  SchedulerOptions o = Opts(251);
  ASSERT_EQ(wmh_hash_key_parse("f0e1d2c3b4a5968778695a4b3c2d1e0f", &o.wmh_key), 0);
  Service svc;
  svc.key.proto = Proto::kUdp;
  svc.key.vip = sched_testing::Ep("10.0.40.5:53");
  for (int i = 1; i <= 252; ++i) {  // ipvsadm -R: each -a at the head
    Dest d = D(fmt::format("172.29.{}.{}:53", i / 200, i % 200 + 1), i % 7 + 1);
    svc.dests.insert(svc.dests.begin(), d);
  }
  WmhScheduler model(o);
  Init(&model, svc);
  ASSERT_EQ(t.slots.size(), 251u);
  for (uint32_t s = 0; s < 251; ++s)
    ASSERT_EQ(model.built_for()[wmh_table_slot(model.table(), s)].ep, t.dests[t.slots[s]].ep) << s;
}
#endif

}  // namespace
}  // namespace ipvs_sim
