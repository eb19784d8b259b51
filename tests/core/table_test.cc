// SPDX-License-Identifier: GPL-2.0
// Properties of the weighted Maglev table, checked through the same C code
// that ip_vs_wmh.ko runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <string>

#include "core_testing.h"

namespace {

using core_testing::EqualDests;
using core_testing::Table;
using core_testing::V4Dest;
using core_testing::V6Dest;

// Fraction of slots whose answer differs, translated through @map_b (spec
// index in b -> spec index in a, or WMH_NO_DEST for dests missing from a).
double Moved(const Table& a, const Table& b, const std::vector<uint32_t>& map_b) {
  uint32_t moved = 0;
  for (uint32_t s = 0; s < a.size(); ++s)
    if (a.slot(s) != map_b[b.slot(s)]) moved++;
  return double(moved) / a.size();
}

TEST(TableSize, AcceptsPrimesInRangeOnly) {
  EXPECT_EQ(wmh_table_size_check(65537), 0);
  EXPECT_EQ(wmh_table_size_check(1048573), 0);
  EXPECT_EQ(wmh_table_size_check(WMH_TABLE_SIZE_MAX), 0);
  EXPECT_EQ(wmh_table_size_check(WMH_TABLE_SIZE_MIN), 0);
  EXPECT_EQ(wmh_table_size_check(65536), -EINVAL);
  EXPECT_EQ(wmh_table_size_check(1048575), -EINVAL);
  EXPECT_EQ(wmh_table_size_check(2), -EINVAL);
  EXPECT_EQ(wmh_table_size_check(0), -EINVAL);
  EXPECT_EQ(wmh_table_size_check(8388593), -EINVAL);  // prime, too large
  EXPECT_TRUE(wmh_is_prime(WMH_TABLE_SIZE_MAX));
  for (uint32_t n = WMH_TABLE_SIZE_MAX + 1; n < (1u << 22); ++n) EXPECT_FALSE(wmh_is_prime(n));
}

TEST(HashKey, ParsesHexAndRefusesAnythingElse) {
  wmh_hash_key k{1, 2};
  EXPECT_EQ(wmh_hash_key_parse("00112233445566778899aabbccddeeff", &k), 0);
  EXPECT_EQ(k.k0, 0x0011223344556677ULL);
  EXPECT_EQ(k.k1, 0x8899aabbccddeeffULL);
  EXPECT_EQ(wmh_hash_key_parse("00112233445566778899AABBCCDDEEFF\n", &k), 0);
  wmh_hash_key before = k;
  EXPECT_EQ(wmh_hash_key_parse("0011", &k), -EINVAL);
  EXPECT_EQ(wmh_hash_key_parse("00112233445566778899aabbccddeefg", &k), -EINVAL);
  EXPECT_EQ(wmh_hash_key_parse("00112233445566778899aabbccddeeff0", &k), -EINVAL);
  EXPECT_EQ(k.k0, before.k0);
  EXPECT_EQ(k.k1, before.k1);
}

// The export shows this fingerprint and ipvs-verify compares it: pinned, so
// that a change cannot make saved exports disagree with a newer tool.
TEST(HashKey, FingerprintIsPinnedAndTellsKeysApart) {
  EXPECT_EQ(wmh_hash_key_fingerprint(&wmh_default_hash_key), 0x976fdc49u);
  wmh_hash_key k{};
  ASSERT_EQ(wmh_hash_key_parse("000102030405060708090a0b0c0d0e0f", &k), 0);
  EXPECT_EQ(wmh_hash_key_fingerprint(&k), 0x14df18a5u);
  // One bit of either half changes it; no half of the key shows in it.
  wmh_hash_key k0 = k, k1 = k;
  k0.k0 ^= 1;
  k1.k1 ^= 1ULL << 63;
  EXPECT_NE(wmh_hash_key_fingerprint(&k0), wmh_hash_key_fingerprint(&k));
  EXPECT_NE(wmh_hash_key_fingerprint(&k1), wmh_hash_key_fingerprint(&k));
  for (uint64_t half : {k.k0, k.k1}) {
    EXPECT_NE(wmh_hash_key_fingerprint(&k), uint32_t(half));
    EXPECT_NE(wmh_hash_key_fingerprint(&k), uint32_t(half >> 32));
  }
}

TEST(Table, BalancedWithEqualWeights) {
  for (size_t n : {1, 2, 3, 7, 100, 257, 600}) {
    Table t;
    auto dests = EqualDests(n);
    ASSERT_EQ(t.Build(65537, dests), 0);
    auto c = t.Counts(n);
    auto [lo, hi] = std::minmax_element(c.begin(), c.end());
    double avg = 65537.0 / n;
    EXPECT_LE(*hi / avg, 1.01) << "n=" << n;
    EXPECT_LE(*hi - *lo, 1u) << "n=" << n;
  }
}

TEST(Table, SlotsProportionalToWeights) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> w(1, 65535);
  for (uint32_t size : {4093u, 65537u, 1048573u}) {
    for (size_t n : {2, 10, 100, 1000}) {
      if (n * 4 > size) continue;
      std::vector<wmh_dest_spec> dests;
      uint64_t wsum = 0;
      for (size_t i = 0; i < n; ++i) {
        dests.push_back(V4Dest(0xc0a80000u + i, 443, w(rng)));
        wsum += dests.back().weight;
      }
      Table t;
      ASSERT_EQ(t.Build(size, dests), 0);
      auto c = t.Counts(n);
      for (size_t i = 0; i < n; ++i) {
        double ideal = double(size) * dests[i].weight / wsum;
        EXPECT_LE(std::fabs(c[i] - ideal), std::max(1.0, 0.01 * ideal))
            << "size=" << size << " n=" << n << " i=" << i;
      }
    }
  }
}

TEST(Table, WeightsOneAndHundredAreOneToHundred) {
  // In-tree mh gives these about 1:50.
  std::vector<wmh_dest_spec> d = {V4Dest(0x0a000001, 80, 1), V4Dest(0x0a000002, 80, 100)};
  Table t;
  ASSERT_EQ(t.Build(65537, d), 0);
  auto c = t.Counts(2);
  EXPECT_NEAR(double(c[1]) / c[0], 100.0, 1.0);
}

TEST(Table, IndependentOfInsertionOrder) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<uint32_t> w(0, 300);
  std::vector<wmh_dest_spec> dests;
  for (size_t i = 0; i < 200; ++i) dests.push_back(V4Dest(0x0a010000u + i * 7, 8080, w(rng)));
  for (size_t i = 0; i < 20; ++i) dests.push_back(V6Dest(i, 8080, w(rng)));
  Table ref;
  ASSERT_EQ(ref.Build(65537, dests), 0);
  for (int round = 0; round < 5; ++round) {
    std::vector<uint32_t> perm(dests.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<wmh_dest_spec> shuffled;
    for (uint32_t p : perm) shuffled.push_back(dests[p]);
    Table t;
    ASSERT_EQ(t.Build(65537, shuffled), 0);
    // Translate back to the original spec indices and compare every slot.
    for (uint32_t s = 0; s < 65537; ++s) ASSERT_EQ(perm[t.slot(s)], ref.slot(s)) << "slot " << s;
  }
}

TEST(Table, RemovingOneOfHundredMovesLittle) {
  auto dests = EqualDests(100);
  Table before;
  ASSERT_EQ(before.Build(65537, dests), 0);
  for (size_t gone : {0, 42, 99}) {
    auto fewer = dests;
    fewer.erase(fewer.begin() + gone);
    Table after;
    ASSERT_EQ(after.Build(65537, fewer), 0);
    std::vector<uint32_t> map(fewer.size());
    for (size_t i = 0; i < fewer.size(); ++i) map[i] = i < gone ? i : i + 1;
    double moved = Moved(before, after, map);
    EXPECT_GE(moved, 1.0 / 100 - 0.001);  // the removed dest's slots must move
    EXPECT_LE(moved, 2.0 / 100) << "removed " << gone;
  }
}

TEST(Table, AddingOneToHundredMovesLittle) {
  auto dests = EqualDests(100);
  Table before;
  ASSERT_EQ(before.Build(65537, dests), 0);
  auto more = dests;
  more.push_back(V4Dest(0x0b000001, 80, 1));
  Table after;
  ASSERT_EQ(after.Build(65537, more), 0);
  std::vector<uint32_t> map(more.size());
  std::iota(map.begin(), map.end(), 0);
  map[100] = WMH_NO_DEST;
  double moved = Moved(before, after, map);
  EXPECT_LE(moved, 2.0 / 101);
}

TEST(Table, ZeroWeightGetsNoSlot) {
  auto dests = EqualDests(10);
  dests[3].weight = 0;
  Table t;
  ASSERT_EQ(t.Build(4093, dests), 0);
  EXPECT_EQ(t.Counts(10)[3], 0u);
}

TEST(Table, EdgeCases) {
  Table t;
  // No dests: every slot empty.
  ASSERT_EQ(t.Build(251, {}), 0);
  for (uint32_t s = 0; s < 251; ++s) EXPECT_EQ(t.slot(s), WMH_NO_DEST);
  // One dest owns everything.
  ASSERT_EQ(t.Build(251, EqualDests(1, 65535)), 0);
  EXPECT_EQ(t.Counts(1)[0], 251u);
  // All weights zero: no slot is assigned.
  ASSERT_EQ(t.Build(251, EqualDests(5, 0)), 0);
  EXPECT_EQ(t.Counts(5), std::vector<uint32_t>(5, 0));
  // As many dests as slots: one slot each.
  ASSERT_EQ(t.Build(251, EqualDests(251)), 0);
  EXPECT_EQ(t.Counts(251), std::vector<uint32_t>(251, 1));
  // More dests than slots, or a bad size, are refused.
  EXPECT_EQ(t.Build(251, EqualDests(252)), -ENOSPC);
  EXPECT_EQ(t.Build(250, EqualDests(2)), -EINVAL);
  // Maximum weight next to minimum weight.
  std::vector<wmh_dest_spec> d = {V4Dest(1, 1, 65535), V4Dest(2, 1, 1)};
  ASSERT_EQ(t.Build(1048573, d), 0);
  auto c = t.Counts(2);
  EXPECT_NEAR(c[1], 1048573.0 / 65536, 1.0);
}

TEST(Table, Ipv6KeysSpreadLikeIpv4) {
  std::vector<wmh_dest_spec> d;
  for (uint16_t i = 0; i < 50; ++i) d.push_back(V6Dest(i, 80, 1));
  Table t;
  ASSERT_EQ(t.Build(65537, d), 0);
  auto c = t.Counts(50);
  auto [lo, hi] = std::minmax_element(c.begin(), c.end());
  EXPECT_LE(*hi - *lo, 1u);
}

TEST(Table, PortIsPartOfTheDestKey) {
  // Same address, different ports: distinct dests with distinct permutations.
  std::vector<wmh_dest_spec> d = {V4Dest(0x0a000001, 80, 1), V4Dest(0x0a000001, 81, 1)};
  Table t;
  ASSERT_EQ(t.Build(251, d), 0);
  auto c = t.Counts(2);
  EXPECT_EQ(c[0] + c[1], 251u);
  EXPECT_LE(std::max(c[0], c[1]) - std::min(c[0], c[1]), 1u);
}

TEST(Table, AllocationFailureLeavesTableUntouched) {
  auto dests = EqualDests(20);
  Table t;
  ASSERT_EQ(t.Build(4093, dests), 0);
  std::vector<uint32_t> snapshot = t.Slots();
  // Fail each allocation in turn; each must report -ENOMEM and leak nothing
  // (ASan checks the latter).
  for (long k = 0; k < 8; ++k) {
    wmh_table scratch;
    std::memset(&scratch, 0x5a, sizeof(scratch));
    wmh_fail_alloc_after = k;
    int ret = wmh_table_build(&scratch, 4093, &wmh_default_hash_key, dests.data(), 20);
    bool injected = wmh_fail_alloc_after == 0;
    wmh_fail_alloc_after = -1;
    if (!injected) {
      ASSERT_EQ(ret, 0);
      wmh_table_free(&scratch);
      break;
    }
    EXPECT_EQ(ret, -ENOMEM) << "failing allocation " << k;
    EXPECT_EQ(scratch.size, 0x5a5a5a5au);  // untouched
  }
  EXPECT_EQ(t.Slots(), snapshot);
}

TEST(Table, DifferentHashKeysGiveDifferentTables) {
  auto dests = EqualDests(10);
  Table a, b;
  wmh_hash_key k = wmh_default_hash_key;
  k.k1 ^= 0x100;
  ASSERT_EQ(a.Build(4093, dests), 0);
  ASSERT_EQ(b.Build(4093, dests, k), 0);
  uint32_t same = 0;
  for (uint32_t s = 0; s < 4093; ++s) same += a.slot(s) == b.slot(s);
  EXPECT_LT(same, 4093u / 5);  // about 1/10 by chance
}

}  // namespace

namespace {

TEST(DestSpec, WeightIsTheLastNonZeroWeightNeverNegative) {
  uint32_t a = htonl(0x0a000001);
  wmh_dest_spec s;
  wmh_dest_spec_init(&s, WMH_AF_INET, &a, htons(80), 7);
  EXPECT_EQ(s.weight, 7u);
  wmh_dest_spec_init(&s, WMH_AF_INET, &a, htons(80), -3);
  EXPECT_EQ(s.weight, 0u);
  wmh_dest_spec_init(&s, WMH_AF_INET, &a, htons(80), 65535);
  EXPECT_EQ(s.weight, 65535u);
  u8 key[WMH_DEST_KEY_LEN];
  wmh_dest_key(key, WMH_AF_INET, &a, htons(80));
  EXPECT_EQ(std::memcmp(key, s.key, WMH_DEST_KEY_LEN), 0);
}

}  // namespace

// Slot width: 16-bit slots up to 65535 dests, 32-bit above. The width is a
// storage detail: both must hold the same dest in every slot.
namespace {

using core_testing::EqualDests;
using core_testing::Table;

constexpr uint32_t kBigTable = 131071;  // prime, room for 65536 dests

// 65535 dests with weights 1..4 (a 16-bit table) and the same dests plus one
// of weight 0 listed first (65536 dests, a 32-bit table whose last spec index,
// 65535, is the 16-bit sentinel's value).
struct BoundaryDests {
  std::vector<wmh_dest_spec> narrow, wide;
  BoundaryDests() {
    std::mt19937 rng(8);
    std::uniform_int_distribution<uint32_t> w(1, 4);
    narrow = EqualDests(WMH_SLOT16_DESTS_MAX);
    for (auto& d : narrow) d.weight = w(rng);
    wide.push_back(core_testing::V4Dest(0x0b000001, 80, 0));
    wide.insert(wide.end(), narrow.begin(), narrow.end());
  }
};

std::string KeyOf(const std::vector<wmh_dest_spec>& d, uint32_t idx) {
  if (idx == WMH_NO_DEST) return "none";
  return std::string(reinterpret_cast<const char*>(d[idx].key), WMH_DEST_KEY_LEN);
}

TEST(SlotWidth, SixteenBitsUpTo65535DestsThirtyTwoAbove) {
  EXPECT_EQ(wmh_slot_bytes(0), 2u);
  EXPECT_EQ(wmh_slot_bytes(WMH_SLOT16_DESTS_MAX), 2u);
  EXPECT_EQ(wmh_slot_bytes(WMH_SLOT16_DESTS_MAX + 1), 4u);
  BoundaryDests b;
  Table narrow, wide;
  ASSERT_EQ(narrow.Build(kBigTable, b.narrow), 0);
  ASSERT_EQ(wide.Build(kBigTable, b.wide), 0);
  EXPECT_FALSE(narrow.get()->wide);
  EXPECT_TRUE(wide.get()->wide);
  Table small;
  ASSERT_EQ(small.Build(4093, EqualDests(3)), 0);
  EXPECT_FALSE(small.get()->wide);
}

TEST(SlotWidth, BothWidthsHoldTheSameAssignment) {
  BoundaryDests b;
  Table narrow, wide;
  ASSERT_EQ(narrow.Build(kBigTable, b.narrow), 0);
  ASSERT_EQ(wide.Build(kBigTable, b.wide), 0);
  for (uint32_t s = 0; s < kBigTable; ++s)
    ASSERT_EQ(KeyOf(b.narrow, narrow.slot(s)), KeyOf(b.wide, wide.slot(s))) << "slot " << s;
  // Exact weights in both, and the highest index of each width is a dest.
  uint64_t wsum = 0;
  for (const auto& d : b.narrow) wsum += d.weight;
  auto cn = narrow.Counts(b.narrow.size());
  auto cw = wide.Counts(b.wide.size());
  EXPECT_EQ(cw[0], 0u);  // weight 0
  for (size_t i = 0; i < b.narrow.size(); ++i) {
    double ideal = double(kBigTable) * b.narrow[i].weight / wsum;
    ASSERT_LT(std::fabs(cn[i] - ideal), 1.0) << i;
    ASSERT_EQ(cn[i], cw[i + 1]) << i;
  }
  EXPECT_GT(cn[WMH_SLOT16_DESTS_MAX - 1], 0u);  // index 65534
  EXPECT_GT(cw[WMH_SLOT16_DESTS_MAX], 0u);      // index 65535 == WMH_NO_DEST16
}

TEST(SlotWidth, LookupsAgreeAcrossWidthsWithFallback) {
  BoundaryDests b;
  Table narrow, wide;
  ASSERT_EQ(narrow.Build(kBigTable, b.narrow), 0);
  ASSERT_EQ(wide.Build(kBigTable, b.wide), 0);
  // Every third dest down (the same dests in both), so that probes and the
  // key-order scan run too.
  struct Down {
    std::vector<wmh_dest_state> s;
    static wmh_dest_state Get(const void* ctx, uint32_t i) {
      return static_cast<const Down*>(ctx)->s[i];
    }
  } dn, dw;
  for (size_t i = 0; i < b.narrow.size(); ++i) dn.s.push_back(i % 3 ? WMH_DEST_UP : WMH_DEST_DOWN);
  dw.s.push_back(WMH_DEST_DOWN);
  dw.s.insert(dw.s.end(), dn.s.begin(), dn.s.end());
  uint32_t fell_back = 0;
  for (uint32_t c = 0; c < 20000; ++c) {
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t a = htonl(0x64000000u + c * 7);
    uint32_t len = wmh_flow_msg(msg, WMH_AF_INET, &a, false, 0);
    uint32_t in = wmh_lookup(narrow.get(), msg, len, Down::Get, &dn, false);
    uint32_t iw = wmh_lookup(wide.get(), msg, len, Down::Get, &dw, false);
    ASSERT_EQ(KeyOf(b.narrow, in), KeyOf(b.wide, iw)) << c;
    fell_back += in != narrow.slot(wmh_lookup_slot(narrow.get(), msg, len));
  }
  EXPECT_GT(fell_back, 20000u / 5);  // about a third of the flows
}

TEST(SlotWidth, NoDestInEitherWidth) {
  for (size_t n : {size_t{WMH_SLOT16_DESTS_MAX}, size_t{WMH_SLOT16_DESTS_MAX} + 1}) {
    Table t;
    ASSERT_EQ(t.Build(kBigTable, EqualDests(n, 0)), 0);
    EXPECT_EQ(t.get()->wide, n > WMH_SLOT16_DESTS_MAX);
    for (uint32_t s = 0; s < kBigTable; ++s) ASSERT_EQ(t.slot(s), WMH_NO_DEST) << n << " " << s;
    std::vector<wmh_dest_state> up(n, WMH_DEST_UP);
    uint8_t msg[4] = {10, 0, 0, 1};
    EXPECT_EQ(wmh_lookup(
                  t.get(), msg, 4,
                  [](const void* ctx, uint32_t i) {
                    return (*static_cast<const std::vector<wmh_dest_state>*>(ctx))[i];
                  },
                  &up, true),
              WMH_NO_DEST);
  }
}

}  // namespace
