// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted Maglev table population.
 *
 * Classic Maglev lets destinations take turns claiming their next preferred
 * slot. Two changes make it exact and order independent:
 *
 * - Turns follow slot targets. Destination i gets exactly T_i turns (its
 *   largest-remainder share of M), spread evenly over R = max T_i rounds:
 *   its k-th turn is in round (2k + 1) R / (2 T_i), so it has at most one
 *   turn per round. Each round keeps a FIFO list of the destinations whose
 *   next turn falls in it, so a build costs O(M + R) whatever the weights.
 * - Destinations are ranked by their key, never by the caller's list order:
 *   round 0's list starts in key order, and every later list is filled in
 *   the order earlier rounds ran, so the whole build depends only on the set
 *   of destinations.
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

void wmh_dest_spec_init(struct wmh_dest_spec *spec, int family,
			const void *addr, u16 port_be, int last_weight)
{
	wmh_dest_key(spec->key, family, addr, port_be);
	spec->weight = last_weight > 0 ? (u32)last_weight : 0;
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

u32 wmh_hash_key_fingerprint(const struct wmh_hash_key *key)
{
	static const char msg[] = WMH_KEY_FINGERPRINT_MSG;

	return (u32)wmh_siphash24(key, msg, sizeof(msg) - 1);
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
 * Turn k of a destination with t turns falls in round (2k + 1) * rounds / 2t.
 * Walk those rounds with one division up front and additions after.
 */
struct wmh_turn_walk {
	u32 round, rem, step, step_rem, den;
};

/* Per-destination build state, kept together for locality. */
struct wmh_builder {
	struct wmh_turn_walk walk;
	u32 turns_left;
	u32 pos;  /* next slot of its Maglev permutation to try */
	u32 skip;
	u32 next; /* next destination in the same round's list */
};

#define WMH_LIST_END 0xffffffffU

static void wmh_turn_walk_init(struct wmh_turn_walk *w, u32 rounds, u32 t)
{
	w->den = 2 * t;
	w->round = rounds / w->den;
	w->rem = rounds % w->den;
	w->step = (u32)((2 * (u64)rounds) / w->den);
	w->step_rem = (u32)((2 * (u64)rounds) % w->den);
}

static void wmh_turn_walk_next(struct wmh_turn_walk *w)
{
	w->round += w->step;
	w->rem += w->step_rem;
	if (w->rem >= w->den) {
		w->rem -= w->den;
		w->round++;
	}
}

static void wmh_round_append(u32 *head, u32 *tail, struct wmh_builder *b,
			     u32 i)
{
	u32 r = b[i].walk.round;

	b[i].next = WMH_LIST_END;
	if (head[r] == WMH_LIST_END)
		head[r] = i;
	else
		b[tail[r]].next = i;
	tail[r] = i;
}

/*
 * Fill every slot of @t (size, width and slot array set). @head and @tail
 * hold @rounds entries each, @b one per destination. Probing tests a byte
 * map rather than the slot array: fewer instructions per probe than a
 * bitmap, and at most half the slot array's cache footprint. Turns add up to
 * @size and each permutation visits every slot, so every probe loop ends.
 */
static void wmh_populate(struct wmh_table *t, u8 *taken, u32 size, u32 rounds,
			 u32 *head, u32 *tail, struct wmh_builder *b,
			 const struct wmh_hash_key *key,
			 const struct wmh_dest_spec *dests, const u32 *order,
			 const u32 *target, u32 n)
{
	struct wmh_hash_key pkey = { key->k0, key->k1 ^ WMH_PERM_TWEAK };
	u32 r, i;

	/* Builders are indexed by key rank, so equal weights walk b[] in order. */
	memset(head, 0xff, sizeof(*head) * (size_t)rounds);
	for (r = 0; r < n; r++) {
		u64 h;

		i = order[r];
		if (!target[i])
			continue;
		h = wmh_siphash13(&pkey, dests[i].key, WMH_DEST_KEY_LEN);
		b[r].pos = (u32)h % size;
		b[r].skip = (u32)(h >> 32) % (size - 1) + 1;
		b[r].turns_left = target[i];
		wmh_turn_walk_init(&b[r].walk, rounds, target[i]);
		wmh_round_append(head, tail, b, r);
	}

	for (r = 0; r < rounds; r++) {
		for (i = head[r]; i != WMH_LIST_END;) {
			struct wmh_builder *d = &b[i];
			u32 pos = d->pos, next = d->next, skip = d->skip;

			while (taken[pos]) {
				/* pos + skip < 2 * size: one conditional subtract */
				pos += skip;
				pos -= pos >= size ? size : 0;
			}
			taken[pos] = 1;
			if (t->wide)
				t->slot32[pos] = order[i];
			else
				t->slot16[pos] = (u16)order[i];
			d->pos = pos;
			if (--d->turns_left) {
				wmh_turn_walk_next(&d->walk);
				wmh_round_append(head, tail, b, i);
			}
			i = next;
		}
	}
}

/*
 * Fill @t's slots for the destinations of nonzero weight sum @wsum (ranked
 * in @order): the temporaries live only here, allocated and freed together.
 */
static int wmh_fill_weighted(struct wmh_table *t,
			     const struct wmh_hash_key *key,
			     const struct wmh_dest_spec *dests,
			     const u32 *order, u32 n, u64 wsum)
{
	u32 *target, *head = NULL, *tail = NULL;
	struct wmh_builder *b = NULL;
	u8 *taken = NULL;
	u32 i, rounds = 0;
	int ret = -ENOMEM;

	target = wmh_calloc(n, sizeof(*target));
	if (!target)
		return ret;
	ret = wmh_apportion(target, t->size, order, dests, n, wsum);
	if (ret)
		goto out;
	for (i = 0; i < n; i++)
		if (target[i] > rounds)
			rounds = target[i];

	ret = -ENOMEM;
	b = wmh_alloc_array(n, sizeof(*b));
	head = wmh_alloc_array(rounds, sizeof(*head));
	tail = wmh_alloc_array(rounds, sizeof(*tail));
	taken = wmh_calloc(t->size, sizeof(*taken));
	if (!b || !head || !tail || !taken)
		goto out;
	wmh_populate(t, taken, t->size, rounds, head, tail, b, key, dests,
		     order, target, n);
	ret = 0;
out:
	wmh_free(taken);
	wmh_free(tail);
	wmh_free(head);
	wmh_free(b);
	wmh_free(target);
	return ret;
}

int wmh_table_alloc(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n)
{
	struct wmh_table nt;
	u32 *order;
	void *slot;
	int ret;

	ret = wmh_table_size_check(size);
	if (ret)
		return ret;
	if (n > size)
		return -ENOSPC;

	ret = -ENOMEM;
	/*
	 * The slot array lives as long as the service, so it is allocated to
	 * fit (wmh_alloc_table). Builders write every slot: no need to zero.
	 */
	slot = wmh_alloc_table(size, wmh_slot_bytes(n));
	if (!slot)
		return ret;
	nt.size = size;
	nt.ndests = n;
	nt.key = *key;
	nt.wide = wmh_slot_bytes(n) == 4;
	if (nt.wide)
		nt.slot32 = slot;
	else
		nt.slot16 = slot;
	order = wmh_calloc(n ? n : 1, sizeof(*order));
	if (!order)
		goto err_slot;
	ret = wmh_rank_dests(order, dests, n);
	if (ret)
		goto err_order;
	nt.order = order;
	*t = nt;
	return 0;

err_order:
	wmh_free(order);
err_slot:
	wmh_free(slot);
	return ret;
}

int wmh_table_build(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n)
{
	struct wmh_table nt;
	u64 wsum = 0;
	u32 i;
	int ret;

	ret = wmh_table_alloc(&nt, size, key, dests, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		wsum += dests[i].weight;
	if (wsum) {
		ret = wmh_fill_weighted(&nt, key, dests, nt.order, n, wsum);
		if (ret) {
			wmh_table_free(&nt);
			return ret;
		}
	} else {
		wmh_table_fill_none(&nt);
	}
	*t = nt;
	return 0;
}

void wmh_table_free(struct wmh_table *t)
{
	wmh_free(t->slot32); /* either member: the same pointer */
	wmh_free(t->order);
	t->slot32 = NULL;
	t->order = NULL;
	t->size = 0;
	t->ndests = 0;
	t->wide = false;
}
