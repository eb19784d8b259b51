// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen check: compare the kernel's decisions with a prediction.
 *
 * Inputs are the flow list that was sent, the simulator's prediction for it
 * (`ipvs-sim predict` prints one line per input flow, in input order:
 * "CLIENT VIP DEST", DEST being an endpoint or '-' for no destination) and a
 * dump of /proc/net/ip_vs_conn taken after the flows were sent. Every flow
 * must agree: a flow with a predicted destination must have exactly one
 * connection entry, to that destination; a flow predicted '-' must have none.
 * Entries of flows not in the list (other bursts) are counted and ignored.
 */
#include "flowgen.h"
#include "conn.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { CHECK_NONE, CHECK_SEEN, CHECK_DUP };

struct check_flow {
	struct flow_ep expect; /* family 0: no destination predicted */
	struct flow_ep actual; /* of the first ip_vs_conn entry */
	int seen;
};

struct check_count {
	unsigned long agree, mismatch, missing, unexpected, dup;
	unsigned long entries, other;
};

/* Reads the prediction into cf[].expect; 0 or -1 (reported). */
static int check_read_prediction(const char *path, const struct flow_list *list,
				 const char *flows_path, struct check_flow *cf)
{
	char buf[512], *field[4];
	unsigned long line = 0;
	struct flow_ep c, v;
	const char *why;
	size_t flen[4], nf, i = 0;
	FILE *in = fopen(path, "r");
	int ret = -1, r;

	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	while ((r = flow_read_line(in, buf, sizeof(buf), path, &line)) > 0) {
		nf = flow_split(buf, field, flen, 4);
		if (nf == 0 || field[0][0] == '#')
			continue;
		if (nf != 3) {
			fprintf(stderr, "%s:%lu: expected CLIENT VIP DEST\n",
				path, line);
			goto out;
		}
		if (i >= list->n) {
			fprintf(stderr,
				"%s:%lu: more predictions than the %zu flows of %s\n",
				path, line, list->n, flows_path);
			goto out;
		}
		if (flow_ep_parse(field[0], flen[0], &c, &why) ||
		    flow_ep_parse(field[1], flen[1], &v, &why) ||
		    (!(flen[2] == 1 && field[2][0] == '-') &&
		     flow_ep_parse(field[2], flen[2], &cf[i].expect, &why))) {
			fprintf(stderr, "%s:%lu: %s\n", path, line, why);
			goto out;
		}
		if (!flow_ep_equal(&c, &list->flows[i].client) ||
		    !flow_ep_equal(&v, &list->flows[i].vip)) {
			fprintf(stderr,
				"%s:%lu: prediction is for another flow than %s:%u\n",
				path, line, flows_path, list->lines[i]);
			goto out;
		}
		i++;
	}
	if (r < 0)
		goto out;
	if (i != list->n) {
		fprintf(stderr, "%s: %zu predictions for the %zu flows of %s\n",
			path, i, list->n, flows_path);
		goto out;
	}
	ret = 0;
out:
	fclose(in);
	return ret;
}

/* Records every ip_vs_conn entry of a listed flow; 0 or -1 (reported). */
static int check_read_conn(const char *path, const struct flow_index *ix,
			   struct check_flow *cf, struct check_count *cnt)
{
	unsigned long line = 0;
	struct flow_ep dest;
	char buf[512];
	struct flow f;
	FILE *in = fopen(path, "r");
	long k;
	int r;

	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	while ((r = flow_read_line(in, buf, sizeof(buf), path, &line)) > 0) {
		switch (conn_parse_line(buf, &f, &dest)) {
		case CONN_HEADER:
			continue;
		case CONN_BAD:
			fprintf(stderr, "%s:%lu: not an ip_vs_conn line\n",
				path, line);
			fclose(in);
			return -1;
		case CONN_LINE:
			break;
		}
		cnt->entries++;
		k = flow_index_find(ix, &f);
		if (k < 0) {
			cnt->other++;
		} else if (cf[k].seen == CHECK_NONE) {
			cf[k].actual = dest;
			cf[k].seen = CHECK_SEEN;
		} else {
			cf[k].seen = CHECK_DUP;
		}
	}
	fclose(in);
	return r < 0 ? -1 : 0;
}

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen check --flows FILE --predict FILE --conn FILE [options]\n"
		"Compare /proc/net/ip_vs_conn with the simulator's prediction, flow by flow.\n"
		"  --flows FILE     the flow list that was sent (trace format)\n"
		"  --predict FILE   ipvs-sim predict output: CLIENT VIP DEST per flow, in order\n"
		"  --conn FILE      dump of /proc/net/ip_vs_conn\n"
		"  --report FILE    write the first mismatches there (default: stderr)\n"
		"  --max-report N   how many mismatches to write (default 20)\n"
		"  --name NAME      label of the summary line (default: the flows file)\n"
		"Prints one summary line starting PASS or FAIL.\n"
		"Exit status: 0 all flows agree, 1 disagreement, 2 bad input.\n");
}

struct check_opts {
	const char *flows_path, *pred_path, *conn_path, *report_path, *name;
	unsigned long max_report;
};

/* Returns -1 to go on, or the exit status (usage, bad number). */
static int check_parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option opts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "predict", required_argument, NULL, 'p' },
		{ "conn", required_argument, NULL, 'c' },
		{ "report", required_argument, NULL, 'r' },
		{ "max-report", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->flows_path = optarg;
			break;
		case 'p':
			o->pred_path = optarg;
			break;
		case 'c':
			o->conn_path = optarg;
			break;
		case 'r':
			o->report_path = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'm':
			o->max_report = strtoul(optarg, &end, 10);
			if (!*optarg || *end) {
				fprintf(stderr,
					"flowgen check: --max-report '%s': expected a number\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			check_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o->flows_path || !o->pred_path ||
	    !o->conn_path) {
		check_usage(stderr);
		return 2;
	}
	if (!o->name)
		o->name = o->flows_path;
	return -1;
}

/* The kind of disagreement of one flow and its count, or NULL if it agrees. */
static const char *check_classify(const struct check_flow *cf,
				  struct check_count *cnt)
{
	if (cf->seen == CHECK_DUP) {
		cnt->dup++;
		return "DUPLICATE";
	}
	if (cf->seen == CHECK_NONE) {
		if (!cf->expect.family) {
			cnt->agree++;
			return NULL;
		}
		cnt->missing++;
		return "MISSING";
	}
	if (!cf->expect.family) {
		cnt->unexpected++;
		return "UNEXPECTED";
	}
	if (!flow_ep_equal(&cf->expect, &cf->actual)) {
		cnt->mismatch++;
		return "MISMATCH";
	}
	cnt->agree++;
	return NULL;
}

/* Writes one disagreement line to report. */
static void check_report_flow(FILE *report, const char *kind,
			      const char *flows_path, unsigned int line,
			      const struct flow *f, const struct check_flow *cf)
{
	char cbuf[64], vbuf[64], ebuf[64], abuf[64];

	flow_ep_format(&f->client, cbuf, sizeof(cbuf));
	flow_ep_format(&f->vip, vbuf, sizeof(vbuf));
	strcpy(ebuf, "-");
	if (cf->expect.family)
		flow_ep_format(&cf->expect, ebuf, sizeof(ebuf));
	strcpy(abuf, "-");
	if (cf->seen != CHECK_NONE)
		flow_ep_format(&cf->actual, abuf, sizeof(abuf));
	fprintf(report, "%s %s:%u: %s %s -> %s: kernel %s%s, predicted %s\n",
		kind, flows_path, line, flow_proto_name(f->proto), cbuf, vbuf,
		abuf, cf->seen == CHECK_DUP ? " (and more entries)" : "", ebuf);
}

/* Compares flow by flow and prints the summary; the exit status. */
static int check_compare(const struct check_opts *o,
			 const struct flow_list *list,
			 const struct check_flow *cf, struct check_count *cnt)
{
	unsigned long reported = 0;
	FILE *report = stderr;
	const char *kind;
	size_t i;
	int ret;

	if (o->report_path) {
		report = fopen(o->report_path, "w");
		if (!report) {
			fprintf(stderr, "%s: cannot create: %s\n",
				o->report_path, strerror(errno));
			return 2;
		}
	}
	for (i = 0; i < list->n; i++) {
		kind = check_classify(&cf[i], cnt);
		if (!kind || reported++ >= o->max_report)
			continue;
		check_report_flow(report, kind, o->flows_path, list->lines[i],
				  &list->flows[i], &cf[i]);
	}
	ret = cnt->agree == list->n ? 0 : 1;
	printf("%s %s: flows=%zu agree=%lu mismatch=%lu missing=%lu unexpected=%lu duplicate=%lu entries=%lu other_entries=%lu\n",
	       ret ? "FAIL" : "PASS", o->name, list->n, cnt->agree,
	       cnt->mismatch, cnt->missing, cnt->unexpected, cnt->dup,
	       cnt->entries, cnt->other);
	if (report != stderr)
		fclose(report);
	return ret;
}

int flowgen_check(int argc, char **argv)
{
	struct check_opts o = { .max_report = 20 };
	struct check_count cnt = { 0 };
	struct flow_index ix = { 0 };
	struct flow_list list = { 0 };
	struct check_flow *cf = NULL;
	int err, ret;
	size_t dup;

	ret = check_parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = 2;
	if (flow_list_read(o.flows_path, &list))
		return 2;
	cf = calloc(list.n ? list.n : 1, sizeof(*cf));
	if (!cf) {
		fprintf(stderr, "flowgen check: out of memory\n");
		goto out;
	}
	err = flow_index_build(&ix, &list, &dup);
	if (err) {
		if (err < 0)
			fprintf(stderr, "flowgen check: out of memory\n");
		else
			fprintf(stderr,
				"%s:%u: flow listed twice; the kernel would not schedule it again\n",
				o.flows_path, list.lines[dup - 1]);
		goto out;
	}
	if (check_read_prediction(o.pred_path, &list, o.flows_path, cf) ||
	    check_read_conn(o.conn_path, &ix, cf, &cnt))
		goto out;
	ret = check_compare(&o, &list, cf, &cnt);
out:
	free(cf);
	flow_index_free(&ix);
	flow_list_free(&list);
	return ret;
}
