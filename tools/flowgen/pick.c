// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen pick: copy the ip_vs_conn lines of the listed flows only, so that
 * a guest sends back one burst's entries and not those of earlier bursts
 * that have not expired yet. The header line is kept.
 *
 * The kernel's seq_file walks the global connection table by position, so
 * entries deleted during a read (other bursts expiring, a namespace being
 * cleaned up) make it skip live ones. Unless --once is given, the file is
 * read again until a read finds no entry the earlier ones missed and as many
 * as all reads together; the lines come out in the order of the lists. A
 * read that finds every listed flow ends it at once: a later read could
 * only find them again, and the first line seen of each is the one kept
 * (the table's own reads are dear: each 4 KiB walks it from the start).
 */
#include "flowgen.h"
#include "conn.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void pick_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen pick [--conn FILE] [--once] FLOWS...\n"
		"Print the lines of /proc/net/ip_vs_conn (or FILE; '-' is stdin)\n"
		"that belong to flows of the lists, reading until a read adds no\n"
		"flow and matches as many entries as the one before, or until\n"
		"every flow is found (--once: read once).\n");
}

#define PICK_MAX_READS 10

/*
 * One read of the connection file: stores the first line seen of every
 * listed flow in line[]; counts the flows found by this read (*found) and
 * those no earlier read had found (*fresh). Returns 0, or -1 (reported).
 */
static int pick_read(const char *path, const struct flow_index *ix, char **line,
		     char **header, size_t *found, size_t *fresh)
{
	unsigned long n = 0;
	struct flow_ep dest;
	char buf[512];
	struct flow f;
	FILE *in;
	long k;
	int r;

	*found = *fresh = 0;
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	while ((r = flow_read_line(in, buf, sizeof(buf), path, &n)) > 0) {
		switch (conn_parse_line(buf, &f, &dest)) {
		case CONN_HEADER:
			if (n == 1 && !*header)
				*header = strdup(buf);
			continue;
		case CONN_BAD:
			fprintf(stderr, "%s:%lu: not an ip_vs_conn line\n",
				path, n);
			if (in != stdin)
				fclose(in);
			return -1;
		case CONN_LINE:
			break;
		}
		k = flow_index_find(ix, &f);
		if (k < 0)
			continue;
		(*found)++;
		if (!line[k]) {
			line[k] = strdup(buf);
			if (!line[k]) {
				fprintf(stderr,
					"flowgen pick: out of memory\n");
				if (in != stdin)
					fclose(in);
				return -1;
			}
			(*fresh)++;
		}
	}
	if (in != stdin)
		fclose(in);
	return r < 0 ? -1 : 0;
}

/* Returns -1 to go on, or the exit status (usage). */
static int pick_parse_args(int argc, char **argv, const char **conn_path,
			   int *once)
{
	static const struct option opts[] = {
		{ "conn", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*conn_path = optarg;
			break;
		case 'o':
			*once = 1;
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
	if (!strcmp(*conn_path, "-"))
		*once = 1;
	return -1;
}

/* Appends the flows of every list file to all; 0 or -1 (reported). */
static int pick_read_lists(int n, char **paths, struct flow_list *all)
{
	struct flow_list one;
	size_t i;
	int p;

	for (p = 0; p < n; p++) {
		if (flow_list_read(paths[p], &one))
			return -1;
		for (i = 0; i < one.n; i++) {
			if (flow_list_push(all, &one.flows[i], one.lines[i])) {
				flow_list_free(&one);
				fprintf(stderr,
					"flowgen pick: out of memory\n");
				return -1;
			}
		}
		flow_list_free(&one);
	}
	return 0;
}

/*
 * Reads the connection file until it settles or every one of the @nflows
 * listed flows is found; 0 or -1 (reported).
 */
static int pick_settle(const char *conn_path, int once, size_t nflows,
		       const struct flow_index *ix, char **line, char **header)
{
	size_t found, fresh, last_found = 0, seen = 0;
	int reads;

	/*
	 * Settled: a read that adds no flow and matches as many entries as
	 * the read before it. Entries that expire between reads (a loaded
	 * guest's FIN_WAIT or TIME_WAIT timers) keep the line first read for
	 * them; they must not keep the table from settling. Once every flow
	 * is seen no read can add one, and the lines kept are those first
	 * read whatever follows: no further read is needed.
	 */
	for (reads = 1;; reads++) {
		if (pick_read(conn_path, ix, line, header, &found, &fresh))
			return -1;
		seen += fresh;
		if (once || seen == nflows ||
		    (reads > 1 && !fresh && found == last_found))
			return 0;
		last_found = found;
		if (reads == PICK_MAX_READS) {
			fprintf(stderr,
				"flowgen pick: %s did not settle in %d reads\n",
				conn_path, reads);
			return -1;
		}
	}
}

int flowgen_pick(int argc, char **argv)
{
	const char *conn_path = "/proc/net/ip_vs_conn";
	struct flow_list all = { 0 };
	struct flow_index ix = { 0 };
	char **line = NULL, *header = NULL;
	int c, once = 0, ret;
	size_t dup, i;

	ret = pick_parse_args(argc, argv, &conn_path, &once);
	if (ret >= 0)
		return ret;
	ret = 2;
	if (pick_read_lists(argc - optind, argv + optind, &all))
		goto out;
	c = flow_index_build(&ix, &all, &dup);
	line = calloc(all.n ? all.n : 1, sizeof(*line));
	if (c || !line) {
		if (c > 0)
			fprintf(stderr,
				"flowgen pick: flow at line %u is listed twice\n",
				all.lines[dup - 1]);
		else
			fprintf(stderr, "flowgen pick: out of memory\n");
		goto out;
	}
	if (pick_settle(conn_path, once, all.n, &ix, line, &header))
		goto out;
	if (header)
		fputs(header, stdout);
	for (i = 0; i < all.n; i++)
		if (line[i])
			fputs(line[i], stdout);
	if (fflush(stdout)) {
		fprintf(stderr, "flowgen pick: write error\n");
		goto out;
	}
	ret = 0;
out:
	if (line)
		for (i = 0; i < all.n; i++)
			free(line[i]);
	free(line);
	free(header);
	flow_index_free(&ix);
	flow_list_free(&all);
	return ret;
}
