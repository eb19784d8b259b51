/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-service state of ip_vs_wmh and ip_vs_hrw, shared by the scheduler glue
 * (ip_vs_wmh_main.c) and the table export (wmh_debugfs.c).
 *
 * Locking: the packet path reads ws->state under RCU and nothing else.
 * Rebuilds run under the IPVS mutex; they publish a new state, and record
 * how the rebuild went, under ws->lock. The export reads the state and the
 * rebuild outcome under ws->lock only, so that it sees a table together
 * with the outcome of the rebuild that left it serving; a published
 * state holds a reference on every dest it points at.
 */
#ifndef WMH_SVC_H
#define WMH_SVC_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <net/ip_vs.h>

#include "hrw_table.h"
#include "wmh_table.h"

#define WMH_REASON_LEN 64

/*
 * One published table and the destinations its slots point at (held).
 * spec[] is what the table was built from: the weights for the export, and
 * the old set that hrw's incremental rebuild starts from.
 */
struct wmh_state {
	struct rcu_head rcu;
	struct wmh_table table;
	u64 generation;	/* from a module-wide counter: never repeats */
	struct wmh_dest_spec *spec;	/* per dest */
	u32 ndests;
	struct ip_vs_dest *dest[];
};

struct wmh_service {
	struct wmh_state __rcu *state;
	struct ip_vs_service *svc;
	struct mutex lock;	/* state changes and the fields below */
	int last_err;		/* of the last rebuild: 0 or a negative errno */
	char last_reason[WMH_REASON_LEN];
	u64 failed;		/* rebuilds that failed */
	struct dentry *export;	/* the debugfs file, or an ERR_PTR/NULL */
	struct rcu_head rcu;
};

#endif /* WMH_SVC_H */
