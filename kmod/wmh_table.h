/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The weighted Maglev lookup table shared by ip_vs_wmh.ko and userspace.
 *
 * A table maps each of M slots (M prime) to one destination. It is a pure
 * function of the set of (key, weight) pairs and the hash key: the order in
 * which the caller lists destinations does not matter, so every director
 * that holds the same destinations builds the same table, byte for byte.
 *
 * Weights are exact: destination i owns T_i slots, where T_i is M * w_i / W
 * rounded by largest remainder (W is the sum of weights). No slot count is
 * more than one slot away from the ideal share.
 */
#ifndef WMH_TABLE_H
#define WMH_TABLE_H

#include "wmh_port.h"
#include "wmh_siphash.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Destination key: family (4 or 6), 16 address bytes, port (network order). */
#define WMH_DEST_KEY_LEN 19
#define WMH_AF_INET 4
#define WMH_AF_INET6 6

#define WMH_NO_DEST 0xffffffffU

/*
 * Slot width. A table of at most WMH_SLOT16_DESTS_MAX destinations stores
 * 16-bit slots (spec indices 0..65534, WMH_NO_DEST16 for none); a larger one
 * stores 32-bit slots. The width depends only on the number of destinations,
 * and either width holds the same assignment: it changes the memory a table
 * takes, never a decision.
 */
#define WMH_SLOT16_DESTS_MAX 65535U
#define WMH_NO_DEST16 0xffffU

#define WMH_TABLE_SIZE_MIN 3U
#define WMH_TABLE_SIZE_MAX 4194301U /* largest prime below 2^22 */
#define WMH_TABLE_SIZE_DEFAULT 65537U

struct wmh_dest_spec {
	u8 key[WMH_DEST_KEY_LEN];
	u32 weight; /* 0 gives the destination no slot */
};

/*
 * Slot s holds an index into the caller's spec array, or no destination when
 * the sum of weights is zero; read it with wmh_table_slot(). order[] lists
 * spec indices sorted by key; lookups use it as the last resort when probing
 * finds no available destination. A built table is immutable: readers need
 * no locking.
 */
struct wmh_table {
	u32 size;
	u32 ndests;
	struct wmh_hash_key key;
	bool wide; /* 32-bit slots: ndests > WMH_SLOT16_DESTS_MAX */
	union {
		u16 *slot16; /* !wide */
		u32 *slot32; /* wide */
	};
	u32 *order;
};

/* Bytes per slot of a table of @n destinations: 2, or 4 above 65535. */
static inline u32 wmh_slot_bytes(u32 n)
{
	return n > WMH_SLOT16_DESTS_MAX ? 4 : 2;
}

/* The spec index in slot @s, or WMH_NO_DEST. REQUIRES: s < t->size. */
static __always_inline u32 wmh_table_slot(const struct wmh_table *t, u32 s)
{
	u32 idx;

	if (unlikely(t->wide))
		return t->slot32[s];
	idx = t->slot16[s];
	return idx == WMH_NO_DEST16 ? WMH_NO_DEST : idx;
}

/* Fill @key with the family, address and port of a destination. */
void wmh_dest_key(u8 key[WMH_DEST_KEY_LEN], int family, const void *addr,
		  u16 port_be);

/*
 * Describe a destination for wmh_table_build(). Tables are built from the
 * last non-zero weight IPVS keeps, so that draining a destination (weight
 * 0) changes no slot; wmh_dest_state_of() stops its new flows instead.
 */
void wmh_dest_spec_init(struct wmh_dest_spec *spec, int family,
			const void *addr, u16 port_be, int last_weight);

/* True when @n is prime. */
bool wmh_is_prime(u32 n);

/*
 * Validate a table size: returns 0, or -EINVAL when @size is not a prime in
 * [WMH_TABLE_SIZE_MIN, WMH_TABLE_SIZE_MAX].
 */
int wmh_table_size_check(u32 size);

/*
 * Parse a hash key written as 32 hex digits (k0 then k1, most significant
 * digit first). Returns 0 or -EINVAL, leaving @key untouched on error.
 */
int wmh_hash_key_parse(const char *text, struct wmh_hash_key *key);

/* The key every director uses unless told otherwise. */
extern const struct wmh_hash_key wmh_default_hash_key;

/*
 * A fingerprint that tells whether two directors (or a director and a
 * tool) hold the same hash key, without showing the key: the low 32 bits
 * of SipHash-2-4 under @key of the fixed message WMH_KEY_FINGERPRINT_MSG.
 * SipHash is a pseudorandom function, so the fingerprint says nothing
 * about the key but whether a candidate key matches it.
 */
#define WMH_KEY_FINGERPRINT_MSG "ip_vs_wmh hash key fingerprint"
u32 wmh_hash_key_fingerprint(const struct wmh_hash_key *key);

/*
 * Build a table of @size slots for @n destinations into @t.
 *
 * Returns 0, -EINVAL for a bad size, -ENOSPC when there are more
 * destinations than slots, or -ENOMEM. On error @t is left untouched and
 * nothing stays allocated. On success release @t with wmh_table_free().
 * Allocates with the host allocator: in the kernel it may sleep.
 */
int wmh_table_build(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n);

void wmh_table_free(struct wmh_table *t);

/*
 * For builders of other table kinds that share this layout and its lookup
 * (hrw_table.c): allocate @t for @n destinations and @size slots, order[]
 * ranked by key, no slot written. Returns 0, -EINVAL for a bad size,
 * -ENOSPC when there are more destinations than slots, or -ENOMEM; on
 * error nothing stays allocated.
 */
int wmh_table_alloc(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n);

/* Store spec index @idx (or WMH_NO_DEST) in slot @s. */
static inline void wmh_table_set_slot(struct wmh_table *t, u32 s, u32 idx)
{
	if (t->wide)
		t->slot32[s] = idx;
	else
		t->slot16[s] = idx == WMH_NO_DEST ? WMH_NO_DEST16 : (u16)idx;
}

/* No destination in any slot (all weights zero). */
static inline void wmh_table_fill_none(struct wmh_table *t)
{
	/* All ones: WMH_NO_DEST16 or WMH_NO_DEST in every slot. */
	memset(t->slot32, 0xff, (size_t)wmh_slot_bytes(t->ndests) * t->size);
}

#ifdef __cplusplus
}
#endif

#endif /* WMH_TABLE_H */
