// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen connect --hold: TCP connections that stay ESTABLISHED while the
 * caller changes the director, then a probe of each. Every flow of the
 * lists is connected (connect_open: its client address and port, a
 * blocking connect) and kept open; "held N of M" on stdout says they are
 * all there. The first line read from stdin starts the probe: each held
 * connection sends "p\n" and waits (all at once, at most --timeout
 * seconds) for the server to answer (flowgen listen --hold echoes what it
 * reads). Per flow, in list order, "CLIENT VIP VERDICT":
 *   ok       the server answered: the connection still works
 *   timeout  no answer in time (e.g. an IPVS entry expired under
 *            expire_nodest_conn=1 and the packet went nowhere)
 *   reset    the connection was reset (ECONNRESET, EPIPE)
 *   closed   the server closed it (read returned 0)
 *   error    another error
 *   failed   it could not be connected in the first place
 * then "probed". The connections are closed (with a reset: SO_LINGER 0,
 * so that no close waits for a peer that is gone) at EOF on stdin.
 */
#include "flowgen.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Raises the soft limit of open files to the hard one (best effort). */
void hold_raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static long hold_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The verdict of a readable (or hung up) connection. */
static const char *hold_read_verdict(int fd)
{
	char buf[64];
	ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (got > 0)
		return "ok";
	if (got == 0)
		return "closed";
	if (errno == EAGAIN || errno == EINTR)
		return NULL;
	return errno == ECONNRESET || errno == EPIPE ? "reset" : "error";
}

/*
 * Probes every held connection (fds[i] >= 0) at once; verdict[i] is set
 * for each flow ("failed" for those not held).
 */
static void hold_probe(const int *fds, size_t n, int timeout,
		       const char **verdict)
{
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t i, open = 0;
	long deadline = hold_now_ms() + timeout * 1000L;

	for (i = 0; i < n; i++) {
		verdict[i] = fds[i] < 0 ? "failed" : NULL;
		if (fds[i] < 0)
			continue;
		if (send(fds[i], "p\n", 2, MSG_NOSIGNAL) != 2) {
			verdict[i] = errno == ECONNRESET || errno == EPIPE
					     ? "reset"
					     : "error";
			continue;
		}
		open++;
	}
	while (pfd && open > 0) {
		long left = deadline - hold_now_ms();
		nfds_t m = 0;
		int r;

		if (left <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (verdict[i])
				continue;
			pfd[m].fd = fds[i];
			pfd[m].events = POLLIN;
			pfd[m].revents = 0;
			m++;
		}
		r = poll(pfd, m, (int)left);
		if (r < 0 && errno != EINTR)
			break;
		for (i = 0, m = 0; r > 0 && i < n; i++) {
			if (verdict[i])
				continue;
			if (pfd[m++].revents) {
				verdict[i] = hold_read_verdict(fds[i]);
				open -= verdict[i] != NULL;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (!verdict[i])
			verdict[i] = "timeout";
	free(pfd);
}

/* Closes a connection with a reset: no close waits for a gone peer. */
static void hold_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int connect_hold(const struct flow_list *list, int timeout, int quiet)
{
	const char **verdict = calloc(list->n ? list->n : 1, sizeof(*verdict));
	int *fds = calloc(list->n ? list->n : 1, sizeof(*fds));
	char cbuf[64], vbuf[64], line[256];
	size_t i, held = 0;
	const char *what;
	int ret = 0;

	if (!verdict || !fds) {
		fprintf(stderr, "flowgen connect: out of memory\n");
		free(verdict);
		free(fds);
		return 2;
	}
	hold_raise_nofile();
	for (i = 0; i < list->n; i++) {
		fds[i] = connect_open(&list->flows[i], timeout, &what);
		if (fds[i] >= 0) {
			held++;
			continue;
		}
		flow_ep_format(&list->flows[i].client, cbuf, sizeof(cbuf));
		fprintf(stderr, "line %u: tcp flow from %s: %s: %s\n",
			list->lines[i], cbuf, what, strerror(errno));
		ret = 1;
	}
	printf("held %zu of %zu\n", held, list->n);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin)) {
		hold_probe(fds, list->n, timeout, verdict);
		for (i = 0; i < list->n; i++) {
			flow_ep_format(&list->flows[i].client, cbuf,
				       sizeof(cbuf));
			flow_ep_format(&list->flows[i].vip, vbuf, sizeof(vbuf));
			printf("%s %s %s\n", cbuf, vbuf, verdict[i]);
		}
		printf("probed\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin))
			;
	}
	for (i = 0; i < list->n; i++)
		if (fds[i] >= 0)
			hold_close(fds[i]);
	if (!quiet)
		fprintf(stderr,
			"flowgen connect: %zu of %zu connections held\n", held,
			list->n);
	free(verdict);
	free(fds);
	if (fflush(stdout)) {
		fprintf(stderr, "flowgen connect: write error\n");
		return 2;
	}
	return ret;
}
