// SPDX-License-Identifier: GPL-2.0
#include "conn_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "sched_testing.h"

namespace ipvs_sim {
namespace {

using sched_testing::D;
using sched_testing::Flow;

struct Ends : ConnObserver {
  std::vector<std::pair<double, uint32_t>> ends;
  void OnFlowEnd(double now, const Conn& c) override { ends.emplace_back(now, c.dest_id); }
};

class ConnTableTest : public ::testing::Test {
 protected:
  ConnTableTest() : table_(ConnTimeouts()) {
    dests_ = {D("192.168.1.1:80"), D("192.168.1.2:80")};
    table_.SetDest(0, &dests_[0]);
    table_.SetDest(1, &dests_[1]);
    table_.set_observer(&ends_);
  }
  uint32_t Add(const FlowKey& k, uint32_t dest, double start, double dur) {
    return table_.Insert(k, HashFlowKey(k), 0, dest, start, dur);
  }
  uint32_t Find(const FlowKey& k) { return table_.Find(k, HashFlowKey(k)); }

  std::vector<Dest> dests_;
  ConnTable table_;
  Ends ends_;
};

TEST_F(ConnTableTest, TimerMemoryFollowsLiveConnectionsNotReplayLength) {
  // 500 short flows a second for 8200 s (two laps of the wheel), a few
  // thousand live at once: the wheel must not keep every slot's peak buffer
  // (millions of timers by the second lap).
  ConnTimeouts t;
  t.tcp_fin = 1;
  ConnTable table(t);
  table.SetDest(0, &dests_[0]);
  uint32_t client = 0;
  size_t peak_live = 0;
  for (int sec = 0; sec < 8200; sec += 2) {
    table.Advance(sec);
    for (int i = 0; i < 1000; ++i, ++client) {
      FlowKey k = Flow("1.1.1.1:1");
      k.client.addr = IpAddr::V4(0x0a000000u + client);
      table.Insert(k, HashFlowKey(k), 0, 0, sec + i / 500.0, 0.5);
    }
    peak_live = std::max(peak_live, table.size());
  }
  EXPECT_LT(peak_live, 10000u);
  EXPECT_LT(table.timer_capacity(), 8 * peak_live + 16384);
}

TEST_F(ConnTableTest, TcpActiveThenFinThenExpired) {
  FlowKey k = Flow("1.1.1.1:1000");
  Add(k, 0, 10, 5);
  EXPECT_EQ(dests_[0].active_conns, 1u);
  EXPECT_EQ(dests_[0].inactive_conns, 0u);
  table_.Advance(14.9);
  EXPECT_EQ(dests_[0].active_conns, 1u);
  table_.Advance(15);  // FIN: inactive for tcp_fin = 120 s
  EXPECT_EQ(dests_[0].active_conns, 0u);
  EXPECT_EQ(dests_[0].inactive_conns, 1u);
  ASSERT_EQ(ends_.ends.size(), 1u);
  EXPECT_DOUBLE_EQ(ends_.ends[0].first, 15);
  EXPECT_NE(Find(k), ConnTable::kNone);
  table_.Advance(134.9);
  EXPECT_NE(Find(k), ConnTable::kNone);
  table_.Advance(135);
  EXPECT_EQ(Find(k), ConnTable::kNone);
  EXPECT_EQ(dests_[0].inactive_conns, 0u);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(ConnTableTest, UdpInactiveAllAlongAndLivesTimeoutAfterEnd) {
  FlowKey k = Flow("1.1.1.1:1000", "10.0.0.1:53", Proto::kUdp);
  Add(k, 1, 0, 2);
  EXPECT_EQ(dests_[1].active_conns, 0u);
  EXPECT_EQ(dests_[1].inactive_conns, 1u);
  table_.Advance(301.9);
  EXPECT_NE(Find(k), ConnTable::kNone);
  table_.Advance(302);
  EXPECT_EQ(Find(k), ConnTable::kNone);
  EXPECT_EQ(dests_[1].inactive_conns, 0u);
}

TEST_F(ConnTableTest, UncloseTcpStaysActiveForEstablishedTimeout) {
  ConnTimeouts t;
  t.tcp_flows_close = false;
  t.tcp_established = 50;
  ConnTable table(t);
  table.SetDest(0, &dests_[0]);
  FlowKey k = Flow("1.1.1.1:1000");
  table.Insert(k, HashFlowKey(k), 0, 0, 0, 10);
  table.Advance(59);
  EXPECT_EQ(dests_[0].active_conns, 1u);
  EXPECT_FALSE(table.Closed(table.Find(k, HashFlowKey(k))));
  table.Advance(60);
  EXPECT_EQ(dests_[0].active_conns, 0u);
  EXPECT_EQ(table.size(), 0u);
}

TEST_F(ConnTableTest, ReuseExtendsLife) {
  FlowKey k = Flow("1.1.1.1:1000", "10.0.0.1:53", Proto::kUdp);
  uint32_t i = Add(k, 0, 0, 1);
  table_.Advance(100);                    // ended at 1, expires at 301
  EXPECT_TRUE(table_.Reuse(i, 100, 10));  // in progress again
  table_.Advance(400);                    // ended at 110, expires at 410
  EXPECT_NE(Find(k), ConnTable::kNone);
  EXPECT_TRUE(table_.Reuse(Find(k), 400, 0));
  table_.Advance(699.9);
  EXPECT_NE(Find(k), ConnTable::kNone);
  table_.Advance(700);
  EXPECT_EQ(Find(k), ConnTable::kNone);
  EXPECT_EQ(dests_[0].inactive_conns, 0u);
}

TEST_F(ConnTableTest, ReuseWhileInProgressPushesTheEnd) {
  FlowKey k = Flow("1.1.1.1:1000");
  uint32_t i = Add(k, 0, 0, 10);
  EXPECT_FALSE(table_.Reuse(i, 5, 20));  // now ends at 25
  table_.Advance(24);
  EXPECT_EQ(dests_[0].active_conns, 1u);
  table_.Advance(25);
  EXPECT_EQ(dests_[0].active_conns, 0u);
  EXPECT_TRUE(table_.Closed(i));
  ASSERT_EQ(ends_.ends.size(), 1u);
  EXPECT_DOUBLE_EQ(ends_.ends[0].first, 25);
}

TEST_F(ConnTableTest, RemoveUnbindsAndReportsOnlyFlowsInProgress) {
  FlowKey a = Flow("1.1.1.1:1"), b = Flow("1.1.1.1:2");
  uint32_t ia = Add(a, 0, 0, 100);
  uint32_t ib = Add(b, 0, 0, 1);
  table_.Advance(50);
  EXPECT_EQ(ends_.ends.size(), 1u);  // b ended
  table_.Remove(ia, 50);
  table_.Remove(ib, 50);
  EXPECT_EQ(ends_.ends.size(), 2u);  // a broke, b was already over
  EXPECT_EQ(dests_[0].active_conns + dests_[0].inactive_conns, 0u);
  EXPECT_EQ(table_.size(), 0u);
  table_.Advance(1e9);  // stale timers are harmless
  EXPECT_EQ(ends_.ends.size(), 2u);
}

TEST_F(ConnTableTest, OverloadSetAtUpperClearedBelowThreeQuarters) {
  dests_[0].u_threshold = 4;
  std::vector<uint32_t> idx;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(dests_[0].overloaded) << i;
    FlowKey k = Flow("1.1.1.1:" + std::to_string(100 + i));
    idx.push_back(Add(k, 0, 0, 100));
  }
  EXPECT_TRUE(dests_[0].overloaded);
  table_.Remove(idx[0], 1);  // 3 left: 3*4 = 12 is not < 4*3
  EXPECT_TRUE(dests_[0].overloaded);
  table_.Remove(idx[1], 1);  // 2 left: 8 < 12
  EXPECT_FALSE(dests_[0].overloaded);
}

TEST_F(ConnTableTest, OverloadWithLowerThreshold) {
  dests_[1].u_threshold = 3;
  dests_[1].l_threshold = 1;
  std::vector<uint32_t> idx;
  for (int i = 0; i < 3; ++i) idx.push_back(Add(Flow("2.2.2.2:" + std::to_string(i + 1)), 1, 0, 9));
  EXPECT_TRUE(dests_[1].overloaded);
  table_.Remove(idx[0], 1);
  table_.Remove(idx[1], 1);
  EXPECT_TRUE(dests_[1].overloaded);  // 1 is not < 1
  table_.Remove(idx[2], 1);
  EXPECT_FALSE(dests_[1].overloaded);
}

// HeapPopTop must leave exactly what std::pop_heap leaves, ties included:
// the order in which equal timers fire decides the free list.
TEST(HeapPopTop, SameAsStdPopHeapWithTies) {
  struct E {
    double t;
    int id;
  };
  auto later = [](const E& a, const E& b) { return a.t > b.t; };
  uint64_t seed = 12345;
  auto rnd = [&seed]() {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<E> a, b;
    int id = 0;
    uint32_t spread = 1 + rnd() % 20;  // few distinct times: many ties
    for (int op = 0; op < 400; ++op) {
      if (a.empty() || rnd() % 3 != 0) {
        E e{static_cast<double>(rnd() % spread), id++};
        a.push_back(e);
        std::push_heap(a.begin(), a.end(), later);
        b.push_back(e);
        std::push_heap(b.begin(), b.end(), later);
      } else {
        E top = a.front();
        std::pop_heap(a.begin(), a.end(), later);
        a.pop_back();
        E got = HeapPopTop(b, later);
        ASSERT_EQ(got.id, top.id);
      }
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].id, b[i].id) << round << " " << op;
    }
    while (!a.empty()) {
      E top = a.front();
      std::pop_heap(a.begin(), a.end(), later);
      a.pop_back();
      ASSERT_EQ(HeapPopTop(b, later).id, top.id);
      for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].id, b[i].id);
    }
  }
}

TEST_F(ConnTableTest, PackedAndWideKeysFoundAndGivenBack) {
  std::vector<FlowKey> keys;
  for (int i = 0; i < 300; ++i) {
    FlowKey k = Flow(i % 2 ? "10.1.2.3:40000" : "[2001:db8::5]:5353",
                     i % 2 ? "10.0.0.1:80" : "[2001:db8::1]:53");
    k.client.port = static_cast<uint16_t>(1000 + i);
    if (i % 3 == 0) k.proto = Proto::kUdp;
    keys.push_back(k);
  }
  // An IPv4 address with stray bytes behind it is another key.
  FlowKey odd = keys[1];
  odd.client.addr.bytes[9] = 1;
  keys.push_back(odd);
  std::vector<uint32_t> idx;
  for (const FlowKey& k : keys) {
    ASSERT_EQ(Find(k), ConnTable::kNone);
    idx.push_back(Add(k, 0, 1, 10));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(Find(keys[i]), idx[i]) << i;
    EXPECT_EQ(table_.key(idx[i]), keys[i]) << i;
    EXPECT_EQ(table_.at(idx[i]).proto(), keys[i].proto) << i;
  }
}

TEST_F(ConnTableTest, ManyFlowsGrowAndExpireCompletely) {
  for (int i = 0; i < 50000; ++i) {
    table_.Advance(i * 0.01);
    FlowKey k;
    k.client.addr = IpAddr::V4(0x0b000000u + i);
    k.client.port = static_cast<uint16_t>(i);
    k.vip = sched_testing::Ep("10.0.0.1:80");
    ASSERT_EQ(Find(k), ConnTable::kNone);
    Add(k, i % 2, i * 0.01, 3);
    ASSERT_NE(Find(k), ConnTable::kNone);
  }
  // Live: flows that started within the last 3 + 120 s.
  EXPECT_NEAR(static_cast<double>(table_.size()), 12300, 2);
  EXPECT_NEAR(dests_[0].active_conns + dests_[1].active_conns, 300, 2);
  table_.Advance(1e6);
  EXPECT_EQ(table_.size(), 0u);
  EXPECT_EQ(dests_[0].active_conns + dests_[0].inactive_conns + dests_[1].active_conns +
                dests_[1].inactive_conns,
            0u);
}

}  // namespace
}  // namespace ipvs_sim
