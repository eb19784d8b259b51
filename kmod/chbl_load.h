/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load bound of chbl (consistent hashing with bounded loads), shared by
 * ip_vs_chbl.ko and userspace.
 *
 * chbl serves flows from a weighted Maglev table (wmh_table.h) and looks
 * them up as wmh does (wmh_lookup.h); what it adds is a bound on each
 * destination's connections. A destination is full for a new flow when its
 * connections, active plus inactive as IPVS counts them, would exceed its
 * weighted share of (1 + eps) times the service's connections with the
 * new flow counted:
 *
 *	full  <=>  conns >= ceil((1 + eps) * (total + 1) * w / W)
 *
 * where total and W are the connections and the weights of the
 * destinations that can take flows (not DOWN: weight > 0, still in the
 * service), w the destination's current weight. The capacities add up to
 * at least (1 + eps) * (total + 1) > total, so some destination is never
 * full: a full one only sends the flow on, along wmh_lookup()'s per-flow
 * order (probes, then key order), to the first that is not.
 *
 * eps is kept in thousandths (eps_milli): 250 is 0.25.
 */
#ifndef CHBL_LOAD_H
#define CHBL_LOAD_H

#include "wmh_lookup.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CHBL_EPS_DEFAULT 250U	    /* 0.25 */
#define CHBL_EPS_FLAG3_DEFAULT 100U /* 0.10, for services with -b flag-3 */
/* The same defaults as the module parameters' text (chbl_test checks). */
#define CHBL_EPS_DEFAULT_TEXT "0.25"
#define CHBL_EPS_FLAG3_DEFAULT_TEXT "0.1"
#define CHBL_EPS_MAX 10000U	    /* 10.0 */

/*
 * Service flag bit that selects the second bound (eps_flag3): ipvsadm
 * -b flag-3 (IP_VS_SVC_F_SCHED3).
 */
#define CHBL_SVC_F_EPS3 0x0020

/* The connections and weights of a service's destinations that count. */
struct chbl_load {
	u64 conns;
	u64 weight;
};

/*
 * Parse eps written as a decimal ("0.25", "1", ".5", "0.125": at most three
 * decimals) into thousandths. Returns 0, or -EINVAL when @text is not such
 * a number or exceeds CHBL_EPS_MAX; @milli is untouched on error.
 */
int chbl_eps_parse(const char *text, u32 *milli);

/* The bound a service uses: eps_flag3 with -b flag-3, else eps. */
static inline u32 chbl_eps_of(u32 svc_flags, u32 eps, u32 eps_flag3)
{
	return (svc_flags & CHBL_SVC_F_EPS3) ? eps_flag3 : eps;
}

/* Count a destination in @l unless @base (wmh_dest_state_of) is DOWN. */
static inline void chbl_load_add(struct chbl_load *l,
				 enum wmh_dest_state base, u64 conns,
				 u32 weight)
{
	if (base == WMH_DEST_DOWN)
		return;
	l->conns += conns;
	l->weight += weight;
}

/*
 * Whether a destination of @conns connections and current weight @weight
 * is full (the rule above) in a service of load @l, bound @eps_milli.
 */
bool chbl_full(u64 conns, u32 weight, const struct chbl_load *l,
	       u32 eps_milli);

/*
 * A destination's state for a new flow: FULL when @base is UP but the
 * bound says full; otherwise @base.
 */
static inline enum wmh_dest_state chbl_dest_state(enum wmh_dest_state base,
						  u64 conns, u32 weight,
						  const struct chbl_load *l,
						  u32 eps_milli)
{
	if (base == WMH_DEST_UP && chbl_full(conns, weight, l, eps_milli))
		return WMH_DEST_FULL;
	return base;
}

#ifdef __cplusplus
}
#endif

#endif /* CHBL_LOAD_H */
