// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted rendezvous table population.
 *
 * Scores are integers so that the kernel needs no floating point and every
 * host computes the same bits: -log2(u) in 26-bit fixed point from a table
 * of log2 over the mantissa's top 11 bits, interpolated linearly over the
 * next 32 (absolute error below 2^-25, the same function for every
 * destination, so equal weights stay exactly fair). Rows are compared by
 * cross-multiplication, score_a * w_b < score_b * w_a, in 64 bits.
 *
 * The row hash is a SplitMix64 stream seeded by the destination's SipHash:
 * cheap per row (the build evaluates M * n of them) and, like SipHash's
 * output, indistinguishable from independent draws for a test of balance.
 */
#include "hrw_table.h"
#include "hrw_log2_table.h"

/* Domain separation from wmh's permutation and lookup hashes. */
#define HRW_DEST_TWEAK 0x68727720726f7773ULL /* "hrw rows" */
#define HRW_GOLDEN 0x9e3779b97f4a7c15ULL
#define HRW_SCORE_MAX 0xffffffffU

static __always_inline u64 hrw_mix(u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

u64 hrw_dest_hash(const struct wmh_hash_key *key,
		  const u8 dest_key[WMH_DEST_KEY_LEN])
{
	struct wmh_hash_key dkey = { key->k0, key->k1 ^ HRW_DEST_TWEAK };

	return wmh_siphash13(&dkey, dest_key, WMH_DEST_KEY_LEN);
}

u32 hrw_score(u64 dest_hash, u32 row)
{
	u64 x = hrw_mix(dest_hash + ((u64)row + 1) * HRW_GOLDEN);
	u64 t, lo, hi, frac, score;
	u32 k, rem;
	int msb;

	if (unlikely(!x))
		return HRW_SCORE_MAX;
	msb = wmh_fls64(x) - 1;
	t = x << (63 - msb); /* mantissa in [2^63, 2^64) */
	k = (u32)(t >> 52) & 2047;
	rem = (u32)(t >> 20);
	lo = hrw_log2_frac[k];
	hi = k == 2047 ? 1ULL << 32 : hrw_log2_frac[k + 1];
	frac = lo + (((hi - lo) * rem) >> 32);
	/* -log2(x / 2^64) = 64 - msb - log2(mantissa), in (0, 64] */
	score = ((((u64)(64 - msb)) << 32) - frac) >> 6;
	return score > HRW_SCORE_MAX ? HRW_SCORE_MAX : (u32)score;
}

/*
 * Destination a (score sa, weight wa, key rank ra) beats b for a row: the
 * lower score / weight, ties to the lower key. A weight of 0 never wins.
 */
static __always_inline bool hrw_beats(u32 sa, u32 wa, u32 ra, u32 sb, u32 wb,
				      u32 rb)
{
	u64 a = (u64)sa * wb, b = (u64)sb * wa;

	if (!wa)
		return false;
	if (!wb)
		return true;
	return a < b || (a == b && ra < rb);
}

/* What a build needs per destination, indexed by spec index. */
struct hrw_ctx {
	const struct wmh_dest_spec *dests;
	u32 n;
	u64 *hash;
	u32 *rank; /* position in key order */
};

static int hrw_ctx_init(struct hrw_ctx *c, const struct wmh_table *t,
			const struct wmh_dest_spec *dests, u32 n)
{
	u32 i;

	c->dests = dests;
	c->n = n;
	c->hash = wmh_alloc_array(n ? n : 1, sizeof(*c->hash));
	c->rank = wmh_alloc_array(n ? n : 1, sizeof(*c->rank));
	if (!c->hash || !c->rank) {
		wmh_free(c->rank);
		wmh_free(c->hash);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		c->hash[i] = hrw_dest_hash(&t->key, dests[i].key);
		c->rank[t->order[i]] = i;
	}
	return 0;
}

static void hrw_ctx_free(struct hrw_ctx *c)
{
	wmh_free(c->rank);
	wmh_free(c->hash);
}

/* The leader of a row so far: spec index, score, weight and key rank. */
struct hrw_best {
	u32 idx, score, weight, rank;
};

/* Destination @i competes for @row against the leader @b. */
static __always_inline void hrw_offer(struct hrw_best *b,
				      const struct hrw_ctx *c, u32 i, u32 row)
{
	u32 w = c->dests[i].weight, s;

	if (!w)
		return;
	s = hrw_score(c->hash[i], row);
	if (hrw_beats(s, w, c->rank[i], b->score, b->weight, b->rank)) {
		b->idx = i;
		b->score = s;
		b->weight = w;
		b->rank = c->rank[i];
	}
}

/* The winner of @row over every destination, or WMH_NO_DEST. */
static u32 hrw_rank_row(const struct hrw_ctx *c, u32 row)
{
	struct hrw_best b = { WMH_NO_DEST, 0, 0, 0 };
	u32 i;

	for (i = 0; i < c->n; i++)
		hrw_offer(&b, c, i, row);
	return b.idx;
}

/* Rows between two chances for the kernel to reschedule. */
#define HRW_RESCHED_ROWS 4096

/* How a destination of the new set differs from the old one. */
enum hrw_change {
	HRW_SAME,
	HRW_UP, /* added, or its weight raised */
	HRW_DOWN, /* its weight lowered */
};

/*
 * What a rebuild needs from the old set: @map sends each old spec index to
 * its new one (WMH_NO_DEST when removed), @change classifies each new
 * destination and @up lists the new ones of class HRW_UP. Both sets are
 * walked in key order, so this costs O(n) after the sorts.
 */
struct hrw_diff {
	u32 *map;
	u8 *change;
	u32 *up;
	u32 nup;
};

static int hrw_diff_init(struct hrw_diff *d, const struct wmh_table *old,
			 const struct wmh_dest_spec *old_dests,
			 const struct wmh_table *nt,
			 const struct wmh_dest_spec *dests)
{
	u32 i = 0, j = 0;

	d->map = wmh_alloc_array(old->ndests ? old->ndests : 1, sizeof(*d->map));
	d->change = wmh_alloc_array(nt->ndests ? nt->ndests : 1,
				    sizeof(*d->change));
	d->up = wmh_alloc_array(nt->ndests ? nt->ndests : 1, sizeof(*d->up));
	d->nup = 0;
	if (!d->map || !d->change || !d->up) {
		wmh_free(d->up);
		wmh_free(d->change);
		wmh_free(d->map);
		return -ENOMEM;
	}
	while (i < old->ndests || j < nt->ndests) {
		u32 oi = i < old->ndests ? old->order[i] : 0;
		u32 nj = j < nt->ndests ? nt->order[j] : 0;
		int cmp;

		if (i == old->ndests)
			cmp = 1;
		else if (j == nt->ndests)
			cmp = -1;
		else
			cmp = memcmp(old_dests[oi].key, dests[nj].key,
				     WMH_DEST_KEY_LEN);
		if (cmp < 0) { /* removed */
			d->map[oi] = WMH_NO_DEST;
			i++;
			continue;
		}
		if (cmp > 0) { /* added */
			d->change[nj] = HRW_UP;
		} else {
			d->map[oi] = nj;
			if (dests[nj].weight > old_dests[oi].weight)
				d->change[nj] = HRW_UP;
			else if (dests[nj].weight < old_dests[oi].weight)
				d->change[nj] = HRW_DOWN;
			else
				d->change[nj] = HRW_SAME;
			i++;
		}
		if (d->change[nj] == HRW_UP && dests[nj].weight)
			d->up[d->nup++] = nj;
		j++;
	}
	return 0;
}

static void hrw_diff_free(struct hrw_diff *d)
{
	wmh_free(d->up);
	wmh_free(d->change);
	wmh_free(d->map);
}

/*
 * The new winner of @row, whose old winner was @old_idx. A destination that
 * neither rose nor arrived cannot overtake a winner that did not fall, so
 * such a row is decided among its winner and the risers; any other row is
 * ranked again over every destination.
 */
static u32 hrw_rerank_row(const struct hrw_ctx *c, const struct hrw_diff *d,
			  u32 old_idx, u32 row)
{
	u32 owner = old_idx == WMH_NO_DEST ? WMH_NO_DEST : d->map[old_idx];
	struct hrw_best b = { WMH_NO_DEST, 0, 0, 0 };
	u32 k;

	if (owner == WMH_NO_DEST || d->change[owner] == HRW_DOWN)
		return hrw_rank_row(c, row);
	hrw_offer(&b, c, owner, row);
	for (k = 0; k < d->nup; k++)
		hrw_offer(&b, c, d->up[k], row);
	return b.idx;
}

/*
 * Every row of @t: ranked over all destinations, or, given the diff @d from
 * @old, decided as hrw_rerank_row() says.
 */
static void hrw_fill(struct wmh_table *t, const struct hrw_ctx *c,
		     const struct hrw_diff *d, const struct wmh_table *old)
{
	u32 r, idx;

	for (r = 0; r < t->size; r++) {
		idx = d ? hrw_rerank_row(c, d, wmh_table_slot(old, r), r)
			: hrw_rank_row(c, r);
		wmh_table_set_slot(t, r, idx);
		if (!(r % HRW_RESCHED_ROWS))
			wmh_cond_resched();
	}
}

int hrw_table_build(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n)
{
	struct wmh_table nt;
	struct hrw_ctx c;
	int ret;

	ret = wmh_table_alloc(&nt, size, key, dests, n);
	if (ret)
		return ret;
	ret = hrw_ctx_init(&c, &nt, dests, n);
	if (ret) {
		wmh_table_free(&nt);
		return ret;
	}
	hrw_fill(&nt, &c, NULL, NULL);
	hrw_ctx_free(&c);
	*t = nt;
	return 0;
}

int hrw_table_rebuild(struct wmh_table *t, const struct wmh_table *old,
		      const struct wmh_dest_spec *old_dests,
		      const struct wmh_dest_spec *dests, u32 n)
{
	struct wmh_table nt;
	struct hrw_diff d;
	struct hrw_ctx c;
	int ret;

	ret = wmh_table_alloc(&nt, old->size, &old->key, dests, n);
	if (ret)
		return ret;
	ret = hrw_ctx_init(&c, &nt, dests, n);
	if (ret)
		goto err_table;
	ret = hrw_diff_init(&d, old, old_dests, &nt, dests);
	if (ret)
		goto err_ctx;
	hrw_fill(&nt, &c, &d, old);
	hrw_diff_free(&d);
	hrw_ctx_free(&c);
	*t = nt;
	return 0;

err_ctx:
	hrw_ctx_free(&c);
err_table:
	wmh_table_free(&nt);
	return ret;
}
