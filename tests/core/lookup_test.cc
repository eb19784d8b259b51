// SPDX-License-Identifier: GPL-2.0
// Flow lookup and fallback of the shared core.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>

#include "core_testing.h"

namespace {

using core_testing::EqualDests;
using core_testing::Table;

struct States {
  std::vector<wmh_dest_state> s;
  static wmh_dest_state Get(const void* ctx, uint32_t i) {
    return static_cast<const States*>(ctx)->s[i];
  }
};

uint32_t Lookup(const Table& t, const States& st, uint32_t client, uint16_t port, bool with_port,
                bool overflow = false) {
  uint8_t msg[WMH_FLOW_MSG_MAX];
  uint32_t a = htonl(client);
  uint32_t len = wmh_flow_msg(msg, WMH_AF_INET, &a, with_port, htons(port));
  return wmh_lookup(t.get(), msg, len, States::Get, &st, overflow);
}

TEST(Lookup, FlowSharesFollowSlots) {
  Table t;
  std::vector<wmh_dest_spec> d = EqualDests(4);
  d[0].weight = 4;  // 4:1:1:1
  ASSERT_EQ(t.Build(65537, d), 0);
  States st{std::vector<wmh_dest_state>(4, WMH_DEST_UP)};
  std::vector<int> hits(4);
  const int kFlows = 200000;
  for (int i = 0; i < kFlows; ++i) hits[Lookup(t, st, 0x64000000u + i, 0, false)]++;
  EXPECT_NEAR(hits[0] / double(kFlows), 4.0 / 7, 0.01);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(hits[i] / double(kFlows), 1.0 / 7, 0.01);
}

TEST(Lookup, DrainMovesOnlyTheDrainedDestsFlows) {
  Table t;
  auto d = EqualDests(10);
  ASSERT_EQ(t.Build(65537, d), 0);
  States up{std::vector<wmh_dest_state>(10, WMH_DEST_UP)};
  States drained = up;
  drained.s[4] = WMH_DEST_DOWN;
  std::map<uint32_t, int> moved_to;
  for (uint32_t c = 0; c < 100000; ++c) {
    uint32_t before = Lookup(t, up, 0xc0000000u + c * 13, c & 0xffff, true);
    uint32_t after = Lookup(t, drained, 0xc0000000u + c * 13, c & 0xffff, true);
    ASSERT_NE(after, 4u);
    if (before != 4) {
      ASSERT_EQ(before, after) << "flow of another dest moved";
    } else {
      moved_to[after]++;
    }
  }
  // The drained dest's flows spread over all others, not onto one neighbour.
  EXPECT_EQ(moved_to.size(), 9u);
  for (auto& [dest, n] : moved_to) EXPECT_GT(n, 10000 / 9 / 2) << "dest " << dest;
}

TEST(Lookup, NeverWithoutDestWhileOneIsUp) {
  Table t;
  ASSERT_EQ(t.Build(4093, EqualDests(50)), 0);
  States st{std::vector<wmh_dest_state>(50, WMH_DEST_DOWN)};
  st.s[17] = WMH_DEST_UP;  // one survivor, too few slots for probes to find it
  for (uint32_t c = 0; c < 20000; ++c) ASSERT_EQ(Lookup(t, st, c, 0, false), 17u);
  st.s[17] = WMH_DEST_OVERLOADED;
  for (uint32_t c = 0; c < 1000; ++c) ASSERT_EQ(Lookup(t, st, c, 0, false), WMH_NO_DEST);
}

TEST(Lookup, OverflowUsesOverloadedDestsOnlyWhenNoneIsUp) {
  Table t;
  ASSERT_EQ(t.Build(4093, EqualDests(3)), 0);
  States st{{WMH_DEST_OVERLOADED, WMH_DEST_UP, WMH_DEST_DOWN}};
  for (uint32_t c = 0; c < 5000; ++c) ASSERT_EQ(Lookup(t, st, c, 0, false, true), 1u);
  st.s[1] = WMH_DEST_OVERLOADED;
  std::set<uint32_t> seen;
  for (uint32_t c = 0; c < 5000; ++c) {
    uint32_t d = Lookup(t, st, c, 0, false, true);
    ASSERT_NE(d, 2u);
    ASSERT_NE(d, WMH_NO_DEST);
    seen.insert(d);
    ASSERT_EQ(Lookup(t, st, c, 0, false, false), WMH_NO_DEST);
  }
  EXPECT_EQ(seen.size(), 2u);
}

TEST(Lookup, EmptyTableHasNoDest) {
  Table t;
  ASSERT_EQ(t.Build(251, EqualDests(3, 0)), 0);
  States st{std::vector<wmh_dest_state>(3, WMH_DEST_DOWN)};
  EXPECT_EQ(Lookup(t, st, 1, 1, true, true), WMH_NO_DEST);
  ASSERT_EQ(t.Build(251, {}), 0);
  EXPECT_EQ(Lookup(t, st, 1, 1, true, true), WMH_NO_DEST);
}

TEST(Lookup, AddressAndPortAreNotAdded) {
  // mh hashes addr + port, so (addr + 1, port - 1) lands on the same slot.
  Table t;
  ASSERT_EQ(t.Build(65537, EqualDests(2)), 0);
  int same_slot = 0;
  for (uint32_t c = 0; c < 10000; ++c) {
    uint8_t m1[WMH_FLOW_MSG_MAX], m2[WMH_FLOW_MSG_MAX];
    uint32_t a1 = htonl(0x0a000000u + c), a2 = htonl(0x0a000001u + c);
    uint32_t l1 = wmh_flow_msg(m1, WMH_AF_INET, &a1, true, htons(1001));
    uint32_t l2 = wmh_flow_msg(m2, WMH_AF_INET, &a2, true, htons(1000));
    same_slot += wmh_lookup_slot(t.get(), m1, l1) == wmh_lookup_slot(t.get(), m2, l2);
  }
  EXPECT_LT(same_slot, 10);
}

TEST(Lookup, PortHashingSpreadsOneClient) {
  Table t;
  ASSERT_EQ(t.Build(65537, EqualDests(8)), 0);
  States st{std::vector<wmh_dest_state>(8, WMH_DEST_UP)};
  std::set<uint32_t> without, with;
  for (uint16_t p = 1024; p < 1224; ++p) {
    without.insert(Lookup(t, st, 0x0a0a0a0a, p, false));
    with.insert(Lookup(t, st, 0x0a0a0a0a, p, true));
  }
  EXPECT_EQ(without.size(), 1u);
  EXPECT_EQ(with.size(), 8u);
}

TEST(Lookup, Ipv6ClientsSpread) {
  Table t;
  ASSERT_EQ(t.Build(65537, EqualDests(4)), 0);
  States st{std::vector<wmh_dest_state>(4, WMH_DEST_UP)};
  std::vector<int> hits(4);
  for (uint32_t c = 0; c < 40000; ++c) {
    uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8};
    std::memcpy(addr + 12, &c, 4);
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t len = wmh_flow_msg(msg, WMH_AF_INET6, addr, false, 0);
    EXPECT_EQ(len, 16u);
    hits[wmh_lookup(t.get(), msg, len, States::Get, &st, false)]++;
  }
  for (int h : hits) EXPECT_NEAR(h, 10000, 600);
}

}  // namespace

namespace {

TEST(Rules, PortHashedWithFlagOrDefaultForPortProtocolsOnly) {
  EXPECT_FALSE(wmh_hash_port(0, false, 6));
  EXPECT_TRUE(wmh_hash_port(WMH_SVC_F_PORT, false, 6));
  EXPECT_TRUE(wmh_hash_port(0, true, 17));
  EXPECT_TRUE(wmh_hash_port(WMH_SVC_F_PORT, false, 132));
  EXPECT_FALSE(wmh_hash_port(WMH_SVC_F_PORT, true, 1));  // ICMP has no port
  EXPECT_FALSE(wmh_hash_port(WMH_SVC_F_OVERFLOW, false, 6));
}

TEST(Rules, OverflowWithFlagOrDefault) {
  EXPECT_FALSE(wmh_overflow(0, false));
  EXPECT_FALSE(wmh_overflow(WMH_SVC_F_PORT, false));
  EXPECT_TRUE(wmh_overflow(WMH_SVC_F_OVERFLOW, false));
  EXPECT_TRUE(wmh_overflow(0, true));
}

TEST(Rules, DestState) {
  EXPECT_EQ(wmh_dest_state_of(5, true, false), WMH_DEST_UP);
  EXPECT_EQ(wmh_dest_state_of(5, true, true), WMH_DEST_OVERLOADED);
  EXPECT_EQ(wmh_dest_state_of(0, true, false), WMH_DEST_DOWN);  // drained
  EXPECT_EQ(wmh_dest_state_of(-1, true, false), WMH_DEST_DOWN);
  EXPECT_EQ(wmh_dest_state_of(5, false, false), WMH_DEST_DOWN);  // removed
  EXPECT_EQ(wmh_dest_state_of(0, true, true), WMH_DEST_DOWN);    // drain wins
}

}  // namespace
