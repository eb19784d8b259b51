// SPDX-License-Identifier: GPL-2.0
/* /proc/net/ip_vs_conn parsing and the flow index. */
#include "conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* An ip_vs_conn address: 8 hex digits or IPv6 text. */
static int conn_addr(const char *s, size_t len, struct flow_ep *ep)
{
	char buf[64];
	unsigned long v;
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ep, 0, sizeof(*ep));
	if (memchr(buf, ':', len)) {
		ep->family = FLOW_AF_INET6;
		return inet_pton(AF_INET6, buf, ep->addr) == 1 ? 0 : -1;
	}
	v = strtoul(buf, &end, 16);
	if (len != 8 || *end)
		return -1;
	ep->family = FLOW_AF_INET;
	ep->addr[0] = (uint8_t)(v >> 24);
	ep->addr[1] = (uint8_t)(v >> 16);
	ep->addr[2] = (uint8_t)(v >> 8);
	ep->addr[3] = (uint8_t)v;
	return 0;
}

static int conn_port(const char *s, size_t len, struct flow_ep *ep)
{
	char buf[8];
	unsigned long v;
	char *end;

	if (len != 4)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoul(buf, &end, 16);
	if (*end)
		return -1;
	ep->port = (uint16_t)v;
	return 0;
}

enum conn_parse conn_parse_line(const char *line, struct flow *f,
				struct flow_ep *dest)
{
	char buf[512], *field[8];
	size_t flen[8], nf, len = strlen(line);

	if (len >= sizeof(buf))
		return CONN_BAD;
	memcpy(buf, line, len + 1);
	nf = flow_split(buf, field, flen, 8);
	if (nf == 0 || (flen[0] == 3 && !strncmp(field[0], "Pro", 3)))
		return CONN_HEADER;
	memset(f, 0, sizeof(*f));
	if (nf < 8 || conn_addr(field[1], flen[1], &f->client) ||
	    conn_port(field[2], flen[2], &f->client) ||
	    conn_addr(field[3], flen[3], &f->vip) ||
	    conn_port(field[4], flen[4], &f->vip) ||
	    conn_addr(field[5], flen[5], dest) ||
	    conn_port(field[6], flen[6], dest))
		return CONN_BAD;
	/* Protocols other than tcp/udp stay 0 and match no flow. */
	f->proto = (uint8_t)flow_proto_parse(field[0], flen[0]);
	return CONN_LINE;
}

static size_t flow_hash(const struct flow *f)
{
	const struct flow_ep *ep[2] = { &f->client, &f->vip };
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i, k;

	h = (h ^ f->proto) * 0x100000001b3ULL;
	for (k = 0; k < 2; k++) {
		h = (h ^ ep[k]->family) * 0x100000001b3ULL;
		h = (h ^ ep[k]->port) * 0x100000001b3ULL;
		for (i = 0; i < 16; i++)
			h = (h ^ ep[k]->addr[i]) * 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static int flow_equal(const struct flow *a, const struct flow *b)
{
	return a->proto == b->proto && flow_ep_equal(&a->client, &b->client) &&
	       flow_ep_equal(&a->vip, &b->vip);
}

int flow_index_build(struct flow_index *ix, const struct flow_list *list,
		     size_t *dup)
{
	size_t i, s;

	ix->flows = list->flows;
	for (ix->mask = 16; ix->mask < 2 * list->n; ix->mask <<= 1)
		;
	ix->slot = calloc(ix->mask, sizeof(*ix->slot));
	if (!ix->slot)
		return -1;
	ix->mask--;
	for (i = 0; i < list->n; i++) {
		for (s = flow_hash(&list->flows[i]) & ix->mask; ix->slot[s];
		     s = (s + 1) & ix->mask) {
			if (flow_equal(&list->flows[ix->slot[s] - 1],
				       &list->flows[i])) {
				*dup = i + 1;
				return 1;
			}
		}
		ix->slot[s] = i + 1;
	}
	return 0;
}

long flow_index_find(const struct flow_index *ix, const struct flow *f)
{
	size_t s;

	for (s = flow_hash(f) & ix->mask; ix->slot[s]; s = (s + 1) & ix->mask)
		if (flow_equal(&ix->flows[ix->slot[s] - 1], f))
			return (long)(ix->slot[s] - 1);
	return -1;
}

void flow_index_free(struct flow_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
}
