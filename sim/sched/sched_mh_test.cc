// SPDX-License-Identifier: GPL-2.0
#include "sched_mh.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "sched_testing.h"
#include "wmh_siphash.h"

namespace ipvs_sim {
namespace {

using sched_testing::ClientV4;
using sched_testing::D;
using sched_testing::Ep;
using sched_testing::EpOf;
using sched_testing::Flow;
using sched_testing::Init;
using sched_testing::SetWeight;
using sched_testing::Svc;

// An independent reading of ip_vs_mh.c for IPv4 services, kept apart from
// the model: the hashed value is built as an integer and laid out in memory
// as x86-64 stores an unsigned int, then SipHash-1-3 is truncated to 32 bits.
uint32_t RefHash(uint32_t host_addr, uint16_t port, uint32_t offset, uint64_t k) {
  uint32_t v = offset + port + host_addr;
  const uint8_t le[4] = {uint8_t(v & 0xff), uint8_t((v >> 8) & 0xff), uint8_t((v >> 16) & 0xff),
                         uint8_t(v >> 24)};
  wmh_hash_key key{k, k};
  return static_cast<uint32_t>(wmh_siphash13(&key, le, 4) & 0xffffffffu);
}
constexpr uint64_t kKey1 = 2654435761ULL;
constexpr uint64_t kKey2 = 2654446892ULL;

struct RefDest {
  uint32_t addr;  // host order
  uint16_t port;
  int turns;
};

// Maglev population: in list order each dest claims `turns` slots per
// round, each time the first free slot of offset, offset + skip, ...
std::vector<int> RefTable(const std::vector<RefDest>& dests, uint32_t m) {
  std::vector<int> table(m, -1);
  std::vector<uint32_t> next(dests.size(), 0);
  uint32_t filled = 0;
  while (filled < m) {
    for (size_t j = 0; j < dests.size() && filled < m; ++j) {
      uint32_t offset = RefHash(dests[j].addr, dests[j].port, 0, kKey1) % m;
      uint32_t skip = RefHash(dests[j].addr, dests[j].port, 0, kKey2) % (m - 1) + 1;
      for (int t = 0; t < dests[j].turns && filled < m; ++t) {
        uint32_t s;
        while (table[s = (offset + uint64_t{next[j]} * skip) % m] != -1) ++next[j];
        table[s] = static_cast<int>(j);
        ++filled;
      }
    }
  }
  return table;
}

std::map<std::string, int> Counts(const MhScheduler& mh) {
  std::map<std::string, int> c;
  for (uint32_t s = 0; s < mh.table_size(); ++s) {
    const DestRef* r = mh.SlotOwner(s);
    c[r ? r->ep.ToString() : "empty"]++;
  }
  return c;
}

TEST(MhScheduler, TableSizesFollowTheKernelConfig) {
  EXPECT_EQ(MhScheduler::TableSizeFor(8), 251u);
  EXPECT_EQ(MhScheduler::TableSizeFor(12), 4093u);
  EXPECT_EQ(MhScheduler::TableSizeFor(17), 131071u);
  EXPECT_EQ(MhScheduler::TableSizeFor(7), 0u);
  EXPECT_EQ(MhScheduler::TableSizeFor(18), 0u);
}

TEST(MhScheduler, HashKeyAddsOffsetPortAndAddressInHostOrder) {
  IpAddr a = Ep("192.168.1.5").addr;
  EXPECT_EQ(MhScheduler::HashKey(Family::kV4, a, 80, MhScheduler::Hash1(), 7),
            RefHash(0xc0a80105u, 80, 7, kKey1));
  EXPECT_EQ(MhScheduler::HashKey(Family::kV4, a, 0, MhScheduler::Hash2(), 0),
            RefHash(0xc0a80105u, 0, 0, kKey2));
}

TEST(MhScheduler, SmallTableMatchesHandPopulation) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:8080")});
  MhScheduler mh(8);
  Init(&mh, svc);
  ASSERT_EQ(mh.table_size(), 251u);
  std::vector<int> want =
      RefTable({{0xc0a80105u, 80, 1}, {0xc0a80106u, 80, 1}, {0xc0a80107u, 8080, 1}}, 251);
  for (uint32_t s = 0; s < 251; ++s) {
    ASSERT_NE(mh.SlotOwner(s), nullptr) << s;
    EXPECT_EQ(mh.SlotOwner(s)->ep, svc.dests[want[s]].ep) << "slot " << s;
  }
  // The list head claims first, so it always owns its own offset slot, and
  // with equal weights the 251 slots go 84/84/83 in list order.
  uint32_t off0 = RefHash(0xc0a80105u, 80, 0, kKey1) % 251;
  EXPECT_EQ(mh.SlotOwner(off0)->ep, svc.dests[0].ep);
  auto c = Counts(mh);
  EXPECT_EQ(c["192.168.1.5:80"], 84);
  EXPECT_EQ(c["192.168.1.6:80"], 84);
  EXPECT_EQ(c["192.168.1.7:8080"], 83);
}

TEST(MhScheduler, LookupUsesTheSlotOfTheFoldedClientAddress) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80")});
  MhScheduler mh(8);
  Init(&mh, svc);
  std::vector<int> table = RefTable({{0xc0a80105u, 80, 1}, {0xc0a80106u, 80, 1}}, 251);
  for (uint32_t i = 0; i < 200; ++i) {
    FlowKey f = ClientV4(i, static_cast<uint16_t>(1000 + i));
    uint32_t slot = RefHash(0x0a010000u + i, 0, 0, kKey1) % 251;  // no port without flag-2
    EXPECT_EQ(mh.Schedule(svc, f), table[slot]) << i;
    svc.flags = kSchedFlag2;
    uint32_t pslot = RefHash(0x0a010000u + i, f.client.port, 0, kKey1) % 251;
    EXPECT_EQ(mh.Schedule(svc, f), table[pslot]) << i;
    svc.flags = 0;
  }
}

TEST(MhScheduler, TurnsFollowGcdAndShift) {
  // Weights 1 and 3: turns 1 and 3, so rounds of four slots; 251 = 62 * 4
  // + 3 and the last round gives 1 to the head and 2 to the other dest.
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 3)});
  MhScheduler mh(8);
  Init(&mh, svc);
  auto c = Counts(mh);
  EXPECT_EQ(c["192.168.1.5:80"], 63);
  EXPECT_EQ(c["192.168.1.6:80"], 188);

  // Weights 2 and 6 have gcd 2: the same turns, the same table.
  Service svc2 = Svc({D("192.168.1.5:80", 2), D("192.168.1.6:80", 6)});
  MhScheduler mh2(8);
  Init(&mh2, svc2);
  for (uint32_t s = 0; s < 251; ++s) EXPECT_EQ(mh.SlotOwner(s)->ep, mh2.SlotOwner(s)->ep);
}

TEST(MhScheduler, WeightsOneToHundredComeOutOneToFifty) {
  // 4093 slots, TAB_BITS 6: fls(100) = 7, rshift 1, turns 1 (at least one)
  // and 50. Rounds of 51: 80 full rounds, then 13 slots in list order.
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 100)});
  MhScheduler mh(12);
  Init(&mh, svc);
  auto c = Counts(mh);
  EXPECT_EQ(c["192.168.1.5:80"], 81);
  EXPECT_EQ(c["192.168.1.6:80"], 4012);

  Service rev = Svc({D("192.168.1.6:80", 100), D("192.168.1.5:80", 1)});
  MhScheduler mh2(12);
  Init(&mh2, rev);
  auto c2 = Counts(mh2);
  EXPECT_EQ(c2["192.168.1.5:80"], 80);
  EXPECT_EQ(c2["192.168.1.6:80"], 4013);
}

TEST(MhScheduler, TableDependsOnListOrder) {
  Service ab = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  Service ba = Svc({D("192.168.1.7:80"), D("192.168.1.6:80"), D("192.168.1.5:80")});
  MhScheduler m1(12), m2(12);
  Init(&m1, ab);
  Init(&m2, ba);
  int differ = 0;
  for (uint32_t s = 0; s < m1.table_size(); ++s)
    differ += m1.SlotOwner(s)->ep != m2.SlotOwner(s)->ep;
  EXPECT_GT(differ, 0);
}

TEST(MhScheduler, AddressAndPortAreAddedSoNeighboursCollide) {
  Service svc =
      Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80"), D("192.168.1.8:80")},
          "10.0.0.1:80", kSchedFlag2);
  MhScheduler mh(12);
  Init(&mh, svc);
  for (uint32_t i = 0; i < 300; ++i) {
    uint16_t port = static_cast<uint16_t>(2000 + 7 * i);
    EXPECT_EQ(mh.Schedule(svc, ClientV4(i, port)), mh.Schedule(svc, ClientV4(i + 1, port - 1)))
        << i;
  }
}

TEST(MhScheduler, Ipv6AddressesFoldByXorOfWords) {
  Service svc = Svc({D("[2001:db8::10]:80"), D("[2001:db8::11]:80"), D("[2001:db8::12]:80")},
                    "[2001:db8::1]:80");
  MhScheduler mh(12);
  Init(&mh, svc);
  // 2001:db8::1 and 2001:db8::1:0:0 have the same xor of 32-bit words.
  FlowKey a = Flow("[2001:db8::1]:1000", "[2001:db8::1]:80");
  FlowKey b = Flow("[2001:db8::1:0:0]:1000", "[2001:db8::1]:80");
  EXPECT_EQ(mh.Schedule(svc, a), mh.Schedule(svc, b));
  // The dest permutation folds the same way: 0x20010db8 ^ 0x10.
  IpAddr d0 = Ep("[2001:db8::10]").addr;
  EXPECT_EQ(MhScheduler::HashKey(Family::kV6, d0, 80, MhScheduler::Hash1(), 0),
            RefHash(0x20010db8u ^ 0x10u, 80, 0, kKey1));
}

TEST(MhScheduler, DrainedDestWithoutFallbackGivesNoDest) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80")});
  MhScheduler mh(8);
  Init(&mh, svc);
  std::vector<int> before;
  for (uint32_t i = 0; i < 400; ++i) before.push_back(mh.Schedule(svc, ClientV4(i)));
  std::string err;
  ASSERT_TRUE(SetWeight(&mh, &svc, "192.168.1.5:80", 0, &err));
  // last_weight kept: the table is unchanged.
  std::vector<int> table = RefTable({{0xc0a80105u, 80, 1}, {0xc0a80106u, 80, 1}}, 251);
  for (uint32_t s = 0; s < 251; ++s) EXPECT_EQ(mh.SlotOwner(s)->ep, svc.dests[table[s]].ep);
  int lost = 0;
  for (uint32_t i = 0; i < 400; ++i) {
    int got = mh.Schedule(svc, ClientV4(i));
    if (before[i] == 0) {
      EXPECT_EQ(got, -1) << i;
      ++lost;
    } else {
      EXPECT_EQ(got, 1) << i;
    }
  }
  EXPECT_GT(lost, 100);
  // mh-fallback: the drained dest's flows go to the other one.
  svc.flags = kSchedFlag1;
  for (uint32_t i = 0; i < 400; ++i) EXPECT_EQ(mh.Schedule(svc, ClientV4(i)), 1) << i;
}

TEST(MhScheduler, FallbackRehashesWithIncreasingOffsets) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")}, "10.0.0.1:80",
                    kSchedFlag1);
  MhScheduler mh(8);
  Init(&mh, svc);
  svc.dests[0].overloaded = true;
  std::vector<int> table =
      RefTable({{0xc0a80105u, 80, 1}, {0xc0a80106u, 80, 1}, {0xc0a80107u, 80, 1}}, 251);
  int checked = 0;
  for (uint32_t i = 0; i < 300; ++i) {
    uint32_t addr = 0x0a010000u + i;
    uint32_t ihash = RefHash(addr, 0, 0, kKey1) % 251;
    int want = table[ihash];
    for (uint32_t off = 0; want == 0; ++off)
      want = table[RefHash(addr, 0, (ihash + off) % 251, kKey1) % 251];
    EXPECT_EQ(mh.Schedule(svc, ClientV4(i)), want) << i;
    checked += table[ihash] == 0;
  }
  EXPECT_GT(checked, 50);
}

TEST(MhScheduler, NoDestinationCases) {
  std::string err;
  // No dests at all.
  Service empty = Svc({}, "10.0.0.1:80", kSchedFlag1);
  MhScheduler m0(8);
  Init(&m0, empty);
  EXPECT_EQ(m0.Schedule(empty, ClientV4(1)), -1);
  EXPECT_EQ(m0.SlotOwner(0), nullptr);

  // Only a dest added with weight 0: last_weight 0, no turns, empty table,
  // even with fallback.
  Service zero = Svc({D("192.168.1.5:80", 0)}, "10.0.0.1:80", kSchedFlag1);
  MhScheduler m1(8);
  Init(&m1, zero);
  EXPECT_EQ(m1.Schedule(zero, ClientV4(1)), -1);
  EXPECT_EQ(m1.SlotOwner(5), nullptr);

  // Every dest drained: the table is full but nobody is available.
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80")}, "10.0.0.1:80", kSchedFlag1);
  MhScheduler m2(8);
  Init(&m2, svc);
  ASSERT_TRUE(SetWeight(&m2, &svc, "192.168.1.5:80", 0, &err));
  ASSERT_TRUE(SetWeight(&m2, &svc, "192.168.1.6:80", 0, &err));
  for (uint32_t i = 0; i < 20; ++i) EXPECT_EQ(m2.Schedule(svc, ClientV4(i)), -1);
  EXPECT_NE(m2.SlotOwner(0), nullptr);
}

TEST(MhScheduler, DeletedDestLeavesTheTable) {
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  MhScheduler mh(8);
  Init(&mh, svc);
  std::string err;
  ASSERT_TRUE(sched_testing::DelDest(&mh, &svc, "192.168.1.6:80", &err));
  std::vector<int> table = RefTable({{0xc0a80105u, 80, 1}, {0xc0a80107u, 80, 1}}, 251);
  for (uint32_t s = 0; s < 251; ++s) EXPECT_EQ(mh.SlotOwner(s)->ep, svc.dests[table[s]].ep);
  for (uint32_t i = 0; i < 100; ++i) EXPECT_NE(EpOf(svc, mh.Schedule(svc, ClientV4(i))), "none");
}

}  // namespace
}  // namespace ipvs_sim
