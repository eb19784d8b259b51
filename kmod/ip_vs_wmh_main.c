// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS wmh: weighted Maglev hashing scheduler, hrw: weighted rendezvous
 * hashing, and chbl: consistent hashing with bounded loads. This glue is
 * compiled into the three modules (wmh_kind.h); only the table builder, the
 * load bound, the names and the default table size differ. hrw rebuilds
 * incrementally from the table it replaces (hrw_table.h); chbl serves wmh's
 * tables but passes a new flow over a destination at its load bound
 * (chbl_load.h), along the same per-flow order as the fallback below.
 * Neither has a drop-in name.
 *
 * Like the in-tree mh, but with exact weights, tables that do not depend on
 * the order destinations were added, a table size and hash key chosen at
 * load time, separate hashing of address and port, fallback that never moves
 * another destination's flows, and tables rebuilt off the packet path and
 * published with RCU. The table logic lives in wmh_table.c/wmh_lookup.c and
 * is shared, unchanged, with the userspace simulator.
 *
 * Each service's table is exported read-only in debugfs (wmh_debugfs.c).
 *
 * Flags (ipvsadm -b): flag-1 lets a full service overflow onto overloaded
 * destinations; flag-2 hashes the client port too. The port_hash and
 * overflow module parameters turn these on for every service.
 *
 * Drop-in (sched_name=mh or sh): the scheduler registers under the in-tree
 * scheduler's name, so that ipvsadm -s mh, keepalived, kube-router and
 * kube-proxy select wmh without knowing it. Nothing else changes: ipvsadm
 * turns mh-fallback and sh-fallback into IP_VS_SVC_F_SCHED1 and mh-port and
 * sh-port into IP_VS_SVC_F_SCHED2, the same bits as flag-1 and flag-2, and
 * the kernel passes svc->flags through without looking at the scheduler's
 * name, so wmh_schedule() reads them as it does under its own name. The
 * tables stay wmh's (exact weights, independent of list order): decisions
 * differ from in-tree mh and sh on the same flows.
 */
#include "wmh_kind.h"

#define KMSG_COMPONENT "IPVS"
#define pr_fmt(fmt) KMSG_COMPONENT ": " WMH_KIND ": " fmt

#include <linux/atomic.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <net/ip_vs.h>

#include "chbl_load.h"
#include "wmh_debugfs.h"
#include "wmh_lookup.h"
#include "wmh_svc.h"

#define WMH_VERSION "0.1.0"


/*
 * The names the scheduler may register under. ip_vs_scheduler.name must stay
 * valid while registered, so it points here, never at the parameter string.
 */
#ifndef WMH_KIND_DROPIN
static char wmh_names[1][5] = { WMH_KIND };
static char *sched_name = wmh_names[0];

static int wmh_sched_name_choice(void)
{
	return 0;
}
#else
static char wmh_names[WMH_SCHED_NAME_COUNT][4] = WMH_SCHED_NAMES;

static char *sched_name = wmh_names[0];
module_param(sched_name, charp, 0444);
MODULE_PARM_DESC(sched_name,
		 "Register as wmh, or as mh or sh to serve ipvsadm -s mh/sh in place of ip_vs_mh/ip_vs_sh (default wmh)");

/* The index of sched_name in wmh_names[], or -1 when refused. */
static int wmh_sched_name_choice(void)
{
	return sched_name ? wmh_sched_name_index(sched_name) : -1;
}
#endif

static unsigned int table_size = WMH_KIND_TABLE_SIZE_DEFAULT;
module_param(table_size, uint, 0444);
MODULE_PARM_DESC(table_size,
		 "Slots per service table, a prime in [3, 4194301] (default " WMH_KIND_TABLE_SIZE_TEXT ")");

/* Root-only: the key exists to stop clients from aiming at one server. */
static char *hash_key;
module_param(hash_key, charp, 0400);
MODULE_PARM_DESC(hash_key,
		 "Hash key as 32 hex digits; every director of a VIP must use the same (default: built in)");

static bool port_hash;
module_param(port_hash, bool, 0444);
MODULE_PARM_DESC(port_hash,
		 "Hash the client port for every service, as if -b flag-2 were set (default 0)");

static bool overflow;
module_param(overflow, bool, 0444);
MODULE_PARM_DESC(overflow,
		 "Let full services use overloaded servers, as if -b flag-1 were set (default 0)");

#ifdef WMH_KIND_CHBL
/* The load bounds as written, and in thousandths once parsed at load. */
static char *eps = CHBL_EPS_DEFAULT_TEXT;
module_param(eps, charp, 0444);
MODULE_PARM_DESC(eps,
		 "Load bound: a server takes no new flow at (1+eps) times its weighted share of the connections, a decimal in [0, 10] (default " CHBL_EPS_DEFAULT_TEXT ")");

static char *eps_flag3 = CHBL_EPS_FLAG3_DEFAULT_TEXT;
module_param(eps_flag3, charp, 0444);
MODULE_PARM_DESC(eps_flag3,
		 "Load bound of services with -b flag-3, as eps (default " CHBL_EPS_FLAG3_DEFAULT_TEXT ")");

static u32 chbl_eps, chbl_eps_flag3;

/* Parse both bounds; false, having said why, when one is refused. */
static bool chbl_params_parse(void)
{
	if (!eps || chbl_eps_parse(eps, &chbl_eps)) {
		pr_err("eps=%s refused: it must be a decimal in [0, 10] with at most 3 decimals\n",
		       eps ? eps : "");
		return false;
	}
	if (!eps_flag3 || chbl_eps_parse(eps_flag3, &chbl_eps_flag3)) {
		pr_err("eps_flag3=%s refused: it must be a decimal in [0, 10] with at most 3 decimals\n",
		       eps_flag3 ? eps_flag3 : "");
		return false;
	}
	return true;
}
#else
static bool chbl_params_parse(void)
{
	return true;
}
#endif

#ifdef WMH_DEBUG_AIDS
/*
 * Testing aid, built only with WMH_DEBUG_AIDS=1: the next N rebuilds fail
 * with -ENOMEM before allocating, so that the VM tests can show a failed
 * rebuild keeps the old table serving. Root-only.
 */
static atomic_t debug_fail_rebuilds = ATOMIC_INIT(0);
module_param_named(debug_fail_rebuilds, debug_fail_rebuilds.counter, int, 0600);
MODULE_PARM_DESC(debug_fail_rebuilds,
		 "Testing aid: fail the next N table rebuilds with -ENOMEM (default 0)");

static bool wmh_debug_fail_rebuild(void)
{
	return atomic_add_unless(&debug_fail_rebuilds, -1, 0);
}
#else
static bool wmh_debug_fail_rebuild(void)
{
	return false;
}
#endif

static struct wmh_hash_key wmh_key;

/* Generations of the tables built, module-wide, so that none repeats. */
static atomic64_t wmh_generation = ATOMIC64_INIT(0);

static void wmh_state_free_rcu(struct rcu_head *head)
{
	struct wmh_state *st = container_of(head, struct wmh_state, rcu);

	wmh_table_free(&st->table);
	kvfree(st);
}

/*
 * Retire a table that readers may still hold. The server references go at
 * once, as in-tree mh does: a removed server waits in the IPVS trash for
 * IP_VS_DEST_TRASH_PERIOD before it is freed, far longer than any reader,
 * whereas a put deferred to our RCU callback can run after netns cleanup
 * has already dropped the trash's reference (refcount underflow).
 */
static void wmh_state_retire(struct wmh_state *st)
{
	u32 i;

	for (i = 0; i < st->ndests; i++)
		ip_vs_dest_put(st->dest[i]);
	st->ndests = 0;
	call_rcu(&st->rcu, wmh_state_free_rcu);
}

/* Build @t for @spec: wmh from scratch, hrw from the table it replaces. */
static int wmh_kind_build(struct wmh_table *t, const struct wmh_state *old,
			  const struct wmh_dest_spec *spec, u32 n)
{
#ifdef WMH_KIND_HRW
	if (old)
		return hrw_table_rebuild(t, &old->table, old->spec, spec, n);
	return hrw_table_build(t, table_size, &wmh_key, spec, n);
#else
	return wmh_table_build(t, table_size, &wmh_key, spec, n);
#endif
}

/*
 * A table for the @n dests of @svc, replacing @old (NULL for the first).
 * What it is built from follows the dest pointers in the same allocation.
 */
static struct wmh_state *wmh_state_build(struct ip_vs_service *svc, u32 n,
					 const struct wmh_state *old)
{
	struct ip_vs_dest *dest;
	struct wmh_state *st;
	u32 i = 0;
	int ret;

	st = kvzalloc(size_add(struct_size(st, dest, n),
			       array_size(n, sizeof(*st->spec))),
		      GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->spec = (struct wmh_dest_spec *)&st->dest[n];

	list_for_each_entry(dest, &svc->destinations, n_list) {
		wmh_dest_spec_init(&st->spec[i],
				   dest->af == AF_INET6 ? WMH_AF_INET6 : WMH_AF_INET,
				   &dest->addr, (__force u16)dest->port,
				   atomic_read(&dest->last_weight));
		st->dest[i] = dest;
		i++;
	}

	ret = wmh_kind_build(&st->table, old, st->spec, n);
	if (ret)
		goto err_state;

	for (i = 0; i < n; i++)
		ip_vs_dest_hold(st->dest[i]);
	st->ndests = n;
	return st;

err_state:
	kvfree(st);
	return ERR_PTR(ret);
}

/* "VIP:PORT", "[VIP6]:PORT" or "fwmark MARK", for the kernel log. */
static void wmh_svc_desc(const struct ip_vs_service *svc, char *buf,
			 size_t len)
{
	if (svc->fwmark)
		snprintf(buf, len, "fwmark %u", svc->fwmark);
	else if (svc->af == AF_INET6)
		snprintf(buf, len, "[%pI6c]:%u", &svc->addr.in6,
			 ntohs(svc->port));
	else
		snprintf(buf, len, "%pI4:%u", &svc->addr.ip, ntohs(svc->port));
}

/* Why a build of a table for @n dests failed with @err, in plain words. */
static void wmh_build_reason(char *buf, size_t len, int err, u32 n,
			     bool debug_aid)
{
	if (err == -ENOSPC)
		snprintf(buf, len, "%u servers, %u slots", n, table_size);
	else if (err == -ENOMEM && debug_aid)
		snprintf(buf, len, "out of memory (debug_fail_rebuilds)");
	else if (err == -ENOMEM)
		snprintf(buf, len, "out of memory");
	else
		snprintf(buf, len, "error %d", err);
}

/*
 * Build a new table off the packet path and publish it; on failure the old
 * table keeps serving (a removed server in it is treated as down) and the
 * failure is recorded for the export; a service whose first table (@first)
 * cannot be built is refused. The log says why, in plain words.
 */
static int wmh_rebuild(struct ip_vs_service *svc, bool first)
{
	struct wmh_service *ws = svc->sched_data;
	char reason[WMH_REASON_LEN], desc[64];
	struct wmh_state *st, *old;
	struct ip_vs_dest *dest;
	bool debug_aid = false;
	u32 n = 0;
	int err;

	list_for_each_entry(dest, &svc->destinations, n_list)
		n++;
	if (wmh_debug_fail_rebuild()) {
		st = ERR_PTR(-ENOMEM);
		debug_aid = true;
	} else {
		/* Only rebuilds replace it, and IPVS's mutex orders them. */
		st = wmh_state_build(svc, n,
				     rcu_dereference_protected(ws->state, 1));
	}
	if (IS_ERR(st)) {
		err = PTR_ERR(st);
		wmh_build_reason(reason, sizeof(reason), err, n, debug_aid);
		wmh_svc_desc(svc, desc, sizeof(desc));
		if (first) {
			pr_err_ratelimited("%s: table build failed (%d): %s\n",
					   desc, err, reason);
			return err;
		}
		pr_err_ratelimited("%s: table rebuild failed (%d), previous table kept: %s%s\n",
				   desc, err, reason,
				   err == -ENOSPC ? " (a table needs a slot per server: raise table_size)" : "");
		mutex_lock(&ws->lock);
		ws->last_err = err;
		strscpy(ws->last_reason, reason, sizeof(ws->last_reason));
		ws->failed++;
		mutex_unlock(&ws->lock);
		return err;
	}
	st->generation = atomic64_inc_return(&wmh_generation);
	mutex_lock(&ws->lock);
	old = rcu_replace_pointer(ws->state, st, lockdep_is_held(&ws->lock));
	ws->last_err = 0;
	ws->last_reason[0] = '\0';
	mutex_unlock(&ws->lock);
	if (old)
		wmh_state_retire(old);
	return 0;
}

static int wmh_init_svc(struct ip_vs_service *svc)
{
	struct wmh_service *ws;
	int ret;

	ws = kzalloc(sizeof(*ws), GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	mutex_init(&ws->lock);
	ws->svc = svc;
	svc->sched_data = ws;
	ret = wmh_rebuild(svc, true);
	if (ret) {
		svc->sched_data = NULL;
		mutex_destroy(&ws->lock);
		kfree(ws);
		return ret;
	}
	wmh_debugfs_add(ws);
	return 0;
}

static void wmh_done_svc(struct ip_vs_service *svc)
{
	struct wmh_service *ws = svc->sched_data;
	struct wmh_state *st;

	/* No reader of the export is left once this returns. */
	wmh_debugfs_remove(ws);
	st = rcu_dereference_protected(ws->state, 1);
	wmh_state_retire(st);
	mutex_destroy(&ws->lock);
	kfree_rcu(ws, rcu);
}

static int wmh_dest_changed(struct ip_vs_service *svc,
			    struct ip_vs_dest *dest)
{
	return wmh_rebuild(svc, false);
}

static enum wmh_dest_state wmh_dest_base(const struct ip_vs_dest *dest)
{
	return wmh_dest_state_of(atomic_read(&dest->weight),
				 wmh_compat_dest_available(dest),
				 wmh_compat_dest_overloaded(dest));
}

#ifndef WMH_KIND_CHBL
static enum wmh_dest_state wmh_dest_state(const void *ctx, u32 index)
{
	const struct wmh_state *st = ctx;

	return wmh_dest_base(st->dest[index]);
}
#else
/* What chbl's lookup reads: the table's dests and the service's load. */
struct chbl_ctx {
	const struct wmh_state *st;
	struct chbl_load load;
	u32 eps;
};

/*
 * Normal entries, active plus inactive: IPVS keeps their sum, the count
 * its thresholds read (templates are counted apart, in persistconns).
 */
static u64 chbl_dest_conns(const struct ip_vs_dest *dest)
{
	return (u32)atomic_read(&dest->totalconns);
}

static enum wmh_dest_state chbl_dest_state_cb(const void *ctx, u32 index)
{
	const struct chbl_ctx *c = ctx;
	const struct ip_vs_dest *dest = c->st->dest[index];

	return chbl_dest_state(wmh_dest_base(dest), chbl_dest_conns(dest),
			       atomic_read(&dest->weight), &c->load, c->eps);
}

/*
 * chbl's lookup: the load of the table's dests (counts move under us, as
 * for every scheduler that reads them; a removed dest does not count),
 * then the lookup with the bound. O(dests) per new flow, as wlc.
 */
static u32 chbl_lookup(const struct wmh_state *st, const u8 *msg, u32 len,
		       unsigned int flags, u32 eps_milli)
{
	struct chbl_ctx c = { .st = st, .eps = eps_milli };
	u32 i;

	for (i = 0; i < st->ndests; i++) {
		const struct ip_vs_dest *dest = st->dest[i];

		chbl_load_add(&c.load, wmh_dest_base(dest),
			      chbl_dest_conns(dest), atomic_read(&dest->weight));
	}
	return wmh_lookup(&st->table, msg, len, chbl_dest_state_cb, &c,
			  wmh_overflow(flags, overflow));
}
#endif

/* Client port of a TCP, UDP or SCTP packet; false if it cannot be read. */
static bool wmh_client_port(const struct sk_buff *skb,
			    const struct ip_vs_iphdr *iph, __be16 *port)
{
	__be16 _ports[2], *ports;

	ports = skb_header_pointer(skb, iph->len, sizeof(_ports), _ports);
	if (unlikely(!ports))
		return false;
	*port = ip_vs_iph_inverse(iph) ? ports[1] : ports[0];
	return true;
}

static struct ip_vs_dest *wmh_schedule(struct ip_vs_service *svc,
				       const struct sk_buff *skb,
				       struct ip_vs_iphdr *iph)
{
	struct wmh_service *ws = svc->sched_data;
	const union nf_inet_addr *addr;
	u8 msg[WMH_FLOW_MSG_MAX];
	struct wmh_state *st;
	unsigned int flags;
	bool with_port = false;
	__be16 port = 0;
	u32 len, idx;

	/* ipvsadm -E changes flags without a callback: read them every time. */
	flags = READ_ONCE(svc->flags);
	if (wmh_hash_port(flags, port_hash, iph->protocol))
		with_port = wmh_client_port(skb, iph, &port);

	addr = ip_vs_iph_inverse(iph) ? &iph->daddr : &iph->saddr;
	len = wmh_flow_msg(msg, svc->af == AF_INET6 ? WMH_AF_INET6 : WMH_AF_INET,
			   addr, with_port, (__force u16)port);

	st = rcu_dereference(ws->state);
#ifdef WMH_KIND_CHBL
	idx = chbl_lookup(st, msg, len, flags,
			  chbl_eps_of(flags, chbl_eps, chbl_eps_flag3));
#else
	idx = wmh_lookup(&st->table, msg, len, wmh_dest_state, st,
			 wmh_overflow(flags, overflow));
#endif
	if (idx == WMH_NO_DEST) {
		ip_vs_scheduler_err(svc, "no destination available");
		return NULL;
	}
	return st->dest[idx];
}

static struct ip_vs_scheduler wmh_scheduler = {
	.name = wmh_names[0],
	.refcnt = ATOMIC_INIT(0),
	.module = THIS_MODULE,
	.n_list = LIST_HEAD_INIT(wmh_scheduler.n_list),
	.init_service = wmh_init_svc,
	.done_service = wmh_done_svc,
	.add_dest = wmh_dest_changed,
	.del_dest = wmh_dest_changed,
	.upd_dest = wmh_dest_changed,
	.schedule = wmh_schedule,
};

static int __init wmh_init(void)
{
	struct wmh_export_info info;
	int ret, i;

	BUILD_BUG_ON(WMH_SVC_F_OVERFLOW != IP_VS_SVC_F_SCHED1);
	BUILD_BUG_ON(WMH_SVC_F_PORT != IP_VS_SVC_F_SCHED2);
	/* ipvsadm's sh-fallback and sh-port are these bits (mh's are too). */
	BUILD_BUG_ON(WMH_SVC_F_OVERFLOW != IP_VS_SVC_F_SCHED_SH_FALLBACK);
	BUILD_BUG_ON(WMH_SVC_F_PORT != IP_VS_SVC_F_SCHED_SH_PORT);
	BUILD_BUG_ON(CHBL_SVC_F_EPS3 != IP_VS_SVC_F_SCHED3);

	i = wmh_sched_name_choice();
	if (i < 0) {
		pr_err("sched_name=%s refused: it must be wmh, mh or sh\n",
		       sched_name);
		return -EINVAL;
	}
	wmh_scheduler.name = wmh_names[i];

	if (wmh_table_size_check(table_size)) {
		pr_err("table_size=%u refused: it must be a prime in [%u, %u]\n",
		       table_size, WMH_TABLE_SIZE_MIN, WMH_TABLE_SIZE_MAX);
		return -EINVAL;
	}
	if (!chbl_params_parse())
		return -EINVAL;
	wmh_key = wmh_default_hash_key;
	if (hash_key && wmh_hash_key_parse(hash_key, &wmh_key)) {
		pr_err("hash_key refused: it must be exactly 32 hex digits\n");
		return -EINVAL;
	}

	/* Before registering: a service may be created at once. */
	info.sched_name = wmh_scheduler.name;
	info.key_fingerprint = wmh_hash_key_fingerprint(&wmh_key);
	info.port_hash = port_hash;
	info.overflow = overflow;
	wmh_debugfs_init(&info);

	/*
	 * register_ip_vs_scheduler() says -EINVAL, not -EEXIST, when the name
	 * is taken (and logs "[mh] scheduler already existed"); its other
	 * -EINVAL cases (no name, struct already linked) cannot happen here.
	 * Refuse with -EBUSY: modprobe takes -EEXIST from init for "already
	 * loaded" and would report success.
	 */
	ret = register_ip_vs_scheduler(&wmh_scheduler);
	if (ret == -EINVAL) {
		pr_err("sched_name=%s refused: a scheduler named %s is already registered (rmmod ip_vs_%s first)\n",
		       wmh_scheduler.name, wmh_scheduler.name,
		       wmh_scheduler.name);
		ret = -EBUSY;
	}
	if (ret)
		goto err_debugfs;
	if (wmh_scheduler.name != wmh_names[0])
		pr_info("registered as %s (sched_name=%s): ipvsadm -s %s is served by wmh\n",
			wmh_scheduler.name, wmh_scheduler.name,
			wmh_scheduler.name);
	return 0;

err_debugfs:
	wmh_debugfs_exit();
	return ret;
}

static void __exit wmh_exit(void)
{
	unregister_ip_vs_scheduler(&wmh_scheduler);
	/* Tables of services unbound just now are freed by RCU callbacks. */
	rcu_barrier();
	/* Every service, and with it every file, is gone by now. */
	wmh_debugfs_exit();
}

module_init(wmh_init);
module_exit(wmh_exit);
MODULE_DESCRIPTION(WMH_KIND_DESCRIPTION);
MODULE_VERSION(WMH_VERSION);
/* The kernel API forms compat.h chose: modinfo -F compat. */
MODULE_INFO(compat, WMH_COMPAT_INFO);
MODULE_LICENSE("GPL");
