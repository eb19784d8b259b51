/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One service's verdict: the table the kernel exports against the table the
 * shared core (kmod/wmh_table.c) builds, slot by slot, and the export's
 * dests against the live configuration.
 *
 * The core builds from the export's dests with the weights the export says
 * the table was built from. Those must be the configuration's weights,
 * except that a dest the configuration shows at weight 0 (drained) may
 * have any: the kernel builds from a dest's last non-zero weight, which no
 * netlink dump carries. When the export's last rebuild failed, the kernel
 * serves an older table; the configuration may then differ from its dests,
 * and the verdict says so (VERIFY_OLD_TABLE) instead of failing.
 */
#ifndef IPVS_VERIFY_VERIFY_H
#define IPVS_VERIFY_VERIFY_H

#include "wmh_export.h"
#include "ipvs_nl.h"
#include "wmh_siphash.h"

struct verify_params {
	unsigned int
		table_size; /* 0: the export's own (nothing to hold it to) */
	struct wmh_hash_key key;
	unsigned int max_diffs; /* differing slots to keep for the report */
};

enum verify_status {
	VERIFY_IDENTICAL,
	VERIFY_OLD_TABLE, /* identical, but serving a table kept after a
			     failed rebuild */
	VERIFY_DIFFERS,
};

struct verify_slot_diff {
	unsigned int slot;
	unsigned int kernel,
		computed; /* export dest indexes or EXPORT_NO_DEST */
};

struct verify_result {
	enum verify_status status;
	bool size_differs; /* slots were not compared */
	bool key_differs; /* fingerprints differ */
	unsigned int differing; /* slots */
	/* Dests at weight 0 (in the configuration, or without one in the
	 * export) whose table weight is not: drained. */
	unsigned int drained;
	struct verify_slot_diff *diffs;
	unsigned int ndiffs;
	char **notes; /* sentences: every disagreement with the configuration */
	unsigned int nnotes;
};

/* Whether @e exports the service @svc (same family, protocol, address and
 * port, or fwmark). */
bool verify_same_service(const struct wmh_export *e,
			 const struct ipvs_nl_service *svc);

/*
 * Compares @e with the core's table under @p and, unless @cfg is NULL,
 * with the configuration's dests. Returns 0 with the verdict in @r (free it
 * with verify_result_free()), or -ENOMEM.
 */
int verify_service(const struct wmh_export *e,
		   const struct ipvs_nl_service *cfg,
		   const struct verify_params *p, struct verify_result *r);

void verify_result_free(struct verify_result *r);

const char *verify_status_name(enum verify_status s);

#endif /* IPVS_VERIFY_VERIFY_H */
