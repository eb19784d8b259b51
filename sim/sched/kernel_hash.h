// SPDX-License-Identifier: GPL-2.0
// The small hash helpers the kernel's hashing schedulers (mh, sh, dh, lblc,
// lblcr) are built from, written for x86-64 Linux 6.1/6.12. Pure functions,
// thread-safe.
#ifndef IPVS_SCHED_SIM_KERNEL_HASH_H_
#define IPVS_SCHED_SIM_KERNEL_HASH_H_

#include <cstdint>

#include "net.h"
#include "wmh_siphash.h"

namespace ipvs_sim {

// include/linux/hash.h: hash_32() with the generic multiplier (x86 has no
// arch override). REQUIRES: 1 <= bits <= 32.
uint32_t KernelHash32(uint32_t val, unsigned bits);

// The address folding shared by mh, sh, dh, lblc and lblcr: the first 32-bit
// word of the address for an AF_INET service, the xor of the four 32-bit
// words for AF_INET6, returned in host order (the kernel's ntohl(addr_fold)).
// The family is the service's, not the address's own (the kernel passes
// svc->af); IpAddr keeps unused bytes zero, so a v4 address folded as v6 is
// its own value.
uint32_t KernelAddrFold(Family svc_family, const IpAddr& addr);

// hsiphash(&v, sizeof(v), key) on a 64-bit little-endian kernel: SipHash-1-3
// over the four bytes of v in memory order, truncated to 32 bits. The key
// words are the two unsigned longs of hsiphash_key_t.
uint32_t KernelHsiphashU32(uint32_t v, const wmh_hash_key& key);

// fls(): position of the most significant set bit, 1-based; 0 for 0.
int KernelFls(uint32_t x);

// The kernel's gcd() for positive arguments.
uint32_t KernelGcd(uint32_t a, uint32_t b);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_KERNEL_HASH_H_
