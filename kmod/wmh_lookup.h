/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow lookup in a weighted Maglev table, with deterministic fallback.
 *
 * The flow key is the client address, followed by the client port when port
 * hashing is on. Address and port are separate fields of the hashed message
 * (never added together), and the message length tells IPv4 from IPv6.
 *
 * A destination the caller reports as not UP gets no new flows. Its flows are
 * redirected without touching any other flow: probe i (1..WMH_PROBES) rehashes
 * the same message with key k0 ^ i and takes the slot it lands on; if every
 * probe lands on an unavailable destination, destinations are scanned in key
 * order from a hash-chosen start. All of it depends only on the table and the
 * flow, so every director redirects a drained destination's flows alike.
 *
 * A FULL destination (chbl's load bound, chbl_load.h) is passed over in
 * the same way; a flow that finds no UP destination anywhere goes to the
 * first FULL one met in the same order. With @overflow set, a flow that
 * finds neither may go to an OVERLOADED one (the first met in the same
 * order) instead of getting none: connection thresholds become soft limits
 * when the whole service is full.
 */
#ifndef WMH_LOOKUP_H
#define WMH_LOOKUP_H

#include "wmh_table.h"

#ifdef __cplusplus
extern "C" {
#endif

enum wmh_dest_state {
	WMH_DEST_UP = 0,
	WMH_DEST_FULL = 1,	 /* chbl only: at its load bound (chbl_load.h) */
	WMH_DEST_OVERLOADED = 2, /* weight > 0 but over its upper threshold */
	WMH_DEST_DOWN = 3,	 /* weight 0, or removed from the service */
};

/*
 * Service flag bits wmh reads from svc->flags: the bits in-tree mh uses
 * (IP_VS_SVC_F_SCHED1/2, ipvsadm -b flag-1/flag-2).
 */
#define WMH_SVC_F_OVERFLOW 0x0008
#define WMH_SVC_F_PORT 0x0010

/*
 * The names the scheduler may register under (module parameter sched_name):
 * its own, or that of the in-tree scheduler it stands in for. Under mh and
 * sh, ipvsadm's mh-/sh-fallback and mh-/sh-port are the two bits above.
 * WMH_SCHED_NAMES initialises an array of WMH_SCHED_NAME_COUNT names, own
 * name first.
 */
#define WMH_SCHED_NAMES { "wmh", "mh", "sh" }
#define WMH_SCHED_NAME_COUNT 3

/* Index of @name in WMH_SCHED_NAMES, or -1 if wmh cannot take that name. */
static inline int wmh_sched_name_index(const char *name)
{
	static const char *const names[WMH_SCHED_NAME_COUNT] = WMH_SCHED_NAMES;
	int i;

	for (i = 0; i < WMH_SCHED_NAME_COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/*
 * Whether a flow's client port is hashed: with -b flag-2 or the port_hash
 * default, and only for protocols that have ports (TCP, UDP, SCTP).
 */
static inline bool wmh_hash_port(u32 svc_flags, bool port_hash, u8 protocol)
{
	if (!(svc_flags & WMH_SVC_F_PORT) && !port_hash)
		return false;
	return protocol == 6 || protocol == 17 || protocol == 132;
}

/* Whether a full service may use overloaded destinations (-b flag-1). */
static inline bool wmh_overflow(u32 svc_flags, bool overflow)
{
	return (svc_flags & WMH_SVC_F_OVERFLOW) || overflow;
}

/*
 * A destination's state from what the host knows of it: drained (weight 0)
 * or removed is DOWN, over its upper threshold is OVERLOADED.
 */
static inline enum wmh_dest_state wmh_dest_state_of(int weight, bool available,
						    bool overloaded)
{
	if (weight <= 0 || !available)
		return WMH_DEST_DOWN;
	return overloaded ? WMH_DEST_OVERLOADED : WMH_DEST_UP;
}

/* Reports the current state of destination @index (a spec index). */
typedef enum wmh_dest_state (*wmh_dest_state_fn)(const void *ctx, u32 index);

#define WMH_PROBES 32
#define WMH_FLOW_MSG_MAX 18

/*
 * Write the hashed message for a flow into @msg (WMH_FLOW_MSG_MAX bytes) and
 * return its length. @addr holds 4 or 16 bytes; @port_be is in network order.
 */
static inline u32 wmh_flow_msg(u8 *msg, int family, const void *addr,
			       bool with_port, u16 port_be)
{
	u32 alen = family == WMH_AF_INET6 ? 16 : 4;

	memcpy(msg, addr, alen);
	if (!with_port)
		return alen;
	memcpy(msg + alen, &port_be, 2);
	return alen + 2;
}

/* Map a 32-bit hash onto [0, size) without a division. */
static __always_inline u32 wmh_reduce(u64 h, u32 size)
{
	return (u32)(((h & 0xffffffffULL) * size) >> 32);
}

/* Slow path of wmh_lookup(): the hashed slot's destination is not UP. */
u32 wmh_lookup_fallback(const struct wmh_table *t, const u8 *msg, u32 len,
			u64 h, wmh_dest_state_fn state, const void *ctx,
			bool overflow);

/*
 * Return the spec index of the destination for a new flow, or WMH_NO_DEST
 * when no destination may take it. Safe under RCU: reads only @t.
 */
static __always_inline u32 wmh_lookup(const struct wmh_table *t,
				      const u8 *msg, u32 len,
				      wmh_dest_state_fn state,
				      const void *ctx, bool overflow)
{
	u64 h = wmh_siphash13(&t->key, msg, len);
	u32 idx = wmh_table_slot(t, wmh_reduce(h, t->size));

	if (unlikely(idx == WMH_NO_DEST))
		return WMH_NO_DEST;
	if (likely(state(ctx, idx) == WMH_DEST_UP))
		return idx;
	return wmh_lookup_fallback(t, msg, len, h, state, ctx, overflow);
}

/* The slot a flow hashes to before any fallback (for tools and tests). */
static inline u32 wmh_lookup_slot(const struct wmh_table *t, const u8 *msg,
				  u32 len)
{
	return wmh_reduce(wmh_siphash13(&t->key, msg, len), t->size);
}

#ifdef __cplusplus
}
#endif

#endif /* WMH_LOOKUP_H */
