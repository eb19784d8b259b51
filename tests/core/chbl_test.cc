// SPDX-License-Identifier: GPL-2.0
// chbl's load bound (kmod/chbl_load.c) and the lookup that applies it.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "chbl_load.h"
#include "core_testing.h"

namespace {

using core_testing::EqualDests;
using core_testing::Table;

// The rule of chbl_load.h in 128-bit arithmetic, the reference for the
// core's 64-bit cross-multiplication.
bool FullReference(uint64_t conns, uint32_t w, uint64_t total, uint64_t weight_sum, uint32_t eps) {
  if (weight_sum == 0) return false;
  unsigned __int128 x = static_cast<unsigned __int128>(1000 + eps) * (total + 1) * w;
  unsigned __int128 y = static_cast<unsigned __int128>(1000) * weight_sum;
  unsigned __int128 cap = (x + y - 1) / y;  // ceil
  return conns >= cap;
}

TEST(ChblEps, ParsesDecimalsIntoThousandths) {
  struct {
    const char* text;
    uint32_t milli;
  } ok[] = {{"0.25", 250}, {"1", 1000},       {".5", 500},  {"0.125", 125}, {"0", 0},
            {"10", 10000}, {"10.000", 10000}, {"2.", 2000}, {"0.1\n", 100}};
  for (const auto& c : ok) {
    uint32_t m = 7;
    EXPECT_EQ(chbl_eps_parse(c.text, &m), 0) << c.text;
    EXPECT_EQ(m, c.milli) << c.text;
  }
  for (const char* bad : {"", ".", "-1", "0.2500", "10.001", "11", "1e3", "0,25", " 1", "1 ", "abc",
                          "99999999999999999999"}) {
    uint32_t m = 7;
    EXPECT_EQ(chbl_eps_parse(bad, &m), -EINVAL) << bad;
    EXPECT_EQ(m, 7u) << "untouched on error: " << bad;
  }
}

TEST(ChblEps, DefaultTextsAreTheDefaults) {
  uint32_t m = 0;
  ASSERT_EQ(chbl_eps_parse(CHBL_EPS_DEFAULT_TEXT, &m), 0);
  EXPECT_EQ(m, CHBL_EPS_DEFAULT);
  ASSERT_EQ(chbl_eps_parse(CHBL_EPS_FLAG3_DEFAULT_TEXT, &m), 0);
  EXPECT_EQ(m, CHBL_EPS_FLAG3_DEFAULT);
}

TEST(ChblEps, Flag3SelectsTheSecondBound) {
  EXPECT_EQ(chbl_eps_of(0, 250, 100), 250u);
  EXPECT_EQ(chbl_eps_of(CHBL_SVC_F_EPS3, 250, 100), 100u);
  EXPECT_EQ(chbl_eps_of(WMH_SVC_F_PORT | WMH_SVC_F_OVERFLOW, 250, 100), 250u);
}

TEST(ChblFull, AgreesWithTheExactRule) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    // Small values, where rounding decides, and huge ones, where 64 bits
    // would overflow.
    bool huge = i % 4 == 0;
    uint64_t total = huge ? rng() % (1ULL << 52) : rng() % 5000;
    uint64_t conns = huge ? rng() % (total + 1) : rng() % (total + 2);
    uint32_t w = huge ? static_cast<uint32_t>(rng() % (1U << 31)) : 1 + rng() % 100;
    uint64_t wsum = w + (huge ? rng() % (1ULL << 53) : rng() % 1000);
    uint32_t eps = static_cast<uint32_t>(rng() % (CHBL_EPS_MAX + 1));
    chbl_load l{total, wsum};
    ASSERT_EQ(chbl_full(conns, w, &l, eps), FullReference(conns, w, total, wsum, eps))
        << conns << " " << w << " " << total << " " << wsum << " " << eps;
  }
}

TEST(ChblFull, EdgeCases) {
  chbl_load none{0, 0};
  EXPECT_FALSE(chbl_full(100, 1, &none, 250)) << "no weight: no bound";
  chbl_load empty{0, 4};
  // An empty service: every dest may take the first flow (cap = 1).
  EXPECT_FALSE(chbl_full(0, 1, &empty, 0));
  EXPECT_TRUE(chbl_full(1, 1, &empty, 0));
  // 4 dests of weight 1, 100 conns, eps 0.25: cap = ceil(1.25 * 101 / 4) = 32.
  chbl_load l{100, 4};
  EXPECT_FALSE(chbl_full(31, 1, &l, 250));
  EXPECT_TRUE(chbl_full(32, 1, &l, 250));
  EXPECT_EQ(chbl_dest_state(WMH_DEST_UP, 32, 1, &l, 250), WMH_DEST_FULL);
  EXPECT_EQ(chbl_dest_state(WMH_DEST_OVERLOADED, 32, 1, &l, 250), WMH_DEST_OVERLOADED);
  EXPECT_EQ(chbl_dest_state(WMH_DEST_DOWN, 0, 1, &l, 250), WMH_DEST_DOWN);
  chbl_load sum{};
  chbl_load_add(&sum, WMH_DEST_UP, 5, 2);
  chbl_load_add(&sum, WMH_DEST_OVERLOADED, 7, 3);
  chbl_load_add(&sum, WMH_DEST_DOWN, 11, 4);  // drained or removed: not counted
  EXPECT_EQ(sum.conns, 12u);
  EXPECT_EQ(sum.weight, 5u);
}

// Some dest is never full: the capacities add up to more than the total.
TEST(ChblFull, SomeDestAlwaysHasRoom) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20000; ++round) {
    int n = 1 + static_cast<int>(rng() % 20);
    std::vector<uint64_t> conns(n);
    std::vector<uint32_t> w(n);
    chbl_load l{};
    for (int i = 0; i < n; ++i) {
      w[i] = 1 + rng() % 50;
      conns[i] = rng() % 300;
      chbl_load_add(&l, WMH_DEST_UP, conns[i], w[i]);
    }
    uint32_t eps = static_cast<uint32_t>(rng() % 2000);
    bool room = false;
    for (int i = 0; i < n; ++i) room |= !chbl_full(conns[i], w[i], &l, eps);
    ASSERT_TRUE(room) << round;
  }
}

// A service's flows placed one by one, as the module places them (the
// table's first choice unless full, then wmh_lookup's order), with no flow
// ending: the bound holds after every placement, and only flows whose
// first choice was full go elsewhere.
struct Placement {
  const Table* t;
  std::vector<uint64_t> conns;
  std::vector<uint32_t> w;
  chbl_load load{};
  uint32_t eps = CHBL_EPS_DEFAULT;
  static wmh_dest_state State(const void* ctx, uint32_t i) {
    const Placement* p = static_cast<const Placement*>(ctx);
    return chbl_dest_state(WMH_DEST_UP, p->conns[i], p->w[i], &p->load, p->eps);
  }
};

TEST(ChblLookup, BoundHoldsWithHeavyHittersAndOnlyFullChoicesMove) {
  const int kDests = 10;
  Table t;
  std::vector<wmh_dest_spec> d = EqualDests(kDests);
  for (int i = 0; i < kDests; ++i) d[i].weight = 1 + i % 3;
  ASSERT_EQ(t.Build(65537, d), 0);
  Placement p{&t, std::vector<uint64_t>(kDests), std::vector<uint32_t>(kDests)};
  for (int i = 0; i < kDests; ++i) p.w[i] = d[i].weight;
  uint64_t wsum = 0;
  for (uint32_t w : p.w) wsum += w;
  p.load.weight = wsum;

  // Zipf-like clients: client k sends about 1/k of the flows, so the first
  // few clients alone would overload their dests (no port hashing).
  std::mt19937_64 rng(3);
  std::vector<double> cdf;
  double acc = 0;
  for (int k = 1; k <= 2000; ++k) cdf.push_back(acc += 1.0 / k);
  uint64_t moved = 0;
  for (int f = 0; f < 100000; ++f) {
    double u = std::uniform_real_distribution<double>(0, acc)(rng);
    uint32_t client = 0x0a000000u + static_cast<uint32_t>(
                                        std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t a = htonl(client);
    uint32_t len = wmh_flow_msg(msg, WMH_AF_INET, &a, false, 0);
    uint32_t first = wmh_table_slot(t.get(), wmh_lookup_slot(t.get(), msg, len));
    bool first_full = Placement::State(&p, first) == WMH_DEST_FULL;
    uint32_t got = wmh_lookup(t.get(), msg, len, Placement::State, &p, false);
    ASSERT_LT(got, static_cast<uint32_t>(kDests));
    ASSERT_FALSE(chbl_full(p.conns[got], p.w[got], &p.load, p.eps)) << "placed on a full dest";
    if (got != first) {
      ASSERT_TRUE(first_full) << "flow " << f << " moved off a first choice with room";
      ++moved;
    }
    ++p.conns[got];
    ++p.load.conns;
    // After the placement: conns <= ceil((1 + eps) * total * w / W).
    uint64_t y = 1000 * wsum;
    uint64_t cap = ((1000 + p.eps) * p.load.conns * p.w[got] + y - 1) / y;
    ASSERT_LE(p.conns[got], cap) << f;
  }
  EXPECT_GT(moved, 0u) << "the heavy hitters never hit the bound: the test shows nothing";
  EXPECT_LT(moved, 100000u / 2);
}

// Without a full dest the lookup is wmh's, flow for flow.
TEST(ChblLookup, NoFullDestIsPlainWmh) {
  Table t;
  ASSERT_EQ(t.Build(4093, EqualDests(7)), 0);
  Placement p{&t, std::vector<uint64_t>(7, 10), std::vector<uint32_t>(7, 1)};
  p.load = {70, 7};
  struct Up {
    static wmh_dest_state State(const void*, uint32_t) { return WMH_DEST_UP; }
  };
  for (uint32_t c = 0; c < 20000; ++c) {
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t a = htonl(0xc0a80000u + c);
    uint32_t len = wmh_flow_msg(msg, WMH_AF_INET, &a, false, 0);
    ASSERT_EQ(wmh_lookup(t.get(), msg, len, Placement::State, &p, false),
              wmh_lookup(t.get(), msg, len, Up::State, nullptr, false));
  }
}

// Every dest full but one that is overloaded: FULL beats OVERLOADED, and
// overflow is not needed for a FULL dest.
TEST(ChblLookup, FullDestsServeBeforeOverloadedOnes) {
  Table t;
  ASSERT_EQ(t.Build(4093, EqualDests(3)), 0);
  struct S {
    static wmh_dest_state State(const void*, uint32_t i) {
      return i == 2 ? WMH_DEST_OVERLOADED : WMH_DEST_FULL;
    }
  };
  for (uint32_t c = 0; c < 5000; ++c) {
    uint8_t msg[WMH_FLOW_MSG_MAX];
    uint32_t a = htonl(0xc0a80000u + c);
    uint32_t len = wmh_flow_msg(msg, WMH_AF_INET, &a, false, 0);
    uint32_t got = wmh_lookup(t.get(), msg, len, S::State, nullptr, false);
    ASSERT_LT(got, 2u) << c;
  }
}

}  // namespace
