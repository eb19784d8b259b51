// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipvs-verify's export parser and verdicts, without a kernel:
 *   ipvs_verify_tests [TESTDATA_DIR]
 * Exports are rendered here from tables the shared core builds, in the
 * module's format (wmh_debugfs.c), then parsed and verified: identical
 * with the right key and size; differing with a wrong one, a changed slot
 * or a changed weight; a drained dest accepted; an old table after a
 * failed rebuild reported as such; every malformed file refused with its
 * line. TESTDATA_DIR's samples.txt lists exports saved from the real
 * module ("FILE TABLE_SIZE KEY" per line), each of which must parse and
 * be identical to the core's table. Exit 0 when every check passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wmh_export.h"
#include "verify.h"
#include "hrw_table.h"
#include "wmh_table.h"

static int failures, checks;

#define CHECK(cond)                                                            \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

struct tdest {
	const char *addr; /* "172.16.0.1" or "fd00::1" */
	unsigned short port;
	unsigned int weight;
};

/* A growing text buffer. */
struct tbuf {
	char *s;
	size_t n, cap;
};

static void tprintf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->n + (size_t)need + 1 > b->cap) {
		b->cap = (b->n + (size_t)need + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

static int taf(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

/*
 * The export of a service @svc ("udp 10.0.0.1:53") of @n dests as the
 * module renders it, its table built by the core with @size and @key;
 * @last_error and @reason as the module records a failed rebuild.
 */
/*
 * The module trender() renders for: "wmh", "hrw" (its builder) or "chbl"
 * (wmh's builder).
 */
static const char *tsched = "wmh";

static char *trender(const char *svc, const struct tdest *d, unsigned int n,
		     unsigned int size, const struct wmh_hash_key *key,
		     int last_error, const char *reason)
{
	struct wmh_dest_spec spec[64];
	unsigned char a[16];
	struct wmh_table t;
	struct tbuf b = { 0 };
	unsigned int i, s, idx;

	for (i = 0; i < n; i++) {
		memset(a, 0, sizeof(a));
		inet_pton(taf(d[i].addr), d[i].addr, a);
		wmh_dest_spec_init(&spec[i],
				   taf(d[i].addr) == AF_INET6 ? WMH_AF_INET6
							      : WMH_AF_INET,
				   a, htons(d[i].port), (int)d[i].weight);
	}
	if (!strcmp(tsched, "hrw") ? hrw_table_build(&t, size, key, spec, n)
				   : wmh_table_build(&t, size, key, spec, n))
		abort();
	tprintf(&b,
		"ip_vs_wmh table export 1\nsched_name %s\nnetns 4026531840\n",
		tsched);
	tprintf(&b, "service %s\nflags 0x10\nport_hash 1\noverflow 0\n", svc);
	tprintf(&b, "table_size %u\nhash_key_fingerprint %08x\ngeneration 7\n",
		size, wmh_hash_key_fingerprint(key));
	if (last_error)
		tprintf(&b, "last_error %d %s\n", last_error, reason);
	else
		tprintf(&b, "last_error 0\n");
	tprintf(&b, "failed_rebuilds %d\ndests %u\n", last_error ? 1 : 0, n);
	for (i = 0; i < n; i++)
		tprintf(&b,
			taf(d[i].addr) == AF_INET6
				? "dest %u addr=[%s]:%u table_weight=%u weight=%u state=%s\n"
				: "dest %u addr=%s:%u table_weight=%u weight=%u state=%s\n",
			i, d[i].addr, d[i].port, d[i].weight, d[i].weight,
			d[i].weight ? "up" : "down");
	tprintf(&b, "slots %u\n", size);
	for (s = 0; s < size; s++) {
		if (s % 16 == 0)
			tprintf(&b, "%s%u:", s ? "\n" : "", s);
		idx = wmh_table_slot(&t, s);
		if (idx == WMH_NO_DEST)
			tprintf(&b, " -");
		else
			tprintf(&b, " %u", idx);
	}
	tprintf(&b, "\nend\n");
	wmh_table_free(&t);
	return b.s;
}

/* The configuration of the same service and dests (weights as given). */
static void tconfig(struct ipvs_nl_service *svc, const char *proto,
		    const char *vip, unsigned short port, const struct tdest *d,
		    unsigned int n)
{
	unsigned int i;

	memset(svc, 0, sizeof(*svc));
	svc->af = taf(vip);
	svc->proto = !strcmp(proto, "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	inet_pton(svc->af, vip, &svc->addr);
	svc->port = port;
	snprintf(svc->sched, sizeof(svc->sched), "wmh");
	svc->dests = calloc(n ? n : 1, sizeof(*svc->dests));
	svc->ndests = n;
	for (i = 0; i < n; i++) {
		svc->dests[i].af = taf(d[i].addr);
		inet_pton(svc->dests[i].af, d[i].addr, &svc->dests[i].addr);
		svc->dests[i].port = d[i].port;
		svc->dests[i].weight = d[i].weight;
	}
}

static const struct tdest v4dests[] = {
	{ "172.16.7.1", 53, 1 },   { "172.16.7.2", 53, 100 },
	{ "172.16.7.3", 53, 5 },   { "172.16.7.4", 53, 50 },
	{ "172.16.7.5", 5353, 7 }, { "172.16.7.6", 53, 65535 },
};
#define NV4 (sizeof(v4dests) / sizeof(v4dests[0]))

/* Weights of one order of magnitude: every dest holds many slots. */
static const struct tdest evendests[] = {
	{ "172.16.8.1", 80, 10 },
	{ "172.16.8.2", 80, 20 },
	{ "172.16.8.3", 80, 30 },
	{ "172.16.8.4", 80, 40 },
};

static struct wmh_hash_key tkey(void)
{
	struct wmh_hash_key k;

	if (wmh_hash_key_parse("f0e1d2c3b4a5968778695a4b3c2d1e0f", &k))
		abort();
	return k;
}

static int tparse(const char *text, struct wmh_export *e, char *err,
		  size_t errlen)
{
	return export_parse(text, strlen(text), e, err, errlen);
}

static void test_round_trip(void)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = k,
				   .max_diffs = 5 };
	struct ipvs_nl_service cfg;
	struct verify_result r;
	struct wmh_export e;
	char err[256], name[64];
	char *text = trender("udp 10.0.7.1:53", v4dests, NV4, 251, &k, 0, "");

	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(!strcmp(e.sched_name, "wmh"));
	CHECK(e.netns == 4026531840ULL);
	CHECK(e.af == AF_INET && e.protocol == IPPROTO_UDP && e.port == 53);
	CHECK(e.flags == 0x10 && e.port_hash && !e.overflow);
	CHECK(e.table_size == 251 && e.generation == 7 && !e.last_error);
	CHECK(e.key_fingerprint == wmh_hash_key_fingerprint(&k));
	CHECK(e.ndests == NV4 && e.dests[4].port == 5353 &&
	      e.dests[5].table_weight == 65535 &&
	      e.dests[0].state == EXPORT_DEST_UP);
	export_service_name(&e, name, sizeof(name));
	CHECK(!strcmp(name, "udp 10.0.7.1:53"));
	export_dest_name(&e, 1, name, sizeof(name));
	CHECK(!strcmp(name, "172.16.7.2:53"));

	tconfig(&cfg, "udp", "10.0.7.1", 53, v4dests, NV4);
	CHECK(verify_same_service(&e, &cfg));
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL && !r.differing && !r.nnotes);
	verify_result_free(&r);

	/* Another port, protocol or address is another service. */
	cfg.port = 54;
	CHECK(!verify_same_service(&e, &cfg));
	cfg.port = 53;
	cfg.proto = IPPROTO_TCP;
	CHECK(!verify_same_service(&e, &cfg));
	cfg.proto = IPPROTO_UDP;

	/* Without a table size to hold it to, the export's own is used. */
	p.table_size = 0;
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL);
	verify_result_free(&r);
	free(cfg.dests);
	export_free(&e);
	free(text);
}

static void test_wrong_key_and_size(void)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = wmh_default_hash_key,
				   .max_diffs = 3 };
	struct verify_result r;
	struct wmh_export e;
	char err[256];
	char *text = trender("udp 10.0.7.1:53", evendests, 4, 251, &k, 0, "");

	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && r.key_differs);
	/* Two random tables of these weights share about 30% of slots. */
	CHECK(r.differing > 100 && r.ndiffs == 3);
	CHECK(r.diffs[0].kernel != r.diffs[0].computed &&
	      r.diffs[0].slot < r.diffs[1].slot);
	CHECK(r.nnotes == 1 && strstr(r.notes[0], "fingerprint"));
	verify_result_free(&r);

	p.key = k;
	p.table_size = 257;
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && r.size_differs && !r.differing);
	CHECK(r.nnotes == 1 &&
	      strstr(r.notes[0], "table has 251 slots, 257 expected"));
	verify_result_free(&r);
	export_free(&e);
	free(text);
}

/* One slot of the export changed: exactly that slot differs. */
static void test_changed_slot(void)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = k,
				   .max_diffs = 10 };
	struct verify_result r;
	struct wmh_export e;
	char err[256], *line, *v;
	char *text = trender("udp 10.0.7.1:53", v4dests, NV4, 251, &k, 0, "");
	unsigned int was;

	/* Slot 32 is the first value of the line "32: ...". */
	line = strstr(text, "\n32: ");
	CHECK(line != NULL);
	if (!line)
		return;
	v = line + 5;
	was = (unsigned int)(*v - '0');
	*v = was == 0 ? '1' : '0';
	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && r.differing == 1 && r.ndiffs == 1);
	CHECK(r.diffs[0].slot == 32 && r.diffs[0].computed == was &&
	      r.diffs[0].kernel == (was == 0 ? 1u : 0u));
	verify_result_free(&r);
	export_free(&e);
	free(text);
}

static void test_config(void)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = k,
				   .max_diffs = 10 };
	struct ipvs_nl_service cfg;
	struct verify_result r;
	struct wmh_export e;
	char err[256];
	char *text = trender("udp 10.0.7.1:53", v4dests, NV4, 251, &k, 0, "");

	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	tconfig(&cfg, "udp", "10.0.7.1", 53, v4dests, NV4);

	/* Drained: weight 0 in the dump, the last weight in the table. */
	cfg.dests[1].weight = 0;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL && r.drained == 1 && !r.nnotes);
	verify_result_free(&r);

	/* Another non-zero weight is a disagreement. */
	cfg.dests[1].weight = 99;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && !r.differing && r.nnotes == 1 &&
	      strstr(r.notes[0],
		     "172.16.7.2:53 has weight 99 in the configuration, the table was built with 100"));
	verify_result_free(&r);
	cfg.dests[1].weight = 100;

	/* A dest missing on either side. */
	cfg.ndests--;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && r.nnotes == 1 &&
	      strstr(r.notes[0],
		     "172.16.7.6:53 (table weight 65535, up) is in the table but not in the configuration"));
	verify_result_free(&r);
	cfg.ndests++;
	cfg.dests[3].port = 54;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS && r.nnotes == 2 &&
	      strstr(r.notes[0],
		     "172.16.7.4:54 (weight 50) is in the configuration but not in the table"));
	verify_result_free(&r);
	free(cfg.dests);
	export_free(&e);
	free(text);
}

/* After a failed rebuild the old table serves; the config moved on. */
static void test_old_table(void)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = k,
				   .max_diffs = 10 };
	struct ipvs_nl_service cfg;
	struct verify_result r;
	struct wmh_export e;
	char err[256];
	char *text = trender("udp 10.0.7.1:53", v4dests, NV4, 251, &k, -12,
			     "out of memory (debug_fail_rebuilds)");

	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(e.last_error == -12 &&
	      !strcmp(e.last_reason, "out of memory (debug_fail_rebuilds)") &&
	      e.failed_rebuilds == 1);
	tconfig(&cfg, "udp", "10.0.7.1", 53, v4dests, NV4);
	cfg.dests[0].weight = 77;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_OLD_TABLE && !r.differing && r.nnotes == 1 &&
	      strstr(r.notes[0], "weight 77 in the configuration"));
	verify_result_free(&r);
	/* An old table that is not the core's still differs. */
	p.key = wmh_default_hash_key;
	CHECK(verify_service(&e, &cfg, &p, &r) == 0);
	CHECK(r.status == VERIFY_DIFFERS);
	verify_result_free(&r);
	free(cfg.dests);
	export_free(&e);
	free(text);
}

static void test_v6_fwmark_empty(void)
{
	static const struct tdest v6[] = { { "fd00:2::40:1", 8080, 3 },
					   { "fd00:2::40:2", 8080, 9 },
					   { "10.1.2.3", 8080, 4 } };
	struct wmh_hash_key k = wmh_default_hash_key;
	struct verify_params p = { .table_size = 13,
				   .key = k,
				   .max_diffs = 10 };
	struct verify_result r;
	struct wmh_export e;
	char err[256], name[64];
	char *text = trender("tcp [fd00::40:1]:80", v6, 3, 13, &k, 0, "");
	unsigned int s;

	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(e.af == AF_INET6 && e.protocol == IPPROTO_TCP && e.port == 80);
	CHECK(e.dests[0].af == AF_INET6 && e.dests[2].af == AF_INET);
	export_service_name(&e, name, sizeof(name));
	CHECK(!strcmp(name, "tcp [fd00::40:1]:80"));
	export_dest_name(&e, 1, name, sizeof(name));
	CHECK(!strcmp(name, "[fd00:2::40:2]:8080"));
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL);
	verify_result_free(&r);
	export_free(&e);
	free(text);

	text = trender("fwmark 40 ipv6", NULL, 0, 13, &k, 0, "");
	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(e.fwmark == 40 && e.af == AF_INET6 && e.ndests == 0);
	for (s = 0; s < 13; s++)
		CHECK(e.slots[s] == EXPORT_NO_DEST);
	export_service_name(&e, name, sizeof(name));
	CHECK(!strcmp(name, "fwmark 40 ipv6"));
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL);
	verify_result_free(&r);
	export_free(&e);
	free(text);
}

/* @text with the first @from replaced by @to (a new string). */
static char *tedit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	if (!at || !out)
		abort();
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to,
		 at + strlen(from));
	return out;
}

/* The edit must make the parser fail with @want in its message. */
static void tbad(const char *base, const char *from, const char *to,
		 const char *want)
{
	char *text = tedit(base, from, to);
	struct wmh_export e;
	char err[256] = "";
	int ret = tparse(text, &e, err, sizeof(err));

	CHECK(ret == -EINVAL);
	if (ret != -EINVAL || !strstr(err, want)) {
		failures += ret == -EINVAL;
		fprintf(stderr, "  edit '%s' -> '%s': got '%s', want '%s'\n",
			from, to, err, want);
	}
	if (!ret)
		export_free(&e);
	free(text);
}

static void test_malformed(void)
{
	struct wmh_hash_key k = tkey();
	char *text = trender("udp 10.0.7.1:53", v4dests, NV4, 19, &k, 0, "");
	struct wmh_export e;
	char err[256], *t;
	int ret;

	tbad(text, "ip_vs_wmh table export 1", "ip_vs_wmh table export 2",
	     "line 1: format '2' (this tool reads format 1)");
	tbad(text, "ip_vs_wmh table export 1", "hello",
	     "line 1: not an ip_vs_wmh table export");
	tbad(text, "generation 7\n", "", "the header lacks one of");
	tbad(text, "netns 4026531840", "netns x", "line 3: bad netns");
	tbad(text, "service udp 10.0.7.1:53", "service udp 10.0.7.1",
	     "bad service address");
	tbad(text, "table_size 19", "table_size 0", "bad table_size");
	tbad(text, "hash_key_fingerprint ", "hash_key_fingerprint 0",
	     "bad hash_key_fingerprint");
	tbad(text, "last_error 0", "last_error -12",
	     "last_error: expected 0, or -ERRNO and a reason");
	tbad(text, "dests 6", "dests 7", "expected dest 6 of 7");
	tbad(text, "dest 2 ", "dest 3 ", "dest '3' where dest 2 was expected");
	tbad(text, "dest 1 addr=172.16.7.2:53", "dest 1 addr=172.16.7.256:53",
	     "dest 1: bad addr");
	tbad(text, " table_weight=100", "", "dest 1: no table_weight");
	tbad(text, "dest 0 addr=172.16.7.1:53 ", "dest 0 x ",
	     "dest 0: 'x' is no KEY=VALUE");
	tbad(text, "slots 19", "slots 20", "'slots 20' for a table_size of 19");
	tbad(text,
	     "\n16:", "\n17:", "slots from 17 where slot 16 was expected");
	tbad(text, "\n16: ", "\n16: 6 ",
	     "slot 16: '6' is no dest index (6 dests)");
	tbad(text, "\nend\n", "\n", "no 'end' after the slots");
	tbad(text, "\n16: ", "\n16: 1 ", "more than 19 slots");

	/* A truncated file names where it stopped. */
	t = strdup(text);
	t[strstr(t, "\n16:") - t + 1] = '\0';
	CHECK(tparse(t, &e, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "ends after 16 of 19 slots"));
	free(t);

	/* Unknown header keys and dest fields are for later versions. */
	t = tedit(text, "dests 6", "new_key some value\ndests 6");
	free(text);
	text = tedit(t, " state=up\n", " state=up future=1\n");
	free(t);
	ret = tparse(text, &e, err, sizeof(err));
	CHECK(ret == 0);
	if (!ret)
		export_free(&e);
	free(text);
}

/* Exports saved from the module in the VM suite. */
static void test_samples(const char *dir)
{
	char path[4096], file[256], keytext[64], err[256], line[512];
	struct verify_params p = { .max_diffs = 10 };
	struct verify_result r;
	struct wmh_export e;
	unsigned int size;
	int n = 0, ret;
	size_t len;
	char *text;
	FILE *f;

	snprintf(path, sizeof(path), "%s/samples.txt", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%255s %u %63s", file, &size, keytext) != 3) {
			CHECK(!"a samples.txt line is FILE TABLE_SIZE KEY");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		ret = export_read_file(path, &text, &len);
		CHECK(ret == 0);
		if (ret)
			continue;
		ret = export_parse(text, len, &e, err, sizeof(err));
		free(text);
		if (ret)
			fprintf(stderr, "%s: %s\n", path, err);
		CHECK(ret == 0);
		if (ret)
			continue;
		p.table_size = size;
		if (!strcmp(keytext, "default"))
			p.key = wmh_default_hash_key;
		else
			CHECK(wmh_hash_key_parse(keytext, &p.key) == 0);
		CHECK(verify_service(&e, NULL, &p, &r) == 0);
		if (r.status != VERIFY_IDENTICAL &&
		    r.status != VERIFY_OLD_TABLE)
			fprintf(stderr, "%s: %s, %u slots differ\n", path,
				verify_status_name(r.status), r.differing);
		CHECK(r.status == VERIFY_IDENTICAL ||
		      r.status == VERIFY_OLD_TABLE);
		verify_result_free(&r);
		export_free(&e);
		n++;
	}
	fclose(f);
	CHECK(n > 0);
	printf("ipvs_verify_tests: %d saved exports of the module\n", n);
}

/*
 * An export of module @sched for @svc is held to that module's table:
 * identical as rendered; read as @other's (sched_name changed) the same
 * slots differ, so the builder is chosen by name.
 */
static void check_builder(const char *sched, const char *svc, const char *other)
{
	struct wmh_hash_key k = tkey();
	struct verify_params p = { .table_size = 251,
				   .key = k,
				   .max_diffs = 3 };
	char err[256], *text, *as_other, from[32], to[32];
	struct verify_result r;
	struct wmh_export e;

	tsched = sched;
	text = trender(svc, evendests, 4, 251, &k, 0, "");
	tsched = "wmh";
	CHECK(tparse(text, &e, err, sizeof(err)) == 0);
	CHECK(!strcmp(e.sched_name, sched));
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	CHECK(r.status == VERIFY_IDENTICAL && r.differing == 0);
	verify_result_free(&r);
	export_free(&e);

	snprintf(from, sizeof(from), "sched_name %s", sched);
	snprintf(to, sizeof(to), "sched_name %s", other);
	as_other = tedit(text, from, to);
	CHECK(tparse(as_other, &e, err, sizeof(err)) == 0);
	CHECK(verify_service(&e, NULL, &p, &r) == 0);
	/* Two random tables of these weights share about 30% of slots. */
	CHECK(r.status == VERIFY_DIFFERS && r.differing > 100);
	verify_result_free(&r);
	export_free(&e);
	free(as_other);
	free(text);
}

/* ip_vs_hrw's exports are held to hrw's tables, not wmh's. */
static void test_hrw(void)
{
	check_builder("hrw", "udp 10.0.7.1:53", "wmh");
}

/*
 * ip_vs_chbl's (sched_name chbl, from /sys/kernel/debug/ip_vs_chbl) to
 * wmh's tables, not hrw's.
 */
static void test_chbl(void)
{
	check_builder("chbl", "tcp 10.0.7.2:80", "hrw");
}

int main(int argc, char **argv)
{
	test_round_trip();
	test_wrong_key_and_size();
	test_changed_slot();
	test_config();
	test_old_table();
	test_v6_fwmark_empty();
	test_malformed();
	test_hrw();
	test_chbl();
	if (argc > 1)
		test_samples(argv[1]);
	printf("ipvs_verify_tests: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
