// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted Maglev table population.
 *
 * Classic Maglev lets destinations take turns claiming their next preferred
 * slot. Two changes make it exact and order independent:
 *
 * - Turns follow slot targets. Destination i gets exactly T_i turns (its
 *   largest-remainder share of M), spread evenly over the build: its k-th
 *   turn happens at time (2k + 1) / (2 T_i). Turns are sorted by that time
 *   with a counting sort into M buckets, so building stays O(M) whatever the
 *   weights are; turns in one bucket go in key order.
 * - Destinations are ranked by their key, never by the caller's list order.
 */
#include "wmh_table.h"

/* Domain separation between the permutation hash and the lookup hashes. */
#define WMH_PERM_TWEAK 0x9e3779b97f4a7c15ULL

struct wmh_sort_entry {
	u8 key[WMH_DEST_KEY_LEN];
	u32 index;
};

struct wmh_remainder {
	u64 rem;
	u32 rank;
};

struct wmh_perm {
	u32 pos;
	u32 skip;
};

const struct wmh_hash_key wmh_default_hash_key = {
	.k0 = 0x6970767373636865ULL, /* "ipvssche" */
	.k1 = 0x64776d68204d4756ULL, /* "dwmh MGV" */
};

void wmh_dest_key(u8 key[WMH_DEST_KEY_LEN], int family, const void *addr,
		  u16 port_be)
{
	memset(key, 0, WMH_DEST_KEY_LEN);
	key[0] = (u8)family;
	memcpy(key + 1, addr, family == WMH_AF_INET6 ? 16 : 4);
	memcpy(key + 17, &port_be, 2);
}

bool wmh_is_prime(u32 n)
{
	u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; (u64)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

int wmh_table_size_check(u32 size)
{
	if (size < WMH_TABLE_SIZE_MIN || size > WMH_TABLE_SIZE_MAX ||
	    !wmh_is_prime(size))
		return -EINVAL;
	return 0;
}

static int wmh_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int wmh_hash_key_parse(const char *text, struct wmh_hash_key *key)
{
	u64 half[2] = { 0, 0 };
	int i, d;

	for (i = 0; i < 32; i++) {
		d = wmh_hex_digit(text[i]);
		if (d < 0)
			return -EINVAL;
		half[i / 16] = (half[i / 16] << 4) | (u64)d;
	}
	/* Accept one trailing newline, as sysfs writes often carry one. */
	if (text[32] != '\0' && !(text[32] == '\n' && text[33] == '\0'))
		return -EINVAL;
	key->k0 = half[0];
	key->k1 = half[1];
	return 0;
}

static int wmh_sort_entry_cmp(const void *a, const void *b)
{
	const struct wmh_sort_entry *x = a, *y = b;
	int c = memcmp(x->key, y->key, WMH_DEST_KEY_LEN);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Larger remainder first; equal remainders in key rank order. */
static int wmh_remainder_cmp(const void *a, const void *b)
{
	const struct wmh_remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int wmh_rank_dests(u32 *order, const struct wmh_dest_spec *dests,
			  u32 n)
{
	struct wmh_sort_entry *e;
	u32 i;

	if (!n)
		return 0;
	e = wmh_calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memcpy(e[i].key, dests[i].key, WMH_DEST_KEY_LEN);
		e[i].index = i;
	}
	wmh_sort(e, n, sizeof(*e), wmh_sort_entry_cmp);
	for (i = 0; i < n; i++)
		order[i] = e[i].index;
	wmh_free(e);
	return 0;
}

/* Largest-remainder apportionment of @size slots; target[] is by spec index. */
static int wmh_apportion(u32 *target, u32 size, const u32 *order,
			 const struct wmh_dest_spec *dests, u32 n, u64 wsum)
{
	struct wmh_remainder *r;
	u64 assigned = 0;
	u32 i, extra;

	r = wmh_calloc(n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u64 prod = (u64)size * dests[order[i]].weight;

		target[order[i]] = (u32)(prod / wsum);
		assigned += target[order[i]];
		r[i].rem = prod % wsum;
		r[i].rank = i;
	}
	extra = size - (u32)assigned; /* < n, and every one has rem > 0 */
	if (extra) {
		wmh_sort(r, n, sizeof(*r), wmh_remainder_cmp);
		for (i = 0; i < extra; i++)
			target[order[r[i].rank]]++;
	}
	wmh_free(r);
	return 0;
}

/*
 * Turn k of a destination with t turns falls in bucket (2k + 1) * size / 2t.
 * Walk those buckets for one destination with one division up front and
 * additions after, because a division per turn would dominate the build.
 */
struct wmh_turn_walk {
	u32 bucket, rem, step, step_rem, den;
};

static void wmh_turn_walk_init(struct wmh_turn_walk *w, u32 size, u32 t)
{
	w->den = 2 * t;
	w->bucket = size / w->den;
	w->rem = size % w->den;
	w->step = (u32)((2 * (u64)size) / w->den);
	w->step_rem = (u32)((2 * (u64)size) % w->den);
}

static void wmh_turn_walk_next(struct wmh_turn_walk *w)
{
	w->bucket += w->step;
	w->rem += w->step_rem;
	if (w->rem >= w->den) {
		w->rem -= w->den;
		w->bucket++;
	}
}

/* Order all turns by time with a counting sort; events[] gets spec indices. */
static void wmh_schedule_turns(u32 *events, u32 *bucket, u32 size,
			       const u32 *order, const u32 *target, u32 n)
{
	struct wmh_turn_walk w;
	u32 r, k, b, sum = 0;

	memset(bucket, 0, sizeof(*bucket) * ((size_t)size + 1));
	for (r = 0; r < n; r++) {
		u32 t = target[order[r]];

		if (!t)
			continue;
		wmh_turn_walk_init(&w, size, t);
		for (k = 0; k < t; k++, wmh_turn_walk_next(&w))
			bucket[w.bucket]++;
	}
	for (b = 0; b <= size; b++) {
		u32 c = bucket[b];

		bucket[b] = sum;
		sum += c;
	}
	for (r = 0; r < n; r++) {
		u32 i = order[r], t = target[i];

		if (!t)
			continue;
		wmh_turn_walk_init(&w, size, t);
		for (k = 0; k < t; k++, wmh_turn_walk_next(&w))
			events[bucket[w.bucket]++] = i;
	}
}

static void wmh_populate(u32 *slot, u64 *taken, u32 size,
			 const struct wmh_hash_key *key,
			 const struct wmh_dest_spec *dests, u32 n,
			 struct wmh_perm *perm, const u32 *events)
{
	struct wmh_hash_key pkey = { key->k0, key->k1 ^ WMH_PERM_TWEAK };
	u32 i, e;

	for (i = 0; i < n; i++) {
		u64 h = wmh_siphash13(&pkey, dests[i].key, WMH_DEST_KEY_LEN);

		perm[i].pos = (u32)h % size;
		perm[i].skip = (u32)(h >> 32) % (size - 1) + 1;
	}
	/*
	 * Probing tests a bitmap (8 KiB for 65537 slots, L1-resident) rather
	 * than the slot array. Turns equal slots, and each permutation visits
	 * every slot: the loop always ends.
	 */
	for (e = 0; e < size; e++) {
		struct wmh_perm *p = &perm[events[e]];
		u32 pos = p->pos;

		while (taken[pos / 64] & (1ULL << (pos % 64))) {
			pos += p->skip;
			if (pos >= size)
				pos -= size;
		}
		taken[pos / 64] |= 1ULL << (pos % 64);
		slot[pos] = events[e];
		p->pos = pos;
	}
}

int wmh_table_build(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n)
{
	u32 *slot, *order, *target = NULL, *bucket = NULL, *events = NULL;
	u64 *taken = NULL;
	struct wmh_perm *perm = NULL;
	u64 wsum = 0;
	u32 i;
	int ret;

	ret = wmh_table_size_check(size);
	if (ret)
		return ret;
	if (n > size)
		return -ENOSPC;

	ret = -ENOMEM;
	slot = wmh_calloc(size, sizeof(*slot));
	if (!slot)
		return ret;
	order = wmh_calloc(n ? n : 1, sizeof(*order));
	if (!order)
		goto err_slot;
	ret = wmh_rank_dests(order, dests, n);
	if (ret)
		goto err_order;

	for (i = 0; i < n; i++)
		wsum += dests[i].weight;
	if (!wsum) {
		memset(slot, 0xff, sizeof(*slot) * (size_t)size);
		goto done;
	}

	ret = -ENOMEM;
	target = wmh_calloc(n, sizeof(*target));
	perm = wmh_calloc(n, sizeof(*perm));
	bucket = wmh_calloc((size_t)size + 1, sizeof(*bucket));
	events = wmh_calloc(size, sizeof(*events));
	taken = wmh_calloc(size / 64 + 1, sizeof(*taken));
	if (!target || !perm || !bucket || !events || !taken)
		goto err_tmp;
	ret = wmh_apportion(target, size, order, dests, n, wsum);
	if (ret)
		goto err_tmp;
	wmh_schedule_turns(events, bucket, size, order, target, n);
	wmh_populate(slot, taken, size, key, dests, n, perm, events);
	wmh_free(taken);
	wmh_free(events);
	wmh_free(bucket);
	wmh_free(perm);
	wmh_free(target);
done:
	t->size = size;
	t->ndests = n;
	t->key = *key;
	t->slot = slot;
	t->order = order;
	return 0;

err_tmp:
	wmh_free(taken);
	wmh_free(events);
	wmh_free(bucket);
	wmh_free(perm);
	wmh_free(target);
err_order:
	wmh_free(order);
err_slot:
	wmh_free(slot);
	return ret;
}

void wmh_table_free(struct wmh_table *t)
{
	wmh_free(t->slot);
	wmh_free(t->order);
	t->slot = NULL;
	t->order = NULL;
	t->size = 0;
	t->ndests = 0;
}
