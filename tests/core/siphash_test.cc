// SPDX-License-Identifier: GPL-2.0
// Test vectors for the keyed hash of the shared core. SipHash-2-4 vectors are
// the published reference ones (veorq/SipHash); SipHash-1-3 truncated to 32
// bits must equal the kernel's 64-bit hsiphash(), whose self-test vectors
// (lib/test_siphash.c) use the same key and inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "wmh_siphash.h"

namespace {

const wmh_hash_key kRefKey = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::vector<uint8_t> Ramp(size_t n, size_t skew = 0) {
  std::vector<uint8_t> v(n + skew);
  for (size_t i = 0; i < n; ++i) v[i + skew] = static_cast<uint8_t>(i);
  return v;
}

TEST(SipHash, ReferenceVectors24) {
  const uint64_t expect[] = {
      0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
      0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
      0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
      0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
      0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL,
  };
  for (size_t len = 0; len < std::size(expect); ++len) {
    auto in = Ramp(len);
    EXPECT_EQ(wmh_siphash24(&kRefKey, in.data(), len), expect[len]) << "len " << len;
    // Unaligned input must hash the same.
    auto skewed = Ramp(len, 1);
    EXPECT_EQ(wmh_siphash24(&kRefKey, skewed.data() + 1, len), expect[len]);
  }
}

TEST(SipHash, KernelHsiphashVectors13) {
  const uint32_t expect[] = {
      0x050fc4dcU, 0x7d57ca93U, 0x4dc7d44dU, 0xe7ddf7fbU, 0x88d38328U, 0x49533b67U,
      0xc59f22a7U, 0x9bb11140U, 0x8d299a8eU, 0x6c063de4U, 0x92ff097fU, 0xf94dc352U,
  };
  for (size_t len = 0; len < std::size(expect); ++len) {
    auto in = Ramp(len);
    EXPECT_EQ(static_cast<uint32_t>(wmh_siphash13(&kRefKey, in.data(), len)), expect[len])
        << "len " << len;
  }
}

TEST(SipHash, KeyAndLengthMatter) {
  uint8_t msg[6] = {10, 0, 0, 1, 0, 80};
  wmh_hash_key other = kRefKey;
  other.k0 ^= 1;
  EXPECT_NE(wmh_siphash13(&kRefKey, msg, 6), wmh_siphash13(&other, msg, 6));
  EXPECT_NE(wmh_siphash13(&kRefKey, msg, 6), wmh_siphash13(&kRefKey, msg, 4));
}

}  // namespace
