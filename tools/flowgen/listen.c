// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen listen: TCP listeners for health checkers (keepalived's
 * TCP_CHECK in the VM tests) and real servers (the VM tests' connection
 * reuse case). Every connection is accepted and closed at once, with
 * --echo after writing the address it was accepted on ("ADDR:PORT\n", the
 * real server's own address behind an IPVS NAT director); the server thus
 * closes first and holds TIME_WAIT, the client can reuse its port. With
 * --hold every connection is kept open instead and echoes what it reads
 * (flowgen connect --hold's probe), until the client closes it. The
 * process serves until it is killed, so that a test stops one listener by
 * killing its process.
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
/* Connections --hold keeps open at once. */
#define HOLD_MAX 16384

/* Opens a listening TCP socket on ep; returns it, or -1 with *what set. */
static int listen_open(const struct flow_ep *ep, const char **what)
{
	struct sockaddr_storage ss;
	int one = 1, fd, err;
	socklen_t len;

	len = flow_ep_sockaddr(ep, &ss);
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

/* Writes the connection's local address to it (best effort). */
static void listen_echo(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct flow_ep ep;
	char buf[80];
	size_t n;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    flow_ep_from_sockaddr(&ss, &ep))
		return;
	flow_ep_format(&ep, buf, sizeof(buf) - 1);
	n = strlen(buf);
	buf[n++] = '\n';
	if (write(fd, buf, n) < 0)
		return;
}

/*
 * --hold: pfd[0..listeners) are the listening sockets, the held
 * connections follow. Each connection echoes what it reads and is closed
 * when the client closes it (or resets it). Serves until killed.
 */
/* poll() until some descriptor is ready; -1 (said) on an error. */
static int listen_poll(struct pollfd *pfd, nfds_t n)
{
	while (poll(pfd, n, -1) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "flowgen listen: poll: %s\n",
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int listen_hold(struct pollfd *pfd, nfds_t listeners)
{
	nfds_t n = listeners, i;
	char buf[512];
	ssize_t got;
	int fd;

	hold_raise_nofile();
	for (;;) {
		if (listen_poll(pfd, n))
			return 1;
		for (i = 0; i < listeners; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if (n == listeners + HOLD_MAX) {
				close(fd);
				continue;
			}
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
		for (i = listeners; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			got = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got > 0 && send(pfd[i].fd, buf, (size_t)got,
					    MSG_NOSIGNAL) == got)
				continue;
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--n];
		}
	}
}

static void listen_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen listen [--echo | --hold] ADDR:PORT...\n"
		"Listen on each TCP address (a.b.c.d:port or [v6]:port), accept\n"
		"every connection and close it at once, until killed.\n"
		"  --echo  first write the local address of the connection\n"
		"          (\"ADDR:PORT\\n\"), e.g. for flowgen connect\n"
		"  --hold  keep every connection open and echo what it reads,\n"
		"          until the client closes it (flowgen connect --hold)\n");
}

int flowgen_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "echo", no_argument, NULL, 'e' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct pollfd pfd[LISTEN_MAX + HOLD_MAX];
	int echo = 0, hold = 0;
	const char *what, *why;
	struct flow_ep ep;
	int c, fd;
	nfds_t n = 0, i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			echo = 1;
			break;
		case 'H':
			hold = 1;
			break;
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
	if (hold)
		return listen_hold(pfd, n);
	for (;;) {
		if (listen_poll(pfd, n))
			return 1;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if (echo)
				listen_echo(fd);
			close(fd);
		}
	}
}
