/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flows as the simulator's text trace format writes them, one a line:
 *
 *   START PROTO CLIENT VIP [DURATION ...]
 *   0 udp 10.99.3.7:40001 10.0.0.1:80
 *   0 tcp [fd00:99::3:7]:40001 [fd00::1]:80
 *
 * '#' starts a comment; blank lines are skipped. Only PROTO, CLIENT and VIP
 * matter here: the fields after VIP are accepted and ignored.
 */
#ifndef FLOWGEN_FLOW_H
#define FLOWGEN_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

enum { FLOW_AF_INET = 4, FLOW_AF_INET6 = 6 };

/* An address (network order, IPv4 in addr[0..3], rest zero) and a port. */
struct flow_ep {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port; /* host order */
};

struct flow {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct flow_ep client;
	struct flow_ep vip;
};

/* A whole flow list in memory; lines[] holds each flow's line number. */
struct flow_list {
	struct flow *flows;
	unsigned int *lines;
	size_t n, cap;
};

/*
 * Parses "a.b.c.d:port" or "[v6]:port" (len bytes of text). Returns 0, or -1
 * with a short reason in *why.
 */
int flow_ep_parse(const char *text, size_t len, struct flow_ep *ep,
		  const char **why);
/* Writes the canonical form (compressed IPv6 in brackets) into buf. */
void flow_ep_format(const struct flow_ep *ep, char *buf, size_t size);
int flow_ep_equal(const struct flow_ep *a, const struct flow_ep *b);
/* Fills *ss with ep as a sockaddr_in or sockaddr_in6; returns its length. */
socklen_t flow_ep_sockaddr(const struct flow_ep *ep,
			   struct sockaddr_storage *ss);
/* The endpoint of a sockaddr_in or sockaddr_in6; 0, or -1 (other family). */
int flow_ep_from_sockaddr(const struct sockaddr_storage *ss,
			  struct flow_ep *ep);

/* "tcp"/"udp" in any case -> IPPROTO_*, or 0. */
int flow_proto_parse(const char *text, size_t len);
const char *flow_proto_name(int proto);

/*
 * Reads a flow list from path ("-" is stdin). On error prints
 * "path:line: what is wrong" to stderr and returns -1.
 */
int flow_list_read(const char *path, struct flow_list *list);
void flow_list_free(struct flow_list *list);
/* Appends one flow; returns -1 when out of memory. */
int flow_list_push(struct flow_list *list, const struct flow *f,
		   unsigned int line);

/*
 * fgets() for the line readers: 1 with the next line in buf and *line
 * counted, 0 at the end, -1 (reported as "path:line: ..." or "path: read
 * error: ...") for a line that does not fit in size - 1 bytes or a read
 * error (which is what a directory gives).
 */
int flow_read_line(FILE *in, char *buf, int size, const char *path,
		   unsigned long *line);

/* Splits s at blanks into at most max fields; returns the field count. */
size_t flow_split(char *s, char **field, size_t *flen, size_t max);

#endif /* FLOWGEN_FLOW_H */
