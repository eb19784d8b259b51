// SPDX-License-Identifier: GPL-2.0
#include "sched_wmh.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <vector>

#include "sched_testing.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace ipvs_sim {
namespace {

using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::DelDest;
using sched_testing::EpOf;
using sched_testing::Flow;
using sched_testing::Init;
using sched_testing::SetWeight;
using sched_testing::Svc;

SchedulerOptions Opts(uint32_t size = 4093) {
  SchedulerOptions o;
  o.wmh_table_size = size;
  return o;
}

// The core called directly, as ip_vs_wmh_main.c does, with the states given.
struct Direct {
  wmh_table t{};
  std::vector<wmh_dest_state> state;
  ~Direct() { wmh_table_free(&t); }
  static wmh_dest_state State(const void* ctx, u32 i) {
    return static_cast<const Direct*>(ctx)->state[i];
  }
};

TEST(WmhScheduler, AgreesWithTheCoreCalledDirectly) {
  Service svc = Svc({D("192.168.1.5:80", 3), D("192.168.1.6:8080", 1), D("192.168.1.7:80", 2),
                     D("192.168.1.8:80", 5)});
  svc.dests[2].weight = 0;  // draining: last_weight 2 keeps its slots
  svc.dests[3].overloaded = true;
  SchedulerOptions opts = Opts(65537);
  WmhScheduler wmh(opts);
  Init(&wmh, svc);

  Direct direct;
  const uint8_t a[4][4] = {{192, 168, 1, 5}, {192, 168, 1, 6}, {192, 168, 1, 7}, {192, 168, 1, 8}};
  const uint16_t ports[4] = {80, 8080, 80, 80};
  const u32 weights[4] = {3, 1, 2, 5};
  std::vector<wmh_dest_spec> spec(4);
  for (int i = 0; i < 4; ++i) {
    wmh_dest_key(spec[i].key, WMH_AF_INET, a[i], htons(ports[i]));
    spec[i].weight = weights[i];
  }
  ASSERT_EQ(wmh_table_build(&direct.t, 65537, &opts.wmh_key, spec.data(), 4), 0);
  direct.state = {WMH_DEST_UP, WMH_DEST_UP, WMH_DEST_DOWN, WMH_DEST_OVERLOADED};
  ASSERT_NE(wmh.table(), nullptr);
  for (uint32_t s = 0; s < 65537; ++s)
    ASSERT_EQ(wmh_table_slot(wmh.table(), s), wmh_table_slot(&direct.t, s)) << s;

  for (uint32_t flags : {0u, kSchedFlag1, kSchedFlag2, kSchedFlag1 | kSchedFlag2}) {
    svc.flags = flags;
    for (uint32_t i = 0; i < 2000; ++i) {
      FlowKey f = ClientV4(i * 7919, static_cast<uint16_t>(1024 + i));
      uint8_t msg[WMH_FLOW_MSG_MAX];
      u32 len = wmh_flow_msg(msg, WMH_AF_INET, f.client.addr.bytes.data(),
                             (flags & kSchedFlag2) != 0, htons(f.client.port));
      u32 want = wmh_lookup(&direct.t, msg, len, &Direct::State, &direct, flags & kSchedFlag1);
      int got = wmh.Schedule(svc, f);
      ASSERT_EQ(got, want == WMH_NO_DEST ? -1 : static_cast<int>(want)) << flags << " " << i;
      ASSERT_NE(got, 2);
    }
  }
}

TEST(WmhScheduler, OptionsActLikeFlags) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  SchedulerOptions po = Opts();
  po.wmh_port_hash = true;
  WmhScheduler plain(Opts()), port_opt(po);
  Init(&plain, svc);
  Init(&port_opt, svc);
  Service flagged = svc;
  flagged.flags = kSchedFlag2;
  int spread = 0;
  for (uint16_t p = 1000; p < 1100; ++p) {
    FlowKey f = ClientV4(42, p);
    EXPECT_EQ(port_opt.Schedule(svc, f), plain.Schedule(flagged, f));
    spread += plain.Schedule(flagged, f) != plain.Schedule(flagged, ClientV4(42, 1000));
    EXPECT_EQ(plain.Schedule(svc, f), plain.Schedule(svc, ClientV4(42, 1000)));
  }
  EXPECT_GT(spread, 30);  // the port moves flows only when hashed

  // Overflow: with every dest overloaded, flag-1 or the option still
  // places flows; without them nobody takes them.
  for (Dest& d : svc.dests) d.overloaded = true;
  SchedulerOptions oo = Opts();
  oo.wmh_overflow = true;
  WmhScheduler ovf(oo);
  Init(&ovf, svc);
  Service f1 = svc;
  f1.flags = kSchedFlag1;
  for (uint32_t i = 0; i < 50; ++i) {
    EXPECT_EQ(plain.Schedule(svc, ClientV4(i)), -1);
    EXPECT_GE(plain.Schedule(f1, ClientV4(i)), 0);
    EXPECT_EQ(ovf.Schedule(svc, ClientV4(i)), plain.Schedule(f1, ClientV4(i)));
  }
}

TEST(WmhScheduler, ListOrderDoesNotMatter) {
  Service ab = Svc({D("192.168.1.5:80", 2), D("192.168.1.6:80", 1), D("[2001:db8::7]:80", 3)});
  Service ba = Svc({D("[2001:db8::7]:80", 3), D("192.168.1.5:80", 2), D("192.168.1.6:80", 1)});
  WmhScheduler w1(Opts()), w2(Opts());
  Init(&w1, ab);
  Init(&w2, ba);
  for (uint32_t i = 0; i < 3000; ++i) {
    FlowKey f = ClientV4(i);
    ASSERT_EQ(EpOf(ab, w1.Schedule(ab, f)), EpOf(ba, w2.Schedule(ba, f))) << i;
  }
}

TEST(WmhScheduler, AddingDestsOneByOneEqualsBindingAll) {
  Service all = Svc({D("192.168.1.7:80"), D("192.168.1.6:80"), D("192.168.1.5:80")});
  WmhScheduler bound(Opts()), grown(Opts());
  Init(&bound, all);
  Service svc = Svc({});
  Init(&grown, svc);
  EXPECT_EQ(grown.Schedule(svc, ClientV4(1)), -1);  // no dests: no dest
  std::string err;
  for (const char* ep : {"192.168.1.5:80", "192.168.1.6:80", "192.168.1.7:80"})
    ASSERT_TRUE(sched_testing::AddDest(&grown, &svc, D(ep), &err)) << err;
  for (uint32_t i = 0; i < 1000; ++i)
    ASSERT_EQ(EpOf(all, bound.Schedule(all, ClientV4(i))),
              EpOf(svc, grown.Schedule(svc, ClientV4(i))));
}

TEST(WmhScheduler, FailedRebuildKeepsTheOldTable) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  WmhScheduler wmh(Opts());
  Init(&wmh, svc);
  const wmh_table* t = wmh.table();
  std::vector<std::string> before;
  for (uint32_t i = 0; i < 500; ++i) before.push_back(EpOf(svc, wmh.Schedule(svc, ClientV4(i))));

  std::string err;
  wmh_fail_alloc_after = 0;
  bool ok = DelDest(&wmh, &svc, "192.168.1.6:80", &err);
  wmh_fail_alloc_after = -1;
  ASSERT_FALSE(ok);
  EXPECT_NE(err.find("previous table kept"), std::string::npos) << err;
  EXPECT_EQ(wmh.table(), t);
  ASSERT_EQ(wmh.built_for().size(), 3u);  // still the old dests
  // The removed dest counts as down: its flows move, nobody else's do, and
  // returned indices refer to the current dest list.
  int moved = 0;
  for (uint32_t i = 0; i < 500; ++i) {
    int got = wmh.Schedule(svc, ClientV4(i));
    ASSERT_GE(got, 0) << i;
    ASSERT_LT(got, 2);
    if (before[i] == "192.168.1.6:80")
      ++moved;
    else
      EXPECT_EQ(EpOf(svc, got), before[i]) << i;
  }
  EXPECT_GT(moved, 100);
  // A later successful rebuild takes the new dest list.
  ASSERT_TRUE(SetWeight(&wmh, &svc, "192.168.1.5:80", 2, &err)) << err;
  EXPECT_EQ(wmh.built_for().size(), 2u);
}

// The kernel under ipvsadm -R: an empty service, then each -a at the list
// head and a rebuild; past table_size dests every rebuild fails (-ENOSPC)
// and the table of the first table_size serves.
TEST(WmhScheduler, OutgrownServiceServesTheTableOfTheFirstDestsAdded) {
  const uint32_t size = 7;
  Service grown = Svc({});
  WmhScheduler kernel(Opts(size));
  Init(&kernel, grown);
  std::vector<Dest> all;
  for (int i = 1; i <= 11; ++i) all.push_back(D(fmt::format("192.168.1.{}:80", i), i % 4 + 1));
  std::string err;
  for (size_t i = 0; i < all.size(); ++i) {
    bool ok = sched_testing::AddDest(&kernel, &grown, all[i], &err);
    ASSERT_EQ(ok, i < size) << i << ": " << err;
    // The first failure says why; the ones that follow are the same.
    if (i == size) {
      EXPECT_NE(err.find("previous table kept: 8 servers, 7 slots"), std::string::npos) << err;
    } else if (i > size) {
      EXPECT_EQ(err, "") << i;
    }
  }
  EXPECT_EQ(kernel.built_for().size(), size);

  // The model: the whole list at once (svc.dests in kernel order, newest
  // first), as a configuration file is loaded.
  WmhScheduler model(Opts(size));
  Init(&model, grown);
  ASSERT_EQ(model.built_for().size(), size);
  // Only the first seven added can get flows, and every flow agrees.
  int newest = 0;
  for (uint32_t i = 0; i < 3000; ++i) {
    int k = kernel.Schedule(grown, ClientV4(i));
    ASSERT_EQ(EpOf(grown, model.Schedule(grown, ClientV4(i))), EpOf(grown, k)) << i;
    ASSERT_GE(k, 4) << i;  // dests[0..3] are the four added last
    newest += k == 4;
  }
  EXPECT_GT(newest, 0);
  // A table of the first seven alone is the same table.
  Service first = Svc(std::vector<Dest>(grown.dests.begin() + 4, grown.dests.end()));
  WmhScheduler fits(Opts(size));
  Init(&fits, first);
  for (uint32_t i = 0; i < 3000; ++i)
    ASSERT_EQ(EpOf(first, fits.Schedule(first, ClientV4(i))),
              EpOf(grown, model.Schedule(grown, ClientV4(i))));
  // Said once, with the numbers.
  SchedulerOptions o = Opts(size);
  EXPECT_EQ(OutgrownMessage(grown, o),
            "tcp 10.0.0.1:80: 11 servers, 7 slots: the kernel keeps the table of the first 7 "
            "(raise table_size)");
  EXPECT_EQ(OutgrownMessage(first, o), "");
}

TEST(WmhScheduler, RebuildWithMoreDestsThanSlotsKeepsTheOldTable) {
  Service svc = Svc({D("192.168.1.5:80", 3), D("192.168.1.6:80", 1), D("192.168.1.7:80", 2)});
  WmhScheduler wmh(Opts(3));
  Init(&wmh, svc);
  const wmh_table* t = wmh.table();
  std::vector<std::string> before;
  for (uint32_t i = 0; i < 500; ++i) before.push_back(EpOf(svc, wmh.Schedule(svc, ClientV4(i))));
  std::string err;
  ASSERT_FALSE(sched_testing::AddDest(&wmh, &svc, D("192.168.1.8:80", 50), &err));
  EXPECT_NE(err.find("table rebuild failed (-28), previous table kept: 4 servers, 3 slots"),
            std::string::npos)
      << err;
  EXPECT_EQ(wmh.table(), t);
  // A reweight does not fit either: the old weights go on serving.
  ASSERT_FALSE(SetWeight(&wmh, &svc, "192.168.1.6:80", 100, &err));
  for (uint32_t i = 0; i < 500; ++i)
    ASSERT_EQ(EpOf(svc, wmh.Schedule(svc, ClientV4(i))), before[i]);
  EXPECT_EQ(err, "");  // the same cause: said once
  // Back to three dests: the rebuild fits, and the new weights count.
  ASSERT_TRUE(DelDest(&wmh, &svc, "192.168.1.5:80", &err)) << err;
  int heavy = 0;
  for (uint32_t i = 0; i < 500; ++i)
    heavy += EpOf(svc, wmh.Schedule(svc, ClientV4(i))) == "192.168.1.6:80";
  EXPECT_GT(heavy, 150);  // two of the three slots
  // Outgrown again: said again.
  ASSERT_FALSE(sched_testing::AddDest(&wmh, &svc, D("192.168.1.9:80"), &err));
  EXPECT_NE(err.find("4 servers, 3 slots"), std::string::npos) << err;
}

TEST(WmhScheduler, FailedFirstBuildMeansNoDest) {
  Service svc = Svc({D("192.168.1.5:80")});
  WmhScheduler wmh(Opts());
  std::string err;
  wmh_fail_alloc_after = 0;
  bool ok = wmh.Update(svc, SchedEvent::kInit, nullptr, &err);
  wmh_fail_alloc_after = -1;
  EXPECT_FALSE(ok);
  EXPECT_EQ(wmh.table(), nullptr);
  EXPECT_EQ(wmh.Schedule(svc, ClientV4(1)), -1);
}

TEST(WmhScheduler, DrainingKeepsTheTableAndMovesOnlyTheDrainedFlows) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  WmhScheduler wmh(Opts());
  Init(&wmh, svc);
  std::vector<int> before;
  for (uint32_t i = 0; i < 600; ++i) before.push_back(wmh.Schedule(svc, ClientV4(i)));
  std::vector<u32> slots;
  for (uint32_t s = 0; s < 4093; ++s) slots.push_back(wmh_table_slot(wmh.table(), s));
  std::string err;
  ASSERT_TRUE(SetWeight(&wmh, &svc, "192.168.1.7:80", 0, &err));
  for (uint32_t s = 0; s < 4093; ++s) ASSERT_EQ(wmh_table_slot(wmh.table(), s), slots[s]);
  for (uint32_t i = 0; i < 600; ++i) {
    int got = wmh.Schedule(svc, ClientV4(i));
    if (before[i] == 2)
      EXPECT_TRUE(got == 0 || got == 1) << i;
    else
      EXPECT_EQ(got, before[i]) << i;
  }
  ASSERT_TRUE(SetWeight(&wmh, &svc, "192.168.1.5:80", 0, &err));
  ASSERT_TRUE(SetWeight(&wmh, &svc, "192.168.1.6:80", 0, &err));
  EXPECT_EQ(wmh.Schedule(svc, ClientV4(3)), -1);
}

TEST(WmhScheduler, Ipv6ServiceHashesSixteenBytes) {
  Service svc = Svc({D("[2001:db8::10]:80"), D("[2001:db8::11]:80"), D("[2001:db8::12]:80")},
                    "[2001:db8::1]:80");
  WmhScheduler wmh(Opts());
  Init(&wmh, svc);
  // Unlike mh, addresses with the same 32-bit fold are hashed apart.
  int differ = 0;
  for (int i = 1; i < 200; ++i) {
    std::string lo = fmt::format("[2001:db8::{:x}]:1000", i);
    std::string hi = fmt::format("[2001:db8::{:x}:0:0]:1000", i);
    differ += wmh.Schedule(svc, Flow(lo, "[2001:db8::1]:80")) !=
              wmh.Schedule(svc, Flow(hi, "[2001:db8::1]:80"));
  }
  EXPECT_GT(differ, 60);
}

// chbl: wmh's table, wmh's choice while no dest is at the bound; a dest
// at the bound loses exactly the new flows that would have gone to it.
TEST(ChblScheduler, PassesOverTheFullDestOnly) {
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 1), D("192.168.1.7:80", 2),
                     D("192.168.1.8:80", 1)});
  SchedulerOptions opts = Opts(65537);
  opts.chbl_table_size = 65537;
  WmhScheduler wmh(opts);
  WmhScheduler chbl(ChblOptions(opts), TableKind::kChbl);
  EXPECT_EQ(chbl.name(), "chbl");
  Init(&wmh, svc);
  Init(&chbl, svc);
  for (int i = 0; i < 4; ++i) svc.dests[i].active_conns = 20 * svc.dests[i].weight;
  // Dest 2 (weight 2 of 5) with 61 of 121 conns: its cap is
  // ceil(1.25 * 122 * 2 / 5) = 61, so it is at the bound; with 60 of 120 it
  // is ceil(60.5) = 61 and not.
  svc.dests[2].inactive_conns = 21;
  int moved = 0;
  for (uint32_t i = 0; i < 3000; ++i) {
    FlowKey f = ClientV4(i * 7919, static_cast<uint16_t>(1024 + i));
    int w = wmh.Schedule(svc, f);
    int c = chbl.Schedule(svc, f);
    ASSERT_GE(c, 0);
    ASSERT_NE(c, 2) << "a flow went to the full dest";
    if (w == 2) {
      ++moved;
    } else {
      ASSERT_EQ(c, w) << "a flow moved off a dest with room";
    }
  }
  EXPECT_GT(moved, 0);
  EXPECT_EQ(chbl.bounded(), static_cast<uint64_t>(moved));
  EXPECT_EQ(chbl.scheduled(), 3000u);
  // One connection fewer and dest 2 has room again: chbl is wmh.
  svc.dests[2].inactive_conns = 20;
  for (uint32_t i = 0; i < 3000; ++i) {
    FlowKey f = ClientV4(i * 7919, static_cast<uint16_t>(1024 + i));
    ASSERT_EQ(chbl.Schedule(svc, f), wmh.Schedule(svc, f));
  }
}

// -b flag-3 selects eps_flag3; the module parameters set both.
TEST(ChblScheduler, Flag3UsesTheSecondBound) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80")});
  SchedulerOptions opts;
  opts.chbl_eps = 500;
  opts.chbl_eps_flag3 = 0;
  WmhScheduler chbl(ChblOptions(opts), TableKind::kChbl);
  Init(&chbl, svc);
  svc.dests[0].active_conns = 12;
  svc.dests[1].active_conns = 8;
  // 20 conns, equal weights: cap ceil(1.5 * 21 / 2) = 16 under eps 0.5,
  // ceil(21 / 2) = 11 under eps 0: dest 0 (12) is full only with flag-3.
  int to0 = 0, to0_flag3 = 0;
  for (uint32_t i = 0; i < 400; ++i) {
    FlowKey f = ClientV4(i * 104729);
    svc.flags = 0;
    to0 += chbl.Schedule(svc, f) == 0;
    svc.flags = kSchedFlag3;
    to0_flag3 += chbl.Schedule(svc, f) == 0;
  }
  EXPECT_GT(to0, 100);
  EXPECT_EQ(to0_flag3, 0);
}

// Drained and removed dests neither take flows nor count in the load.
TEST(ChblScheduler, DrainedDestsDoNotCount) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  WmhScheduler chbl(ChblOptions(SchedulerOptions()), TableKind::kChbl);
  Init(&chbl, svc);
  svc.dests[0].weight = 0;  // drained, with many conns left
  svc.dests[0].active_conns = 1000;
  svc.dests[1].active_conns = 10;
  svc.dests[2].active_conns = 0;
  // Counted, dest 0's conns would give dest 1 room (cap ceil(1.25 * 1011 / 3) = 422); without
  // them its cap is ceil(1.25 * 11 / 2) = 7 and it is full.
  for (uint32_t i = 0; i < 500; ++i) ASSERT_EQ(chbl.Schedule(svc, ClientV4(i * 31)), 2) << i;
}

}  // namespace
}  // namespace ipvs_sim
