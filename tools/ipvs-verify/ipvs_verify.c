// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-verify: is the kernel serving the table the simulator computes?
 * Reads the live IPVS configuration over netlink and ip_vs_wmh's table
 * export from debugfs, builds every wmh service's table with the shared
 * core (kmod/wmh_table.c, the code the module runs) and compares the two
 * slot by slot. Exit 0 when every service is identical, 1 when one
 * differs, 2 on a usage or environment error. Needs root (CAP_NET_ADMIN
 * for the dump, root for debugfs and the hash key).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "wmh_export.h"
#include "ipvs_nl.h"
#include "verify.h"
#include "wmh_table.h"

#define VERIFY_EXIT_OK 0
#define VERIFY_EXIT_DIFFERS 1
#define VERIFY_EXIT_ERROR 2

#define VERIFY_DEBUGFS "/sys/kernel/debug"
#define VERIFY_DEBUGFS_MAGIC 0x64626720
#define VERIFY_ATTEMPTS 5

struct verify_opts {
	bool json, strict, tables_only, have_size, have_key;
	unsigned int table_size, max_diffs;
	struct wmh_hash_key key;
	const char *export_dir; /* NULL: debugfs */
};

/* The exports read from a directory, sorted by file name. */
struct verify_exports {
	struct wmh_export *e;
	char **file;
	size_t n;
};

static bool verify_json_out;

/*
 * The module checked (--module): ip_vs_wmh, ip_vs_hrw or ip_vs_chbl, which
 * share the export format; its /sys/module directory, parameters and
 * export. chbl's tables are wmh's (its load bound is applied at lookup).
 */
static const char *verify_mod = "wmh";
static char verify_module_dir[64], verify_params[80], verify_export_dir[64];

static void verify_set_module(const char *mod)
{
	verify_mod = mod;
	snprintf(verify_module_dir, sizeof(verify_module_dir),
		 "/sys/module/ip_vs_%s", mod);
	snprintf(verify_params, sizeof(verify_params), "%s/parameters",
		 verify_module_dir);
	snprintf(verify_export_dir, sizeof(verify_export_dir),
		 VERIFY_DEBUGFS "/ip_vs_%s", mod);
}

/*
 * A usage or environment error: KIND names it for --json ("no-ipvs",
 * "no-cap-net-admin", "module-not-loaded", "debugfs-not-mounted", ...).
 */
static int verify_error(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int verify_error(const char *kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	const char *c;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ipvs-verify: %s\n", msg);
	if (verify_json_out) {
		printf("{\"error\": \"%s\", \"message\": \"", kind);
		for (c = msg; *c; c++) {
			if (*c == '"' || *c == '\\')
				putchar('\\');
			if ((unsigned char)*c >= 0x20)
				putchar(*c);
		}
		printf("\"}\n");
	}
	return VERIFY_EXIT_ERROR;
}

static void verify_usage(FILE *f)
{
	fprintf(f,
		"usage: ipvs-verify [--json] [--table-size N] [--hash-key HEX32|default]\n"
		"                   [--max-diffs N] [--strict] [--export DIR] [--tables-only]\n"
		"                   [--module wmh|hrw|chbl]\n"
		"\n"
		"Compares the table ip_vs_wmh serves for every wmh service of this network\n"
		"namespace (its debugfs export) with the table the shared core builds, slot\n"
		"by slot, and the export's dests with the live configuration (netlink).\n"
		"Exit 0: every service identical; 1: one differs; 2: a usage or environment\n"
		"error (no IPVS, no CAP_NET_ADMIN, module not loaded, debugfs not mounted).\n"
		"\n"
		"  --json             one JSON object on standard output\n"
		"  --table-size N     the table size to hold the kernel to (default: the\n"
		"                     module's, from /sys/module/ip_vs_MOD/parameters)\n"
		"  --hash-key HEX32   the hash key to build with, 32 hex digits, or default\n"
		"                     for the built-in one (default: the module's; root only)\n"
		"  --max-diffs N      differing slots listed per service (default 10)\n"
		"  --strict           a service serving an old table after a failed rebuild\n"
		"                     counts as differing (exit 1)\n"
		"  --export DIR       read the export files from DIR (a saved copy) instead\n"
		"                     of " VERIFY_DEBUGFS "/ip_vs_MOD\n"
		"  --tables-only      check every export against the core's table from its\n"
		"                     own dests, without reading the configuration (no IPVS\n"
		"                     or root needed for a saved copy)\n"
		"  --module MOD       the module to check: wmh (ip_vs_wmh, the default),\n"
		"                     hrw (ip_vs_hrw) or chbl (ip_vs_chbl, whose tables\n"
		"                     are wmh's); MOD above is its name\n"
		"  -h, --help         this text\n");
}

enum {
	O_JSON = 256,
	O_SIZE,
	O_KEY,
	O_MAX,
	O_STRICT,
	O_EXPORT,
	O_ONLY,
	O_MODULE
};

/* --module NAME: one of our modules, or the exit status of a usage error. */
static int verify_parse_module(const char *name)
{
	static const char *const modules[] = { "wmh", "hrw", "chbl" };
	size_t i;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		if (!strcmp(name, modules[i])) {
			verify_set_module(modules[i]);
			return -1;
		}
	}
	return verify_error("usage", "--module %s: it must be wmh, hrw or chbl",
			    name);
}

/* --table-size P. */
static int verify_parse_size(const char *arg, struct verify_opts *o)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || !*arg || v > UINT32_MAX ||
	    wmh_table_size_check((u32)v))
		return verify_error(
			"usage",
			"--table-size %s: it must be a prime in [%u, %u], as ip_vs_wmh's table_size",
			arg, WMH_TABLE_SIZE_MIN, WMH_TABLE_SIZE_MAX);
	o->table_size = (unsigned int)v;
	o->have_size = true;
	return -1;
}

/* --max-diffs N. */
static int verify_parse_max(const char *arg, struct verify_opts *o)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || !*arg || v > 1000000)
		return verify_error(
			"usage", "--max-diffs %s: a number up to 1000000", arg);
	o->max_diffs = (unsigned int)v;
	return -1;
}

/* --hash-key HEX32|default. */
static int verify_parse_key(const char *arg, struct verify_opts *o)
{
	if (!strcmp(arg, "default"))
		o->key = wmh_default_hash_key;
	else if (wmh_hash_key_parse(arg, &o->key))
		return verify_error(
			"usage",
			"--hash-key: '%s' is not 32 hex digits (no 0x), nor default",
			arg);
	o->have_key = true;
	return -1;
}

/* One option @c (with optarg); -1 to go on, or the exit status. */
static int verify_parse_opt(int c, struct verify_opts *o)
{
	switch (c) {
	case O_JSON:
		o->json = true;
		verify_json_out = true;
		return -1;
	case O_SIZE:
		return verify_parse_size(optarg, o);
	case O_KEY:
		return verify_parse_key(optarg, o);
	case O_MAX:
		return verify_parse_max(optarg, o);
	case O_STRICT:
		o->strict = true;
		return -1;
	case O_EXPORT:
		o->export_dir = optarg;
		return -1;
	case O_ONLY:
		o->tables_only = true;
		return -1;
	case O_MODULE:
		return verify_parse_module(optarg);
	case 'h':
		verify_usage(stdout);
		return VERIFY_EXIT_OK;
	default:
		verify_usage(stderr);
		return VERIFY_EXIT_ERROR;
	}
}

/* Returns -1 to go on, or the exit status. */
static int verify_parse_args(int argc, char **argv, struct verify_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "table-size", required_argument, NULL, O_SIZE },
		{ "hash-key", required_argument, NULL, O_KEY },
		{ "max-diffs", required_argument, NULL, O_MAX },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "export", required_argument, NULL, O_EXPORT },
		{ "tables-only", no_argument, NULL, O_ONLY },
		{ "module", required_argument, NULL, O_MODULE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	o->max_diffs = 10;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		ret = verify_parse_opt(c, o);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc) {
		verify_usage(stderr);
		return verify_error("usage", "unexpected argument '%s'",
				    argv[optind]);
	}
	return -1;
}

/* A module parameter's value without its newline; 0 or -errno. */
static int verify_read_param(const char *name, char *buf, size_t len)
{
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", verify_params, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool verify_module_loaded(void)
{
	struct stat st;

	return !stat(verify_module_dir, &st) && S_ISDIR(st.st_mode);
}

/*
 * The name the module registered under, and its table size and hash key
 * unless options gave them. Returns -1 to go on, or the exit status.
 */
static int verify_module_params(struct verify_opts *o, char *sched_name,
				size_t len)
{
	char buf[128];
	unsigned long v;
	int ret;

	ret = verify_read_param("sched_name", sched_name, len);
	if (ret == -ENOENT)
		/* hrw and chbl have no sched_name; nor had wmh before 0.1.0 */
		snprintf(sched_name, len, "%s", verify_mod);
	else if (ret)
		return verify_error("module-params", "%s/sched_name: %s",
				    verify_params, strerror(-ret));
	if (!o->have_size) {
		ret = verify_read_param("table_size", buf, sizeof(buf));
		if (ret)
			return verify_error("module-params",
					    "%s/table_size: %s", verify_params,
					    strerror(-ret));
		v = strtoul(buf, NULL, 10);
		o->table_size = (unsigned int)v;
		o->have_size = true;
	}
	if (!o->have_key) {
		ret = verify_read_param("hash_key", buf, sizeof(buf));
		if (ret == -EACCES || ret == -EPERM)
			return verify_error(
				"not-root",
				"not root: %s/hash_key is readable by root only; run as root or pass --hash-key",
				verify_params);
		if (ret)
			return verify_error("module-params", "%s/hash_key: %s",
					    verify_params, strerror(-ret));
		if (!strcmp(buf, "(null)"))
			o->key = wmh_default_hash_key;
		else if (wmh_hash_key_parse(buf, &o->key))
			return verify_error("module-params",
					    "%s/hash_key: '%s' is no key",
					    verify_params, buf);
		o->have_key = true;
	}
	return -1;
}

/* debugfs mounted and the export directory there and readable. */
static int verify_export_dir_ok(const char *dir, bool is_debugfs)
{
	struct statfs sfs;
	struct stat st;

	if (is_debugfs && (statfs(VERIFY_DEBUGFS, &sfs) ||
			   (unsigned long)sfs.f_type != VERIFY_DEBUGFS_MAGIC))
		return verify_error(
			"debugfs-not-mounted",
			"debugfs not mounted on %s (mount -t debugfs none %s)",
			VERIFY_DEBUGFS, VERIFY_DEBUGFS);
	if (stat(dir, &st)) {
		if (errno == EACCES)
			return verify_error(
				"not-root",
				"not root: %s is readable by root only", dir);
		if (is_debugfs)
			return verify_error(
				"no-export",
				"no table export: %s does not exist (ip_vs_wmh older than the export, or a kernel without CONFIG_DEBUG_FS; dmesg says which)",
				dir);
		return verify_error("no-export", "%s: %s", dir,
				    strerror(errno));
	}
	if (access(dir, R_OK | X_OK))
		return verify_error("not-root", "not root: cannot read %s: %s",
				    dir, strerror(errno));
	return -1;
}

static unsigned long long verify_own_netns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return 0;
	return (unsigned long long)st.st_ino;
}

static void verify_exports_free(struct verify_exports *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		export_free(&x->e[i]);
		free(x->file[i]);
	}
	free(x->e);
	free(x->file);
	memset(x, 0, sizeof(*x));
}

static int verify_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every export of @dir whose name starts with @prefix ("" for all): 0,
 * -EAGAIN when a file vanished while being read (a service went), or the
 * exit status of an error (reported).
 */
static int verify_read_exports(const char *dir, const char *prefix,
			       struct verify_exports *x)
{
	char path[4096], err[256];
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, i;
	int ret = 0;
	char *text;
	size_t len;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return verify_error("no-export", "%s: %s", dir,
				    strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = verify_error("memory", "out of memory");
			goto out;
		}
		names = nn;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), verify_name_cmp);
	x->e = calloc(n ? n : 1, sizeof(*x->e));
	x->file = calloc(n ? n : 1, sizeof(*x->file));
	if (!x->e || !x->file) {
		ret = verify_error("memory", "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ret = export_read_file(path, &text, &len);
		if (ret == -ENOENT || ret == -EIO) {
			ret = -EAGAIN; /* removed while we read */
			goto out;
		}
		if (ret == -EACCES || ret == -EPERM) {
			ret = verify_error(
				"not-root",
				"not root: %s is readable by root only", path);
			goto out;
		}
		if (ret) {
			ret = verify_error("no-export", "%s: %s", path,
					   strerror(-ret));
			goto out;
		}
		ret = export_parse(text, len, &x->e[x->n], err, sizeof(err));
		free(text);
		if (ret) {
			ret = verify_error("bad-export", "%s: %s", path, err);
			goto out;
		}
		x->file[x->n++] = names[i];
		names[i] = NULL;
	}
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names ? names[i] : NULL);
	free(names);
	if (ret)
		verify_exports_free(x);
	return ret;
}

/* The same files at the same generations. */
static bool verify_exports_same(const struct verify_exports *a,
				const struct verify_exports *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->file[i], b->file[i]) ||
		    a->e[i].generation != b->e[i].generation)
			return false;
	return true;
}

/* What ipvs_nl_read() said, as one of our errors. */
static int verify_nl_error(int status, const char *err)
{
	switch (status) {
	case IPVS_NL_NO_IPVS:
		return verify_error("no-ipvs", "no IPVS: %s", err);
	case IPVS_NL_NO_PERM:
		return verify_error("no-cap-net-admin", "no CAP_NET_ADMIN: %s",
				    err);
	default:
		return verify_error("netlink", "%s", err);
	}
}

/*
 * The configuration and the exports of this namespace, read so that no
 * table changed in between: exports, configuration, exports again, until
 * both reads of the exports agree.
 */
static int verify_read_live(const char *dir, struct ipvs_nl_config *cfg,
			    struct verify_exports *x)
{
	struct verify_exports again = { 0 };
	char prefix[32], err[256];
	int attempt, ret, st;

	snprintf(prefix, sizeof(prefix), "%llu-", verify_own_netns());
	for (attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
		if (attempt)
			usleep(200000);
		ret = verify_read_exports(dir, prefix, x);
		if (ret == -EAGAIN)
			continue;
		if (ret)
			return ret;
		st = ipvs_nl_read(cfg, err, sizeof(err));
		if (st != IPVS_NL_OK) {
			verify_exports_free(x);
			return verify_nl_error(st, err);
		}
		ret = verify_read_exports(dir, prefix, &again);
		if (ret == 0 && verify_exports_same(x, &again)) {
			verify_exports_free(&again);
			return 0;
		}
		verify_exports_free(&again);
		verify_exports_free(x);
		ipvs_nl_free(cfg);
		if (ret && ret != -EAGAIN)
			return ret;
	}
	return verify_error(
		"changing",
		"the configuration changed while it was read, %d times: try again",
		VERIFY_ATTEMPTS);
}

static void verify_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

struct verify_line {
	const struct wmh_export *e;
	const char *file;
	struct verify_result r;
};

static void verify_print_text(const struct verify_line *l, size_t n,
			      const char *sched_name)
{
	unsigned int counts[3] = { 0, 0, 0 }, i;
	char svc[96], k[64], c[64];
	size_t j;

	for (j = 0; j < n; j++) {
		const struct wmh_export *e = l[j].e;
		const struct verify_result *r = &l[j].r;

		counts[r->status]++;
		export_service_name(e, svc, sizeof(svc));
		switch (r->status) {
		case VERIFY_IDENTICAL:
			printf("%s: identical: %u slots, %u dests, generation %llu",
			       svc, e->table_size, e->ndests, e->generation);
			if (r->drained)
				printf(", %u drained (built with their last weight)",
				       r->drained);
			printf("\n");
			break;
		case VERIFY_OLD_TABLE:
			printf("%s: SERVING AN OLD TABLE: the last rebuild failed (%d: %s); the kernel still serves generation %llu, %u dests, identical to the core's table from them\n",
			       svc, e->last_error, e->last_reason,
			       e->generation, e->ndests);
			break;
		default:
			if (r->size_differs)
				printf("%s: DIFFERS: another table size (slots not compared)\n",
				       svc);
			else if (r->differing)
				printf("%s: DIFFERS in %u of %u slots\n", svc,
				       r->differing, e->table_size);
			else if (r->key_differs)
				printf("%s: DIFFERS: another hash key (no slot shows it: the table has no dest with a weight)\n",
				       svc);
			else
				printf("%s: DIFFERS: the table's dests are not the configuration's\n",
				       svc);
			if (e->last_error)
				printf("  the last rebuild failed (%d: %s): the kernel serves generation %llu\n",
				       e->last_error, e->last_reason,
				       e->generation);
		}
		for (i = 0; i < r->nnotes; i++)
			printf("  %s%s\n",
			       r->status == VERIFY_OLD_TABLE
				       ? "the configuration changed since: "
				       : "",
			       r->notes[i]);
		for (i = 0; i < r->ndiffs; i++) {
			export_dest_name(e, r->diffs[i].kernel, k, sizeof(k));
			export_dest_name(e, r->diffs[i].computed, c, sizeof(c));
			printf("  slot %u: kernel %s, computed %s\n",
			       r->diffs[i].slot, k, c);
		}
		if (r->differing > r->ndiffs)
			printf("  ... %u more differing slots\n",
			       r->differing - r->ndiffs);
	}
	if (!n)
		printf("ipvs-verify: no service served by %s to check\n",
		       sched_name);
	else
		printf("ipvs-verify: %zu service%s served by %s: %u identical, %u serving an old table, %u differ\n",
		       n, n == 1 ? "" : "s", sched_name,
		       counts[VERIFY_IDENTICAL], counts[VERIFY_OLD_TABLE],
		       counts[VERIFY_DIFFERS]);
}

static void verify_print_json(const struct verify_line *l, size_t n,
			      const char *sched_name,
			      const struct verify_opts *o, int status)
{
	unsigned int counts[3] = { 0, 0, 0 }, i;
	char buf[96];
	size_t j;

	printf("{\"sched_name\": ");
	verify_json_string(sched_name);
	printf(", \"table_size\": %u, \"hash_key_fingerprint\": \"%08x\", \"services\": [",
	       o->table_size, wmh_hash_key_fingerprint(&o->key));
	for (j = 0; j < n; j++) {
		const struct wmh_export *e = l[j].e;
		const struct verify_result *r = &l[j].r;

		counts[r->status]++;
		export_service_name(e, buf, sizeof(buf));
		printf("%s\n {\"service\": ", j ? "," : "");
		verify_json_string(buf);
		printf(", \"file\": ");
		verify_json_string(l[j].file);
		printf(", \"netns\": %llu, \"status\": \"%s\", \"generation\": %llu, \"table_size\": %u, \"dests\": %u, \"drained\": %u, \"last_error\": %d, \"last_error_reason\": ",
		       e->netns, verify_status_name(r->status), e->generation,
		       e->table_size, e->ndests, r->drained, e->last_error);
		verify_json_string(e->last_reason);
		printf(", \"serving_old_table\": %s, \"table_size_differs\": %s, \"hash_key_differs\": %s, \"differing_slots\": %u, \"first_differences\": [",
		       e->last_error ? "true" : "false",
		       r->size_differs ? "true" : "false",
		       r->key_differs ? "true" : "false", r->differing);
		for (i = 0; i < r->ndiffs; i++) {
			printf("%s{\"slot\": %u, \"kernel\": ", i ? ", " : "",
			       r->diffs[i].slot);
			export_dest_name(e, r->diffs[i].kernel, buf,
					 sizeof(buf));
			verify_json_string(buf);
			printf(", \"computed\": ");
			export_dest_name(e, r->diffs[i].computed, buf,
					 sizeof(buf));
			verify_json_string(buf);
			printf("}");
		}
		printf("], \"notes\": [");
		for (i = 0; i < r->nnotes; i++) {
			printf("%s", i ? ", " : "");
			verify_json_string(r->notes[i]);
		}
		printf("]}");
	}
	printf("\n], \"identical\": %u, \"old_table\": %u, \"differs\": %u, \"result\": \"%s\"}\n",
	       counts[VERIFY_IDENTICAL], counts[VERIFY_OLD_TABLE],
	       counts[VERIFY_DIFFERS],
	       status == VERIFY_EXIT_OK ? "identical" : "differs");
}

/*
 * Pairs every export with its service (none with --tables-only) and
 * verifies it into @l. Returns -1 to go on, or the exit status.
 */
static int verify_match(const struct verify_exports *x,
			const struct ipvs_nl_config *cfg,
			const char *sched_name, const struct verify_opts *o,
			struct verify_line *l)
{
	struct verify_params p = { .table_size = o->table_size,
				   .key = o->key,
				   .max_diffs = o->max_diffs };
	char name[96];
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		const struct ipvs_nl_service *svc = NULL;

		for (j = 0; cfg && j < cfg->nsvc; j++)
			if (verify_same_service(&x->e[i], &cfg->svc[j]))
				svc = &cfg->svc[j];
		export_service_name(&x->e[i], name, sizeof(name));
		if (cfg && !svc)
			return verify_error(
				"bad-export",
				"%s (%s) is exported but not in the configuration",
				x->file[i], name);
		l[i].e = &x->e[i];
		l[i].file = x->file[i];
		if (verify_service(&x->e[i], svc, &p, &l[i].r))
			return verify_error("memory", "out of memory");
	}
	/* Every service of ours must have its export. */
	for (j = 0; cfg && j < cfg->nsvc; j++) {
		if (strcmp(cfg->svc[j].sched, sched_name))
			continue;
		for (i = 0; i < x->n; i++)
			if (verify_same_service(&x->e[i], &cfg->svc[j]))
				break;
		if (i == x->n) {
			struct wmh_export tmp = { .af = cfg->svc[j].af,
						  .protocol = cfg->svc[j].proto,
						  .fwmark = cfg->svc[j].fwmark,
						  .port = cfg->svc[j].port };

			memcpy(tmp.addr, &cfg->svc[j].addr, 16);
			export_service_name(&tmp, name, sizeof(name));
			return verify_error(
				"no-export",
				"%s is served by %s but has no export file (dmesg may say 'no table export')",
				name, sched_name);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct verify_opts o = { 0 };
	struct ipvs_nl_config cfg = { 0 };
	struct verify_exports x = { 0 };
	struct verify_line *l = NULL;
	char sched_name[32], err[256];
	const char *dir;
	size_t i;
	int ret, st;

	verify_set_module("wmh");
	ret = verify_parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	snprintf(sched_name, sizeof(sched_name), "%s", verify_mod);
	dir = o.export_dir ? o.export_dir : verify_export_dir;

	if (!o.tables_only) {
		/* In this order: no IPVS, no CAP_NET_ADMIN, no module. */
		st = ipvs_nl_read(&cfg, err, sizeof(err));
		if (st != IPVS_NL_OK)
			return verify_nl_error(st, err);
		ipvs_nl_free(&cfg);
		if (!verify_module_loaded())
			return verify_error(
				"module-not-loaded",
				"module not loaded: no %s (ipvsadm -s %s loads it, or modprobe ip_vs_%s)",
				verify_module_dir, verify_mod, verify_mod);
	}
	if (verify_module_loaded()) {
		ret = verify_module_params(&o, sched_name, sizeof(sched_name));
		if (ret >= 0)
			return ret;
	} else if (!o.have_key) {
		return verify_error(
			"usage",
			"ip_vs_%s is not loaded here: pass --hash-key (and --table-size) to check %s",
			verify_mod, dir);
	}
	ret = verify_export_dir_ok(dir, !o.export_dir);
	if (ret >= 0)
		return ret;

	if (o.tables_only)
		ret = verify_read_exports(dir, "", &x);
	else
		ret = verify_read_live(dir, &cfg, &x);
	if (ret == -EAGAIN)
		return verify_error(
			"changing",
			"an export vanished while it was read: try again");
	if (ret)
		return ret;

	/* A saved copy read where the module is not loaded names it. */
	if (!verify_module_loaded() && x.n)
		snprintf(sched_name, sizeof(sched_name), "%s",
			 x.e[0].sched_name);
	l = calloc(x.n ? x.n : 1, sizeof(*l));
	if (!l)
		return verify_error("memory", "out of memory");
	ret = verify_match(&x, o.tables_only ? NULL : &cfg, sched_name, &o, l);
	if (ret < 0) {
		ret = VERIFY_EXIT_OK;
		for (i = 0; i < x.n; i++)
			if (l[i].r.status == VERIFY_DIFFERS ||
			    (o.strict && l[i].r.status == VERIFY_OLD_TABLE))
				ret = VERIFY_EXIT_DIFFERS;
		if (o.json)
			verify_print_json(l, x.n, sched_name, &o, ret);
		else
			verify_print_text(l, x.n, sched_name);
	}
	for (i = 0; i < x.n; i++)
		verify_result_free(&l[i].r);
	free(l);
	verify_exports_free(&x);
	ipvs_nl_free(&cfg);
	return ret;
}
