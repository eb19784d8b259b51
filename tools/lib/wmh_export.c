// SPDX-License-Identifier: GPL-2.0
/*
 * The parser of ip_vs_wmh's table export (format 1). Lines, in order:
 *
 *   ip_vs_wmh table export 1
 *   KEY VALUE...             header lines, unknown keys ignored
 *   dests N
 *   dest I addr=ENDPOINT table_weight=W [weight=W] [state=S] ...   N times
 *   slots M                  M == table_size
 *   S: D D D ...             slot S onwards, D a dest index or -
 *   end
 */
#include "wmh_export.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define EXPORT_LINE_MAX 4096
#define EXPORT_SIZE_MAX (1U << 23) /* above ip_vs_wmh's largest table */

struct export_parser {
	const char *p, *end;
	unsigned int lineno;
	char line[EXPORT_LINE_MAX];
	char *err;
	size_t errlen;
};

static int export_fail(struct export_parser *ps, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(ps->err, ps->errlen, "line %u: ", ps->lineno);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The next line into ps->line without its newline; 1, 0 at the end, or
 * -EINVAL (a line too long or holding a NUL). */
static int export_next_line(struct export_parser *ps)
{
	const char *nl;
	size_t n;

	if (ps->p >= ps->end)
		return 0;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	n = nl ? (size_t)(nl - ps->p) : (size_t)(ps->end - ps->p);
	ps->lineno++;
	if (n >= sizeof(ps->line))
		return export_fail(ps, "longer than %d characters",
				   EXPORT_LINE_MAX - 1);
	if (memchr(ps->p, '\0', n))
		return export_fail(ps, "a NUL byte");
	memcpy(ps->line, ps->p, n);
	ps->line[n] = '\0';
	ps->p += n + (nl ? 1 : 0);
	return 1;
}

/* A decimal number in [0, max] filling all of @s. */
static bool export_number(const char *s, unsigned long long max,
			  unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return true;
}

static bool export_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long long v;

	if (!export_number(s, max, &v))
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool export_hex32(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0 || i >= 8)
			return false;
		v = v << 4 | (unsigned int)d;
	}
	if (!i)
		return false;
	*out = v;
	return true;
}

/* "10.0.7.1:53" or "[fd00::1]:80". */
static bool export_endpoint(const char *s, int *af, unsigned char addr[16],
			    unsigned short *port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	unsigned int p;
	size_t n;

	memset(addr, 0, 16);
	if (*s == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return false;
		n = (size_t)(colon - s - 1);
		if (n >= sizeof(host))
			return false;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		*af = AF_INET6;
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return false;
		n = (size_t)(colon - s);
		memcpy(host, s, n);
		host[n] = '\0';
		*af = AF_INET;
	}
	if (inet_pton(*af, host, addr) != 1 ||
	    !export_uint(colon + 1, 65535, &p))
		return false;
	*port = (unsigned short)p;
	return true;
}

/* Splits ps->line into at most @max words; returns how many. */
static int export_words(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " ", &save); t && n < max;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

static int export_service(struct export_parser *ps, struct wmh_export *e,
			  char **w, int nw)
{
	unsigned int v;

	if (nw == 4 && !strcmp(w[1], "fwmark")) {
		if (!export_uint(w[2], UINT32_MAX, &v) || !v)
			return export_fail(ps, "bad fwmark '%s'", w[2]);
		e->fwmark = v;
		if (!strcmp(w[3], "ipv4"))
			e->af = AF_INET;
		else if (!strcmp(w[3], "ipv6"))
			e->af = AF_INET6;
		else
			return export_fail(ps, "bad fwmark family '%s'", w[3]);
		return 0;
	}
	if (nw != 3)
		return export_fail(
			ps,
			"service: expected PROTO ENDPOINT or fwmark MARK FAMILY");
	if (!strcmp(w[1], "tcp"))
		e->protocol = IPPROTO_TCP;
	else if (!strcmp(w[1], "udp"))
		e->protocol = IPPROTO_UDP;
	else if (!strcmp(w[1], "sctp"))
		e->protocol = IPPROTO_SCTP;
	else if (!export_uint(w[1], 255, &e->protocol))
		return export_fail(ps, "bad protocol '%s'", w[1]);
	if (!export_endpoint(w[2], &e->af, e->addr, &e->port))
		return export_fail(ps, "bad service address '%s'", w[2]);
	return 0;
}

static int export_last_error(struct export_parser *ps, struct wmh_export *e,
			     const char *rest)
{
	unsigned long long v;
	char num[16];
	size_t n = strcspn(rest, " ");

	if (n >= sizeof(num))
		return export_fail(ps, "bad last_error");
	memcpy(num, rest, n);
	num[n] = '\0';
	if (!strcmp(num, "0")) {
		e->last_error = 0;
		e->last_reason[0] = '\0';
		return 0;
	}
	if (num[0] != '-' || !export_number(num + 1, 4095, &v) || !v ||
	    !rest[n] || !rest[n + 1])
		return export_fail(
			ps, "last_error: expected 0, or -ERRNO and a reason");
	e->last_error = -(int)v;
	snprintf(e->last_reason, sizeof(e->last_reason), "%s", rest + n + 1);
	return 0;
}

enum {
	SEEN_SCHED = 1 << 0,
	SEEN_NETNS = 1 << 1,
	SEEN_SERVICE = 1 << 2,
	SEEN_SIZE = 1 << 3,
	SEEN_FINGERPRINT = 1 << 4,
	SEEN_GENERATION = 1 << 5,
	SEEN_ERROR = 1 << 6,
	SEEN_ALL = (1 << 7) - 1,
};

/* One header line (not dests/slots); unknown keys are ignored. */
static int export_header(struct export_parser *ps, struct wmh_export *e,
			 unsigned int *seen)
{
	char rest[EXPORT_LINE_MAX];
	char *w[8];
	int nw;

	snprintf(rest, sizeof(rest), "%s", ps->line);
	nw = export_words(ps->line, w, 8);
	if (!nw)
		return export_fail(ps, "empty line");
	if (!strcmp(w[0], "sched_name")) {
		if (nw != 2 || strlen(w[1]) >= sizeof(e->sched_name))
			return export_fail(ps, "bad sched_name");
		strcpy(e->sched_name, w[1]);
		*seen |= SEEN_SCHED;
	} else if (!strcmp(w[0], "netns")) {
		if (nw != 2 || !export_number(w[1], UINT64_MAX, &e->netns))
			return export_fail(ps, "bad netns");
		*seen |= SEEN_NETNS;
	} else if (!strcmp(w[0], "service")) {
		if (export_service(ps, e, w, nw))
			return -EINVAL;
		*seen |= SEEN_SERVICE;
	} else if (!strcmp(w[0], "flags")) {
		if (nw != 2 || strncmp(w[1], "0x", 2) ||
		    !export_hex32(w[1] + 2, &e->flags))
			return export_fail(ps, "bad flags");
	} else if (!strcmp(w[0], "port_hash") || !strcmp(w[0], "overflow")) {
		if (nw != 2 || (strcmp(w[1], "0") && strcmp(w[1], "1")))
			return export_fail(ps, "bad %s", w[0]);
		*(w[0][0] == 'p' ? &e->port_hash : &e->overflow) =
			w[1][0] == '1';
	} else if (!strcmp(w[0], "table_size")) {
		if (nw != 2 ||
		    !export_uint(w[1], EXPORT_SIZE_MAX, &e->table_size) ||
		    !e->table_size)
			return export_fail(ps, "bad table_size");
		*seen |= SEEN_SIZE;
	} else if (!strcmp(w[0], "hash_key_fingerprint")) {
		if (nw != 2 || strlen(w[1]) != 8 ||
		    !export_hex32(w[1], &e->key_fingerprint))
			return export_fail(
				ps, "bad hash_key_fingerprint (8 hex digits)");
		*seen |= SEEN_FINGERPRINT;
	} else if (!strcmp(w[0], "generation")) {
		if (nw != 2 || !export_number(w[1], UINT64_MAX, &e->generation))
			return export_fail(ps, "bad generation");
		*seen |= SEEN_GENERATION;
	} else if (!strcmp(w[0], "last_error")) {
		if (nw < 2)
			return export_fail(ps, "bad last_error");
		if (export_last_error(ps, e, rest + strlen("last_error ")))
			return -EINVAL;
		*seen |= SEEN_ERROR;
	} else if (!strcmp(w[0], "failed_rebuilds")) {
		if (nw != 2 ||
		    !export_number(w[1], UINT64_MAX, &e->failed_rebuilds))
			return export_fail(ps, "bad failed_rebuilds");
	}
	return 0;
}

static enum export_dest_state export_state(const char *s)
{
	static const char *const names[] = { "up", "overloaded", "down",
					     "removed" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return (enum export_dest_state)i;
	return EXPORT_DEST_UNKNOWN;
}

static int export_dest(struct export_parser *ps, struct wmh_export *e,
		       unsigned int i)
{
	struct export_dest *d = &e->dests[i];
	bool addr = false, tw = false, weight = false;
	unsigned long long v;
	unsigned int idx;
	char *w[16];
	int nw, k;

	nw = export_words(ps->line, w, 16);
	if (nw < 2 || strcmp(w[0], "dest"))
		return export_fail(ps, "expected dest %u of %u", i, e->ndests);
	if (!export_uint(w[1], UINT32_MAX, &idx) || idx != i)
		return export_fail(ps, "dest '%s' where dest %u was expected",
				   w[1], i);
	d->state = EXPORT_DEST_UNKNOWN;
	for (k = 2; k < nw; k++) {
		char *eq = strchr(w[k], '=');

		if (!eq)
			return export_fail(ps, "dest %u: '%s' is no KEY=VALUE",
					   i, w[k]);
		*eq++ = '\0';
		if (!strcmp(w[k], "addr")) {
			if (!export_endpoint(eq, &d->af, d->addr, &d->port))
				return export_fail(ps, "dest %u: bad addr '%s'",
						   i, eq);
			addr = true;
		} else if (!strcmp(w[k], "table_weight")) {
			if (!export_uint(eq, INT32_MAX, &d->table_weight))
				return export_fail(
					ps, "dest %u: bad table_weight", i);
			tw = true;
		} else if (!strcmp(w[k], "weight")) {
			bool neg = eq[0] == '-';

			if (!export_number(eq + neg, INT32_MAX, &v))
				return export_fail(ps, "dest %u: bad weight",
						   i);
			d->weight = neg ? -(int)v : (int)v;
			weight = true;
		} else if (!strcmp(w[k], "state")) {
			d->state = export_state(eq);
		}
	}
	if (!addr || !tw)
		return export_fail(ps, "dest %u: no %s", i,
				   addr ? "table_weight" : "addr");
	if (!weight)
		d->weight = (int)d->table_weight;
	return 0;
}

/* One line of slots, "S: D D ..."; *filled counts the slots read. */
static int export_slot_line(struct export_parser *ps, struct wmh_export *e,
			    unsigned int *filled)
{
	char *save = NULL, *t;
	unsigned int first, d;
	size_t n;

	t = strtok_r(ps->line, " ", &save);
	n = t ? strlen(t) : 0;
	if (!n || t[n - 1] != ':')
		return export_fail(ps, "expected slots from %u ('%u: ...')",
				   *filled, *filled);
	t[n - 1] = '\0';
	if (!export_uint(t, EXPORT_SIZE_MAX, &first) || first != *filled)
		return export_fail(ps,
				   "slots from %s where slot %u was expected",
				   t, *filled);
	while ((t = strtok_r(NULL, " ", &save))) {
		if (*filled >= e->table_size)
			return export_fail(ps, "more than %u slots",
					   e->table_size);
		if (!strcmp(t, "-"))
			d = EXPORT_NO_DEST;
		else if (!export_uint(t, UINT32_MAX, &d) || d >= e->ndests)
			return export_fail(
				ps, "slot %u: '%s' is no dest index (%u dests)",
				*filled, t, e->ndests);
		e->slots[(*filled)++] = d;
	}
	return 0;
}

static int export_parse_body(struct export_parser *ps, struct wmh_export *e)
{
	unsigned int seen = 0, i, n, filled = 0;
	int r;

	r = export_next_line(ps);
	if (r <= 0)
		return r ? r : export_fail(ps, "empty file");
	if (strncmp(ps->line, EXPORT_HEADER " ", strlen(EXPORT_HEADER) + 1))
		return export_fail(ps, "not an ip_vs_wmh table export");
	if (!export_uint(ps->line + strlen(EXPORT_HEADER) + 1, 1000, &n) ||
	    n != EXPORT_FORMAT)
		return export_fail(
			ps, "format '%s' (this tool reads format %d)",
			ps->line + strlen(EXPORT_HEADER) + 1, EXPORT_FORMAT);

	/* Header lines, up to "dests N". */
	for (;;) {
		r = export_next_line(ps);
		if (r <= 0)
			return r ? r : export_fail(ps, "ends before 'dests'");
		if (!strncmp(ps->line, "dests ", 6))
			break;
		if (export_header(ps, e, &seen))
			return -EINVAL;
	}
	if (!export_uint(ps->line + 6, EXPORT_SIZE_MAX, &e->ndests))
		return export_fail(ps, "bad dests");
	if ((seen & SEEN_ALL) != SEEN_ALL)
		return export_fail(
			ps,
			"the header lacks one of sched_name, netns, service, table_size, hash_key_fingerprint, generation, last_error");
	if (e->ndests > e->table_size)
		return export_fail(ps, "%u dests for %u slots", e->ndests,
				   e->table_size);
	e->dests = calloc(e->ndests ? e->ndests : 1, sizeof(*e->dests));
	e->slots = calloc(e->table_size, sizeof(*e->slots));
	if (!e->dests || !e->slots)
		return -ENOMEM;
	for (i = 0; i < e->ndests; i++) {
		r = export_next_line(ps);
		if (r <= 0)
			return r ? r
				 : export_fail(ps, "ends after %u of %u dests",
					       i, e->ndests);
		if (export_dest(ps, e, i))
			return -EINVAL;
	}

	/* "slots M" (any unknown keys before it are skipped). */
	for (;;) {
		r = export_next_line(ps);
		if (r <= 0)
			return r ? r : export_fail(ps, "ends before 'slots'");
		if (!strncmp(ps->line, "slots ", 6))
			break;
		if (!strncmp(ps->line, "dest ", 5))
			return export_fail(ps, "more than %u dests", e->ndests);
	}
	if (!export_uint(ps->line + 6, EXPORT_SIZE_MAX, &n) ||
	    n != e->table_size)
		return export_fail(ps, "'%s' for a table_size of %u", ps->line,
				   e->table_size);
	while (filled < e->table_size) {
		r = export_next_line(ps);
		if (r <= 0)
			return r ? r
				 : export_fail(ps, "ends after %u of %u slots",
					       filled, e->table_size);
		if (export_slot_line(ps, e, &filled))
			return -EINVAL;
	}
	r = export_next_line(ps);
	if (r < 0)
		return r;
	if (!r || strcmp(ps->line, "end"))
		return export_fail(ps, "no 'end' after the slots (truncated?)");
	return 0;
}

int export_parse(const char *text, size_t len, struct wmh_export *e, char *err,
		 size_t errlen)
{
	struct export_parser *ps;
	int r;

	memset(e, 0, sizeof(*e));
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->p = text;
	ps->end = text + len;
	ps->err = err;
	ps->errlen = errlen;
	r = export_parse_body(ps, e);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (r)
		export_free(e);
	free(ps);
	return r;
}

void export_free(struct wmh_export *e)
{
	free(e->dests);
	free(e->slots);
	e->dests = NULL;
	e->slots = NULL;
	e->ndests = 0;
}

int export_read_file(const char *path, char **text, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *nb;
	FILE *f;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		free(buf);
		return ret;
	}
	for (;;) {
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				ret = errno ? -errno : -EIO;
			break;
		}
	}
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = n;
	return 0;
}

static void export_endpoint_name(int af, const unsigned char *addr,
				 unsigned short port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(af, addr, a, sizeof(a));
	if (af == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

void export_service_name(const struct wmh_export *e, char *buf, size_t len)
{
	char ep[INET6_ADDRSTRLEN + 8];

	if (e->fwmark) {
		snprintf(buf, len, "fwmark %u %s", e->fwmark,
			 e->af == AF_INET6 ? "ipv6" : "ipv4");
		return;
	}
	export_endpoint_name(e->af, e->addr, e->port, ep, sizeof(ep));
	switch (e->protocol) {
	case IPPROTO_TCP:
		snprintf(buf, len, "tcp %s", ep);
		break;
	case IPPROTO_UDP:
		snprintf(buf, len, "udp %s", ep);
		break;
	case IPPROTO_SCTP:
		snprintf(buf, len, "sctp %s", ep);
		break;
	default:
		snprintf(buf, len, "%u %s", e->protocol, ep);
	}
}

void export_dest_name(const struct wmh_export *e, unsigned int index, char *buf,
		      size_t len)
{
	const struct export_dest *d;

	if (index >= e->ndests) {
		snprintf(buf, len, "-");
		return;
	}
	d = &e->dests[index];
	export_endpoint_name(d->af, d->addr, d->port, buf, len);
}

const char *export_dest_state_name(enum export_dest_state s)
{
	static const char *const names[] = { "up", "overloaded", "down",
					     "removed", "unknown" };

	return names[s <= EXPORT_DEST_UNKNOWN ? s : EXPORT_DEST_UNKNOWN];
}
