// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen listen: TCP listeners for health checkers (keepalived's
 * TCP_CHECK in the VM tests). Every connection is accepted and closed at
 * once; the process serves until it is killed, so that a test stops one
 * listener by killing its process.
 */
#include "flowgen.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_MAX 64

/* Opens a listening TCP socket on ep; returns it, or -1 with *what set. */
static int listen_open(const struct flow_ep *ep, const char **what)
{
	struct sockaddr_storage ss;
	int one = 1, fd, err;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (ep->family == FLOW_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		memcpy(&sin6->sin6_addr, ep->addr, 16);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr, 4);
		len = sizeof(*sin);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		*what = "setsockopt(SO_REUSEADDR)";
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		*what = "bind";
		goto fail;
	}
	if (listen(fd, 64)) {
		*what = "listen";
		goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static void listen_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen listen ADDR:PORT...\n"
		"Listen on each TCP address (a.b.c.d:port or [v6]:port), accept\n"
		"every connection and close it at once, until killed.\n");
}

int flowgen_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pollfd pfd[LISTEN_MAX];
	const char *what, *why;
	struct flow_ep ep;
	int c, fd;
	nfds_t n = 0, i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			listen_usage(stdout);
			return 0;
		default:
			listen_usage(stderr);
			return 2;
		}
	}
	if (optind == argc || argc - optind > LISTEN_MAX) {
		listen_usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		const char *arg = argv[optind];

		if (flow_ep_parse(arg, strlen(arg), &ep, &why)) {
			fprintf(stderr, "flowgen listen: %s: %s\n", arg, why);
			return 2;
		}
		fd = listen_open(&ep, &what);
		if (fd < 0) {
			fprintf(stderr, "flowgen listen: %s: %s: %s\n", arg,
				what, strerror(errno));
			return 1;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		n++;
	}
	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "flowgen listen: poll: %s\n",
				strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
		}
	}
}
