/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The weighted rendezvous (HRW) table shared by ip_vs_hrw.ko and userspace.
 *
 * Row r of M is owned by the destination of highest weighted rendezvous
 * score for r: destination i draws u_i(r), uniform in (0, 1) from a hash of
 * its key and r, and row r goes to the i that minimises -ln(u_i(r)) / w_i.
 * Those are exponential variables of rates w_i, so destination i wins a
 * row with probability exactly w_i / W. A change of one destination's
 * weight (or its arrival or departure) changes only the rows it wins or
 * loses: no flow moves between two destinations that did not change.
 *
 * The table has wmh's layout (struct wmh_table) so that the lookup, its
 * fallback for drained and overloaded destinations, the debugfs export and
 * ipvs-verify serve both. Like wmh's, it is a pure function of the set of
 * (key, weight) pairs and the hash key; ties go to the lower key.
 *
 * Unlike wmh's apportionment, row counts are random: destination i owns
 * Binomial(M, w_i / W) rows, a relative spread of about
 * sqrt(W / (M * w_i)). Balance therefore needs M large against the number
 * of destinations (Documentation/hrw.rst has the measurements).
 */
#ifndef HRW_TABLE_H
#define HRW_TABLE_H

#include "wmh_table.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HRW_TABLE_SIZE_DEFAULT 262139U /* prime below 2^18 */

/*
 * -log2(u) of destination hash @dest_hash at row @row, in 26-bit fixed
 * point (saturating at 2^32 - 1), u = hash / 2^64. The row's winner has
 * the least score / weight.
 */
u32 hrw_score(u64 dest_hash, u32 row);

/* The per-destination hash that hrw_score() takes, under @key. */
u64 hrw_dest_hash(const struct wmh_hash_key *key,
		  const u8 dest_key[WMH_DEST_KEY_LEN]);

/*
 * Build a table of @size rows for @n destinations into @t (release it with
 * wmh_table_free()). Returns 0, -EINVAL for a bad size, -ENOSPC when there
 * are more destinations than rows, or -ENOMEM; on error @t is untouched
 * and nothing stays allocated. Costs O(size * n) score evaluations.
 */
int hrw_table_build(struct wmh_table *t, u32 size,
		    const struct wmh_hash_key *key,
		    const struct wmh_dest_spec *dests, u32 n);

/*
 * Build into @t the table of @n @dests, of @old's size and hash key, from
 * @old, the table of @old_dests (old->ndests of them). The result is the
 * table hrw_table_build() would build, bit for bit; only the work differs.
 * A row whose winner kept or raised its weight is decided between that
 * winner and the destinations that arrived or rose: one score each. A row
 * whose winner left or fell is ranked again over all @n. So an add or a
 * raise costs O(size * risers), a remove or a cut O(size * share * n).
 * Errors as hrw_table_build(); @old is untouched either way.
 */
int hrw_table_rebuild(struct wmh_table *t, const struct wmh_table *old,
		      const struct wmh_dest_spec *old_dests,
		      const struct wmh_dest_spec *dests, u32 n);

#ifdef __cplusplus
}
#endif

#endif /* HRW_TABLE_H */
