// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen send: open every flow of a list, each from its own client address
 * and port. UDP sends one datagram from a socket bound to the client; TCP
 * starts a non-blocking connect from a bound socket, which puts the SYN on
 * the wire (through IPVS's LOCAL_OUT hook) before connect() returns, and
 * then closes the socket, which in SYN_SENT sends nothing more.
 *
 * Binding to addresses the host does not own needs IP_FREEBIND (set here)
 * and, for IPv4, a local route for the client prefix so that the output
 * route accepts the source: ip route add local 10.99.0.0/16 dev lo.
 */
#include "flowgen.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/*
 * Sends one flow; returns 0, 1 if netfilter dropped the datagram (EPERM:
 * IPVS drops a UDP packet it finds no destination for), or -1 with *what
 * naming the failed step.
 */
static int send_flow(const struct flow *f, const char **what)
{
	static const char payload[] = "flowgen";
	struct sockaddr_storage src, dst;
	socklen_t slen, dlen;
	int one = 1, fd, err, ret = -1;
	int v6 = f->client.family == FLOW_AF_INET6;

	fd = socket(v6 ? AF_INET6 : AF_INET,
		    (f->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) |
			    SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	if (v6 ? setsockopt(fd, SOL_IPV6, IPV6_FREEBIND, &one, sizeof(one))
	       : setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one))) {
		*what = "setsockopt(FREEBIND)";
		goto out;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		*what = "setsockopt(SO_REUSEADDR)";
		goto out;
	}
	slen = flow_ep_sockaddr(&f->client, &src);
	dlen = flow_ep_sockaddr(&f->vip, &dst);
	if (bind(fd, (struct sockaddr *)&src, slen)) {
		*what = "bind";
		goto out;
	}
	if (f->proto == IPPROTO_UDP) {
		if (sendto(fd, payload, sizeof(payload) - 1, 0,
			   (struct sockaddr *)&dst, dlen) < 0) {
			*what = "sendto";
			if (errno == EPERM)
				ret = 1;
			goto out;
		}
	} else if (connect(fd, (struct sockaddr *)&dst, dlen) &&
		   errno != EINPROGRESS) {
		*what = "connect";
		goto out;
	}
	ret = 0;
out:
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

static void send_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen send [--quiet] [--keep-going] FLOWS...\n"
		"Open every flow of the lists (trace format; '-' is stdin).\n"
		"A UDP datagram that netfilter drops (EPERM, e.g. IPVS found no\n"
		"destination) counts as dropped, not as a failure.\n"
		"  --quiet       no summary on stderr\n"
		"  --keep-going  report failed flows and continue (exit 1 at the end)\n");
}

int flowgen_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long sent = 0, dropped = 0, failed = 0;
	int c, quiet = 0, keep_going = 0;
	struct timespec t0, t1;
	struct flow_list list;
	const char *what;
	char cbuf[64];
	size_t i;

	while ((c = getopt_long(argc, argv, "qkh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'k':
			keep_going = 1;
			break;
		case 'h':
			send_usage(stdout);
			return 0;
		default:
			send_usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		send_usage(stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; optind < argc; optind++) {
		const char *path = argv[optind];

		if (flow_list_read(path, &list))
			return 2;
		for (i = 0; i < list.n; i++) {
			c = send_flow(&list.flows[i], &what);
			if (c == 0) {
				sent++;
				continue;
			}
			if (c > 0) {
				dropped++;
				continue;
			}
			flow_ep_format(&list.flows[i].client, cbuf,
				       sizeof(cbuf));
			fprintf(stderr, "%s:%u: %s flow from %s: %s: %s\n",
				path, list.lines[i],
				flow_proto_name(list.flows[i].proto), cbuf,
				what, strerror(errno));
			failed++;
			if (!keep_going) {
				flow_list_free(&list);
				return 1;
			}
		}
		flow_list_free(&list);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!quiet)
		fprintf(stderr,
			"flowgen send: %lu flows sent, %lu dropped by netfilter, %lu failed, %.3f s\n",
			sent, dropped, failed,
			(double)(t1.tv_sec - t0.tv_sec) +
				(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return failed ? 1 : 0;
}
