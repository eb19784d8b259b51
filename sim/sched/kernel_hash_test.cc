// SPDX-License-Identifier: GPL-2.0
#include "kernel_hash.h"

#include <gtest/gtest.h>

#include "sched_testing.h"

namespace ipvs_sim {
namespace {

using sched_testing::Ep;

// hash_32(v, 8) = (v * 0x61C88647) >> 24:
//   v = 1 -> 0x61 = 97, v = 2 -> 0xC3 = 195, v = 3 -> 0x25 = 37 (0x255992D5),
//   v = 6 -> 74.
TEST(KernelHash, Hash32ByHand) {
  EXPECT_EQ(KernelHash32(0, 8), 0u);
  EXPECT_EQ(KernelHash32(1, 8), 97u);
  EXPECT_EQ(KernelHash32(2, 8), 195u);
  EXPECT_EQ(KernelHash32(3, 8), 37u);
  EXPECT_EQ(KernelHash32(1, 32), 0x61C88647u);
}

TEST(KernelHash, AddressFold) {
  EXPECT_EQ(KernelAddrFold(Family::kV4, Ep("10.0.0.1").addr), 0x0a000001u);
  EXPECT_EQ(KernelAddrFold(Family::kV6, Ep("[2001:db8::1]").addr), 0x20010db9u);
  EXPECT_EQ(KernelAddrFold(Family::kV6, Ep("[::1:2:3:4:5]").addr),
            0x00000001u ^ 0x00020003u ^ 0x00040005u);
  // A v4 address seen by a v6 service folds to itself (zero padding).
  EXPECT_EQ(KernelAddrFold(Family::kV6, Ep("10.0.0.1").addr), 0x0a000001u);
}

TEST(KernelHash, HsiphashHashesTheLittleEndianBytes) {
  wmh_hash_key k{2654435761ULL, 2654435761ULL};
  const uint8_t le[4] = {0x04, 0x03, 0x02, 0x01};
  EXPECT_EQ(KernelHsiphashU32(0x01020304u, k), static_cast<uint32_t>(wmh_siphash13(&k, le, 4)));
  const uint8_t be[4] = {0x01, 0x02, 0x03, 0x04};
  EXPECT_NE(KernelHsiphashU32(0x01020304u, k), static_cast<uint32_t>(wmh_siphash13(&k, be, 4)));
}

TEST(KernelHash, FlsAndGcd) {
  EXPECT_EQ(KernelFls(0), 0);
  EXPECT_EQ(KernelFls(1), 1);
  EXPECT_EQ(KernelFls(100), 7);
  EXPECT_EQ(KernelFls(0x80000000u), 32);
  EXPECT_EQ(KernelGcd(12, 18), 6u);
  EXPECT_EQ(KernelGcd(7, 1), 1u);
}

}  // namespace
}  // namespace ipvs_sim
