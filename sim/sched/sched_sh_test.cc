// SPDX-License-Identifier: GPL-2.0
#include "sched_sh.h"

#include <gtest/gtest.h>

#include "kernel_hash.h"
#include "sched_dh.h"
#include "sched_testing.h"

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

// Clients 0.0.0.1 / 0.0.0.2 / 0.0.0.3 fold to 1 / 2 / 3 and so land in
// buckets 97 / 195 / 37 of a 256-bucket table.
FlowKey Client(uint32_t host, uint16_t port = 0) {
  FlowKey f;
  f.client.addr = IpAddr::V4(host);
  f.client.port = port;
  f.vip = Ep("10.0.0.1:80");
  return f;
}

TEST(ShScheduler, BucketsRepeatEachDestWeightTimesInListOrder) {
  // A:1 B:2 C:1 -> buckets A B B C A B B C ...
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 2), D("192.168.1.7:80", 1)});
  ShScheduler sh(8);
  Init(&sh, svc);
  ASSERT_EQ(sh.table_size(), 256u);
  const int pattern[4] = {0, 1, 1, 2};
  for (uint32_t b = 0; b < 256; ++b) EXPECT_EQ(sh.BucketOwner(b)->ep, svc.dests[pattern[b % 4]].ep);
  EXPECT_EQ(sh.Schedule(svc, Client(1)), 1);  // bucket 97, 97 % 4 = 1: B
  EXPECT_EQ(sh.Schedule(svc, Client(2)), 2);  // bucket 195, 195 % 4 = 3: C
  EXPECT_EQ(sh.Schedule(svc, Client(3)), 1);  // bucket 37, 37 % 4 = 1: B
}

TEST(ShScheduler, PortIsAddedOnlyWithFlag2) {
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 2), D("192.168.1.7:80", 1)});
  ShScheduler sh(8);
  Init(&sh, svc);
  // Without sh-port the port is ignored: 0.0.0.1:2 still hashes 1.
  EXPECT_EQ(sh.Schedule(svc, Client(1, 2)), 1);
  svc.flags = kSchedFlag2;
  EXPECT_EQ(sh.Schedule(svc, Client(1, 2)), 1);  // 1 + 2 = 3: bucket 37, B
  EXPECT_EQ(sh.Schedule(svc, Client(0, 2)), 2);  // 0 + 2 = 2: bucket 195, C
  EXPECT_EQ(sh.Schedule(svc, Client(1, 1)), 2);  // 1 + 1 = 2: collides with the above
}

TEST(ShScheduler, ZeroWeightDestStillTakesOneBucket) {
  // A:0 B:1 -> buckets A B A B ...: even buckets are A's.
  Service svc = Svc({D("192.168.1.5:80", 0), D("192.168.1.6:80", 1)});
  ShScheduler sh(8);
  Init(&sh, svc);
  for (uint32_t b = 0; b < 256; ++b) EXPECT_EQ(sh.BucketOwner(b)->ep, svc.dests[b % 2].ep);
  EXPECT_EQ(sh.Schedule(svc, Client(0)), -1);  // bucket 0 -> A, weight 0: none
  EXPECT_EQ(sh.Schedule(svc, Client(6)), -1);  // bucket 74 -> A
  EXPECT_EQ(sh.Schedule(svc, Client(1)), 1);   // bucket 97 -> B
  // sh-fallback probes (offset + hash) & 255 with offset = ihash + 0, 1, ...
  // client 0: bucket 0 (A), then 1 (B); client 6: 148 (A), then 149 (B).
  svc.flags = kSchedFlag1;
  EXPECT_EQ(sh.Schedule(svc, Client(0)), 1);
  EXPECT_EQ(sh.Schedule(svc, Client(6)), 1);
}

TEST(ShScheduler, FallbackAddsTheHashTwice) {
  // Five dests, one bucket each: bucket b -> dest b % 5 for b < 256.
  // Client 1 hashes to 97 -> C (97 % 5 = 2). With C overloaded the kernel
  // probes roffset + hash = 97 + 97 = 194 -> E (194 % 5 = 4), not 98 -> D.
  Service svc = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80"),
                     D("192.168.1.8:80"), D("192.168.1.9:80")},
                    "10.0.0.1:80", kSchedFlag1);
  ShScheduler sh(8);
  Init(&sh, svc);
  EXPECT_EQ(sh.Schedule(svc, Client(1)), 2);
  svc.dests[2].overloaded = true;
  EXPECT_EQ(sh.Schedule(svc, Client(1)), 4);
  svc.dests[4].weight = 0;  // 195 -> A (195 % 5 = 0)
  EXPECT_EQ(sh.Schedule(svc, Client(1)), 0);
  svc.flags = 0;
  EXPECT_EQ(sh.Schedule(svc, Client(1)), -1);
  svc.flags = kSchedFlag1;
  for (Dest& d : svc.dests) d.overloaded = true;
  EXPECT_EQ(sh.Schedule(svc, Client(1)), -1);
}

TEST(ShScheduler, WeightChangeRefillsTheTable) {
  Service svc = Svc({D("192.168.1.5:80", 1), D("192.168.1.6:80", 1)});
  ShScheduler sh(8);
  Init(&sh, svc);
  std::string err;
  ASSERT_TRUE(SetWeight(&sh, &svc, "192.168.1.5:80", 3, &err));
  const int pattern[4] = {0, 0, 0, 1};
  for (uint32_t b = 0; b < 256; ++b) EXPECT_EQ(sh.BucketOwner(b)->ep, svc.dests[pattern[b % 4]].ep);
  ASSERT_TRUE(sched_testing::DelDest(&sh, &svc, "192.168.1.5:80", &err));
  for (uint32_t b = 0; b < 256; ++b) EXPECT_EQ(sh.BucketOwner(b)->ep, svc.dests[0].ep);
}

TEST(ShScheduler, EmptyServiceAndSmallTables) {
  Service svc = Svc({});
  ShScheduler sh(8);
  Init(&sh, svc);
  EXPECT_EQ(sh.Schedule(svc, Client(1)), -1);
  // 4 buckets: hash_32(1, 2) = 0x61C88647 >> 30 = 1.
  Service s4 = Svc({D("192.168.1.5:80"), D("192.168.1.6:80"), D("192.168.1.7:80")});
  ShScheduler sh2(2);
  Init(&sh2, s4);
  EXPECT_EQ(sh2.table_size(), 4u);
  EXPECT_EQ(sh2.Schedule(s4, Client(1)), 1);
}

TEST(DhScheduler, HashesTheDestinationAddress) {
  // One bucket per dest round the list: bucket b -> dest b % 3. VIP 0.0.0.1
  // -> bucket 97 -> 97 % 3 = 1; VIP 0.0.0.2 -> 195 % 3 = 0.
  Service svc =
      Svc({D("192.168.1.5:80", 5), D("192.168.1.6:80", 1), D("192.168.1.7:80", 1)}, "0.0.0.1:80");
  DhScheduler dh;
  Init(&dh, svc);
  for (uint32_t b = 0; b < 256; ++b) EXPECT_EQ(dh.BucketOwner(b)->ep, svc.dests[b % 3].ep);
  EXPECT_EQ(dh.Schedule(svc, Flow("1.2.3.4:1000", "0.0.0.1:80")), 1);
  EXPECT_EQ(dh.Schedule(svc, Flow("5.6.7.8:2000", "0.0.0.1:80")), 1);  // client ignored
  EXPECT_EQ(dh.Schedule(svc, Flow("1.2.3.4:1000", "0.0.0.2:80")), 0);
  svc.dests[1].overloaded = true;  // no fallback in dh
  EXPECT_EQ(dh.Schedule(svc, Flow("1.2.3.4:1000", "0.0.0.1:80")), -1);
  svc.dests[1].overloaded = false;
  svc.dests[1].weight = 0;
  EXPECT_EQ(dh.Schedule(svc, Flow("1.2.3.4:1000", "0.0.0.1:80")), -1);
  Service empty = Svc({});
  DhScheduler dh2;
  Init(&dh2, empty);
  EXPECT_EQ(dh2.Schedule(empty, ClientV4(1)), -1);
  EXPECT_EQ(EpOf(svc, -1), "none");
}

}  // namespace
}  // namespace ipvs_sim
