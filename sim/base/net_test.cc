// SPDX-License-Identifier: GPL-2.0
#include "net.h"

#include <gtest/gtest.h>

namespace ipvs_sim {
namespace {

TEST(Net, V4MaskPrefixTakesContiguousMasksOnly) {
  int bits = -1;
  for (int n = 0; n <= 32; ++n) {
    uint32_t mask = n == 0 ? 0 : ~0u << (32 - n);
    ASSERT_TRUE(V4MaskPrefix(mask, &bits)) << n;
    EXPECT_EQ(bits, n);
  }
  bits = 7;
  EXPECT_FALSE(V4MaskPrefix(0xff00ff00u, &bits));
  EXPECT_FALSE(V4MaskPrefix(0x00ffffffu, &bits));
  EXPECT_FALSE(V4MaskPrefix(0xfffffffeu ^ 0x100u, &bits));
  EXPECT_EQ(bits, 7);  // untouched on failure
}

TEST(Net, EndpointPortIsZeroTo65535) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse("10.0.0.1:65535", &e));
  EXPECT_EQ(e.port, 65535);
  EXPECT_FALSE(Endpoint::Parse("10.0.0.1:65536", &e));
  EXPECT_FALSE(Endpoint::Parse("10.0.0.1:8o", &e));
  EXPECT_FALSE(Endpoint::Parse("10.0.0.1:", &e));
  EXPECT_TRUE(Endpoint::Parse("10.0.0.1", &e, true));
}

}  // namespace
}  // namespace ipvs_sim
