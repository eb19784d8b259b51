// SPDX-License-Identifier: GPL-2.0
/*
 * Fallback for flows whose hashed destination cannot take them; see
 * wmh_lookup.h for the rules every director follows.
 */
#include "wmh_lookup.h"

static u32 wmh_find(const struct wmh_table *t, const u8 *msg, u32 len, u64 h,
		    wmh_dest_state_fn state, const void *ctx,
		    enum wmh_dest_state worst)
{
	u32 idx, i, start;

	idx = wmh_table_slot(t, wmh_reduce(h, t->size));
	if (state(ctx, idx) <= worst)
		return idx;
	for (i = 1; i <= WMH_PROBES; i++) {
		struct wmh_hash_key k = { t->key.k0 ^ i, t->key.k1 };

		idx = wmh_table_slot(t, wmh_reduce(wmh_siphash13(&k, msg, len),
						   t->size));
		if (state(ctx, idx) <= worst)
			return idx;
	}
	start = (u32)(h >> 32) % t->ndests;
	for (i = 0; i < t->ndests; i++) {
		idx = t->order[(start + i) % t->ndests];
		if (state(ctx, idx) <= worst)
			return idx;
	}
	return WMH_NO_DEST;
}

u32 wmh_lookup_fallback(const struct wmh_table *t, const u8 *msg, u32 len,
			u64 h, wmh_dest_state_fn state, const void *ctx,
			bool overflow)
{
	u32 idx = wmh_find(t, msg, len, h, state, ctx, WMH_DEST_UP);

	if (idx == WMH_NO_DEST)
		idx = wmh_find(t, msg, len, h, state, ctx, WMH_DEST_FULL);
	if (idx == WMH_NO_DEST && overflow)
		idx = wmh_find(t, msg, len, h, state, ctx,
			       WMH_DEST_OVERLOADED);
	return idx;
}
