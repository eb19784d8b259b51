// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen connect: whole TCP connections, one after the other, in the order
 * of the lists. Each is made from its client address and port (IP_FREEBIND
 * and SO_REUSEADDR, as flowgen send binds) with a blocking connect(); then
 * the client reads until the server closes (read returns 0), keeping the
 * first line the server wrote (flowgen listen --echo writes the address it
 * accepted on), and closes with SO_LINGER, so that close() returns only
 * once the server has acknowledged the client's FIN. The client's side of
 * the tuple is then gone (the server closed first and holds TIME_WAIT), so
 * a later line of the list may reuse the client port at once: through an
 * IPVS director that is a new connection on the 5-tuple of an entry in
 * TIME_WAIT (or FIN_WAIT, under DR), the case of the conn_reuse_mode
 * sysctl.
 *
 * Prints "CLIENT VIP REPLY" per flow, REPLY being the server's first line
 * (one word) or '-' when it sent nothing or the connection failed.
 */
#include "flowgen.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/* How long a bind or connect is retried while the old tuple is in use. */
#define CONNECT_RETRY_MS 2000

static void connect_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Opens a bound socket and connects it to the VIP. EADDRINUSE (bind) and
 * EADDRNOTAVAIL (connect: the 4-tuple still has a socket) are retried for
 * CONNECT_RETRY_MS. Returns the socket, or -1 with *what set.
 */
int connect_open(const struct flow *f, int timeout, const char **what)
{
	struct linger lg = { 1, timeout };
	struct timeval tv = { timeout, 0 };
	struct sockaddr_storage src, dst;
	socklen_t slen, dlen;
	int one = 1, fd, err, waited = 0;
	int v6 = f->client.family == FLOW_AF_INET6;

	slen = flow_ep_sockaddr(&f->client, &src);
	dlen = flow_ep_sockaddr(&f->vip, &dst);
	for (;;) {
		fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
			    0);
		if (fd < 0) {
			*what = "socket";
			return -1;
		}
		if (v6 ? setsockopt(fd, SOL_IPV6, IPV6_FREEBIND, &one,
				    sizeof(one))
		       : setsockopt(fd, SOL_IP, IP_FREEBIND, &one,
				    sizeof(one))) {
			*what = "setsockopt(FREEBIND)";
			goto fail;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) ||
		    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ||
		    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
			*what = "setsockopt";
			goto fail;
		}
		if (bind(fd, (struct sockaddr *)&src, slen)) {
			*what = "bind";
			if (errno != EADDRINUSE)
				goto fail;
		} else if (connect(fd, (struct sockaddr *)&dst, dlen)) {
			*what = "connect";
			if (errno == EINPROGRESS)
				errno = ETIMEDOUT;
			if (errno != EADDRNOTAVAIL)
				goto fail;
		} else {
			return fd;
		}
		if (waited >= CONNECT_RETRY_MS)
			goto fail;
		close(fd);
		connect_sleep_ms(10);
		waited += 10;
	}
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * One whole connection: connect, read to EOF, close. The server's first
 * word goes to reply ("-" if none). Returns 0, or -1 with *what set.
 */
static int connect_flow(const struct flow *f, int timeout, char *reply,
			size_t size, const char **what)
{
	char buf[256];
	size_t have = 0, n;
	ssize_t got;
	int fd, err, ret = -1;

	snprintf(reply, size, "-");
	fd = connect_open(f, timeout, what);
	if (fd < 0)
		return -1;
	for (;;) {
		got = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			*what = errno == EAGAIN
					? "read (no FIN from the server)"
					: "read";
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			goto out;
		}
		have += (size_t)got;
		if (have == sizeof(buf) - 1)
			have = 0; /* more than a line: keep reading to EOF */
	}
	buf[have] = '\0';
	n = strcspn(buf, " \t\r\n");
	if (n > 0 && n < size)
		snprintf(reply, size, "%.*s", (int)n, buf);
	ret = 0;
out:
	err = errno;
	if (close(fd) && !ret) {
		*what = "close";
		ret = -1;
	} else {
		errno = err;
	}
	return ret;
}

/* Every TCP flow of the lists at @paths as one list for connect_hold. */
static int connect_hold_lists(int n, char **paths, int timeout, int quiet)
{
	struct flow_list all = { 0 }, list;
	int i, ret = 0;
	size_t j;

	for (i = 0; i < n && !ret; i++) {
		if (flow_list_read(paths[i], &list)) {
			ret = 2;
			break;
		}
		for (j = 0; j < list.n && !ret; j++) {
			if (list.flows[j].proto != IPPROTO_TCP) {
				fprintf(stderr,
					"%s:%u: flowgen connect makes TCP connections only\n",
					paths[i], list.lines[j]);
				ret = 2;
			} else if (flow_list_push(&all, &list.flows[j],
						  list.lines[j])) {
				fprintf(stderr,
					"flowgen connect: out of memory\n");
				ret = 2;
			}
		}
		flow_list_free(&list);
	}
	if (!ret)
		ret = connect_hold(&all, timeout, quiet);
	flow_list_free(&all);
	return ret;
}

static void connect_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen connect [--timeout S] [--quiet] [--hold] FLOWS...\n"
		"Make every TCP flow of the lists (trace format; '-' is stdin) a\n"
		"whole connection, one after the other: bind the client address\n"
		"and port (IP_FREEBIND, SO_REUSEADDR), connect, read until the\n"
		"server closes, close (SO_LINGER: until the FIN is acknowledged).\n"
		"A list may repeat a client port: the later connection reuses it.\n"
		"Prints \"CLIENT VIP REPLY\" per flow, REPLY the server's first word\n"
		"(flowgen listen --echo: its address) or '-'.\n"
		"  --timeout S  connect, read and linger timeout (default 5)\n"
		"  --quiet      no summary on stderr\n"
		"  --hold       keep every connection open instead: connect them\n"
		"               all, print \"held N of M\", and at the first line on\n"
		"               stdin send \"p\\n\" on each and wait (--timeout) for\n"
		"               the answer (flowgen listen --hold echoes); print\n"
		"               \"CLIENT VIP ok|timeout|reset|closed|error|failed\"\n"
		"               per flow and \"probed\"; close them all (with a\n"
		"               reset) at EOF on stdin\n"
		"Exit status: 0 all connections completed, 1 some failed (reported\n"
		"on stderr, REPLY '-'), 2 bad input.\n");
}

int flowgen_connect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long done = 0, failed = 0;
	char cbuf[64], vbuf[64], reply[80];
	int c, quiet = 0, hold = 0, timeout = 5;
	struct timespec t0, t1;
	struct flow_list list;
	const struct flow *f;
	const char *what;
	char *end;
	size_t i;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || timeout < 1 || timeout > 600) {
				fprintf(stderr,
					"flowgen connect: --timeout '%s': expected 1..600\n",
					optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'H':
			hold = 1;
			break;
		case 'h':
			connect_usage(stdout);
			return 0;
		default:
			connect_usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		connect_usage(stderr);
		return 2;
	}
	if (hold)
		return connect_hold_lists(argc - optind, argv + optind, timeout,
					  quiet);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; optind < argc; optind++) {
		const char *path = argv[optind];

		if (flow_list_read(path, &list))
			return 2;
		for (i = 0; i < list.n; i++) {
			if (list.flows[i].proto != IPPROTO_TCP) {
				fprintf(stderr,
					"%s:%u: flowgen connect makes TCP connections only\n",
					path, list.lines[i]);
				flow_list_free(&list);
				return 2;
			}
		}
		for (i = 0; i < list.n; i++) {
			f = &list.flows[i];
			flow_ep_format(&f->client, cbuf, sizeof(cbuf));
			flow_ep_format(&f->vip, vbuf, sizeof(vbuf));
			if (connect_flow(f, timeout, reply, sizeof(reply),
					 &what)) {
				fprintf(stderr,
					"%s:%u: tcp flow from %s: %s: %s\n",
					path, list.lines[i], cbuf, what,
					strerror(errno));
				failed++;
			} else {
				done++;
			}
			printf("%s %s %s\n", cbuf, vbuf, reply);
		}
		flow_list_free(&list);
	}
	if (fflush(stdout)) {
		fprintf(stderr, "flowgen connect: write error\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!quiet)
		fprintf(stderr,
			"flowgen connect: %lu connections completed, %lu failed, %.3f s\n",
			done, failed,
			(double)(t1.tv_sec - t0.tv_sec) +
				(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return failed ? 1 : 0;
}
