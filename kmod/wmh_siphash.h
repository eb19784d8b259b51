/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SipHash (Aumasson and Bernstein), with the number of compression and
 * finalisation rounds as parameters. The scheduler uses SipHash-1-3, the
 * variant the kernel's hsiphash() computes on 64-bit machines, because it is
 * fast enough for every packet and keyed, so that clients cannot aim at one
 * backend without knowing the key. SipHash-2-4 is here for its published
 * test vectors, which pin down the shared round function.
 *
 * Everything is inline: the lookup path hashes at most 18 bytes.
 */
#ifndef WMH_SIPHASH_H
#define WMH_SIPHASH_H

#include "wmh_port.h"

struct wmh_hash_key {
	u64 k0;
	u64 k1;
};

#define WMH_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define WMH_SIPROUND(v0, v1, v2, v3)                 \
	do {                                         \
		v0 += v1;                            \
		v1 = WMH_ROTL64(v1, 13);             \
		v1 ^= v0;                            \
		v0 = WMH_ROTL64(v0, 32);             \
		v2 += v3;                            \
		v3 = WMH_ROTL64(v3, 16);             \
		v3 ^= v2;                            \
		v0 += v3;                            \
		v3 = WMH_ROTL64(v3, 21);             \
		v3 ^= v0;                            \
		v2 += v1;                            \
		v1 = WMH_ROTL64(v1, 17);             \
		v1 ^= v2;                            \
		v2 = WMH_ROTL64(v2, 32);             \
	} while (0)

static __always_inline u64 wmh_siphash_cd(const struct wmh_hash_key *key,
					  const u8 *data, u32 len,
					  int crounds, int drounds)
{
	u64 v0 = 0x736f6d6570736575ULL ^ key->k0;
	u64 v1 = 0x646f72616e646f6dULL ^ key->k1;
	u64 v2 = 0x6c7967656e657261ULL ^ key->k0;
	u64 v3 = 0x7465646279746573ULL ^ key->k1;
	u64 b = ((u64)len) << 56;
	u32 left = len & 7;
	const u8 *end = data + len - left;
	int i;

	for (; data != end; data += 8) {
		u64 m = wmh_load_le64(data);

		v3 ^= m;
		for (i = 0; i < crounds; i++)
			WMH_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (i = left - 1; i >= 0; i--)
		b |= ((u64)data[i]) << (8 * i);

	v3 ^= b;
	for (i = 0; i < crounds; i++)
		WMH_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < drounds; i++)
		WMH_SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1) ^ (v2 ^ v3);
}

/* SipHash-1-3, 64-bit output. Its low 32 bits equal the kernel's hsiphash(). */
static __always_inline u64 wmh_siphash13(const struct wmh_hash_key *key,
					 const void *data, u32 len)
{
	return wmh_siphash_cd(key, (const u8 *)data, len, 1, 3);
}

/* SipHash-2-4, 64-bit output, as published. */
static inline u64 wmh_siphash24(const struct wmh_hash_key *key,
				const void *data, u32 len)
{
	return wmh_siphash_cd(key, (const u8 *)data, len, 2, 4);
}

#endif /* WMH_SIPHASH_H */
