// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen pick: copy the ip_vs_conn lines of the listed flows only, so that
 * a guest sends back one burst's entries and not those of earlier bursts
 * that have not expired yet. The header line is kept.
 */
#include "flowgen.h"
#include "conn.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

static void pick_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen pick [--conn FILE] FLOWS...\n"
		"Print the lines of /proc/net/ip_vs_conn (or FILE; '-' is stdin)\n"
		"that belong to flows of the lists.\n");
}

int flowgen_pick(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conn", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conn_path = "/proc/net/ip_vs_conn";
	struct flow_list all = { 0 }, one;
	struct flow_index ix = { 0 };
	unsigned long line = 0;
	struct flow_ep dest;
	struct flow f;
	char buf[512];
	size_t dup, i;
	FILE *in;
	int c, ret = 2;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conn_path = optarg;
			break;
		case 'h':
			pick_usage(stdout);
			return 0;
		default:
			pick_usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		pick_usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		if (flow_list_read(argv[optind], &one))
			goto out;
		for (i = 0; i < one.n; i++) {
			if (flow_list_push(&all, &one.flows[i], one.lines[i])) {
				flow_list_free(&one);
				fprintf(stderr, "flowgen pick: out of memory\n");
				goto out;
			}
		}
		flow_list_free(&one);
	}
	c = flow_index_build(&ix, &all, &dup);
	if (c) {
		if (c < 0)
			fprintf(stderr, "flowgen pick: out of memory\n");
		else
			fprintf(stderr, "flowgen pick: flow at line %u is listed twice\n",
				all.lines[dup - 1]);
		goto out;
	}
	in = strcmp(conn_path, "-") ? fopen(conn_path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", conn_path, strerror(errno));
		goto out;
	}
	ret = 0;
	while (fgets(buf, sizeof(buf), in)) {
		line++;
		switch (conn_parse_line(buf, &f, &dest)) {
		case CONN_HEADER:
			if (line == 1)
				fputs(buf, stdout);
			break;
		case CONN_LINE:
			if (flow_index_find(&ix, &f) >= 0)
				fputs(buf, stdout);
			break;
		case CONN_BAD:
			fprintf(stderr, "%s:%lu: not an ip_vs_conn line\n",
				conn_path, line);
			ret = 2;
			break;
		}
	}
	if (in != stdin)
		fclose(in);
	if (fflush(stdout)) {
		fprintf(stderr, "flowgen pick: write error\n");
		ret = 2;
	}
out:
	flow_index_free(&ix);
	flow_list_free(&all);
	return ret;
}
