// SPDX-License-Identifier: GPL-2.0
#include "kernel_hash.h"

namespace ipvs_sim {

namespace {

constexpr uint32_t kGoldenRatio32 = 0x61C88647u;

uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

uint32_t KernelHash32(uint32_t val, unsigned bits) { return (val * kGoldenRatio32) >> (32 - bits); }

uint32_t KernelAddrFold(Family svc_family, const IpAddr& addr) {
  const uint8_t* b = addr.bytes.data();
  if (svc_family != Family::kV6) return LoadBe32(b);
  // Xor of the words in network order, then ntohl: the same as xoring the
  // host-order values.
  return LoadBe32(b) ^ LoadBe32(b + 4) ^ LoadBe32(b + 8) ^ LoadBe32(b + 12);
}

uint32_t KernelHsiphashU32(uint32_t v, const wmh_hash_key& key) {
  // The kernel hashes the bytes of an unsigned int as stored on x86-64:
  // least significant byte first, whatever the simulator's host is.
  uint8_t bytes[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                      static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  return static_cast<uint32_t>(wmh_siphash13(&key, bytes, sizeof(bytes)));
}

int KernelFls(uint32_t x) { return x == 0 ? 0 : 32 - __builtin_clz(x); }

uint32_t KernelGcd(uint32_t a, uint32_t b) {
  while (b != 0) {
    uint32_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

}  // namespace ipvs_sim
