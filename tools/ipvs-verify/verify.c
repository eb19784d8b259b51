// SPDX-License-Identifier: GPL-2.0
/*
 * One service's verdict, see verify.h.
 */
#include "verify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hrw_table.h"
#include "wmh_table.h"

static int verify_note(struct verify_result *r, const char *fmt, ...)
{
	char buf[512], **nn;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	nn = realloc(r->notes, (r->nnotes + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	r->notes = nn;
	r->notes[r->nnotes] = strdup(buf);
	if (!r->notes[r->nnotes])
		return -ENOMEM;
	r->nnotes++;
	return 0;
}

static size_t verify_addr_len(int af)
{
	return af == AF_INET6 ? 16 : 4;
}

bool verify_same_service(const struct wmh_export *e,
			 const struct ipvs_nl_service *svc)
{
	if (e->af != svc->af || e->fwmark != svc->fwmark)
		return false;
	if (e->fwmark)
		return true;
	return e->protocol == svc->proto && e->port == svc->port &&
	       !memcmp(e->addr, &svc->addr, verify_addr_len(e->af));
}

static bool verify_same_dest(const struct export_dest *d,
			     const struct ipvs_nl_dest *c)
{
	return d->af == c->af && d->port == c->port &&
	       !memcmp(d->addr, &c->addr, verify_addr_len(d->af));
}

/* The export's dests against the configuration's: notes for every
 * disagreement; returns how many, or -ENOMEM. */
static int verify_dests(const struct wmh_export *e,
			const struct ipvs_nl_service *cfg,
			struct verify_result *r)
{
	char name[64];
	int bad = 0;
	size_t j;
	unsigned int i;
	bool *seen;

	seen = calloc(e->ndests ? e->ndests : 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (j = 0; j < cfg->ndests; j++) {
		const struct ipvs_nl_dest *c = &cfg->dests[j];

		for (i = 0; i < e->ndests; i++)
			if (!seen[i] && verify_same_dest(&e->dests[i], c))
				break;
		if (i == e->ndests) {
			struct export_dest tmp = { .af = c->af,
						   .port = c->port };
			struct wmh_export one = { .ndests = 1, .dests = &tmp };

			memcpy(tmp.addr, &c->addr, verify_addr_len(c->af));
			export_dest_name(&one, 0, name, sizeof(name));
			if (verify_note(
				    r,
				    "%s (weight %u) is in the configuration but not in the table",
				    name, c->weight))
				goto nomem;
			bad++;
			continue;
		}
		seen[i] = true;
		if (c->weight == 0 && e->dests[i].table_weight != 0) {
			r->drained++;
			continue;
		}
		if (c->weight != e->dests[i].table_weight) {
			export_dest_name(e, i, name, sizeof(name));
			if (verify_note(
				    r,
				    "%s has weight %u in the configuration, the table was built with %u",
				    name, c->weight, e->dests[i].table_weight))
				goto nomem;
			bad++;
		}
	}
	for (i = 0; i < e->ndests; i++) {
		if (seen[i])
			continue;
		export_dest_name(e, i, name, sizeof(name));
		if (verify_note(
			    r,
			    "%s (table weight %u, %s) is in the table but not in the configuration",
			    name, e->dests[i].table_weight,
			    export_dest_state_name(e->dests[i].state)))
			goto nomem;
		bad++;
	}
	free(seen);
	return bad;
nomem:
	free(seen);
	return -ENOMEM;
}

/* The core's table from the export's dests, held against the export's. */
static int verify_slots(const struct wmh_export *e,
			const struct verify_params *p, struct verify_result *r)
{
	struct wmh_dest_spec *spec;
	struct wmh_table t;
	unsigned int i, s, k, c;
	int ret;

	spec = calloc(e->ndests ? e->ndests : 1, sizeof(*spec));
	r->diffs = calloc(p->max_diffs ? p->max_diffs : 1, sizeof(*r->diffs));
	if (!spec || !r->diffs) {
		free(spec);
		return -ENOMEM;
	}
	for (i = 0; i < e->ndests; i++) {
		const struct export_dest *d = &e->dests[i];
		u16 port_be = htons(d->port);

		wmh_dest_spec_init(&spec[i],
				   d->af == AF_INET6 ? WMH_AF_INET6
						     : WMH_AF_INET,
				   d->addr, port_be, (int)d->table_weight);
	}
	/*
	 * hrw exports say so; every other name is wmh's: drop-ins too, and
	 * chbl, whose tables are wmh's (its load bound is the lookup's).
	 */
	if (!strcmp(e->sched_name, "hrw"))
		ret = hrw_table_build(&t, e->table_size, &p->key, spec,
				      e->ndests);
	else
		ret = wmh_table_build(&t, e->table_size, &p->key, spec,
				      e->ndests);
	free(spec);
	if (ret)
		return ret;
	for (s = 0; s < e->table_size; s++) {
		k = e->slots[s];
		c = wmh_table_slot(&t, s);
		if (c == WMH_NO_DEST)
			c = EXPORT_NO_DEST;
		if (k == c)
			continue;
		if (r->ndiffs < p->max_diffs) {
			r->diffs[r->ndiffs].slot = s;
			r->diffs[r->ndiffs].kernel = k;
			r->diffs[r->ndiffs].computed = c;
			r->ndiffs++;
		}
		r->differing++;
	}
	wmh_table_free(&t);
	return 0;
}

int verify_service(const struct wmh_export *e,
		   const struct ipvs_nl_service *cfg,
		   const struct verify_params *p, struct verify_result *r)
{
	unsigned int fp = wmh_hash_key_fingerprint(&p->key);
	int bad = 0, ret;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (p->table_size && p->table_size != e->table_size) {
		r->size_differs = true;
		ret = verify_note(
			r,
			"table size: the kernel's table has %u slots, %u expected",
			e->table_size, p->table_size);
		if (ret)
			goto err;
	}
	if (fp != e->key_fingerprint) {
		r->key_differs = true;
		ret = verify_note(
			r,
			"hash key: the kernel's fingerprint is %08x, the key given has %08x",
			e->key_fingerprint, fp);
		if (ret)
			goto err;
	}
	if (cfg) {
		bad = verify_dests(e, cfg, r);
		if (bad < 0) {
			ret = bad;
			goto err;
		}
	} else {
		/* Without a configuration, the export's own word for it. */
		for (i = 0; i < e->ndests; i++)
			if (e->dests[i].state == EXPORT_DEST_DOWN &&
			    e->dests[i].table_weight)
				r->drained++;
	}
	if (!r->size_differs) {
		ret = verify_slots(e, p, r);
		if (ret)
			goto err;
	}
	if (r->size_differs || r->key_differs || r->differing ||
	    (bad && !e->last_error))
		r->status = VERIFY_DIFFERS;
	else if (e->last_error)
		r->status = VERIFY_OLD_TABLE;
	else
		r->status = VERIFY_IDENTICAL;
	return 0;
err:
	verify_result_free(r);
	return ret;
}

void verify_result_free(struct verify_result *r)
{
	unsigned int i;

	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->diffs);
	memset(r, 0, sizeof(*r));
}

const char *verify_status_name(enum verify_status s)
{
	switch (s) {
	case VERIFY_IDENTICAL:
		return "identical";
	case VERIFY_OLD_TABLE:
		return "old-table";
	default:
		return "differs";
	}
}
