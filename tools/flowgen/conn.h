/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/net/ip_vs_conn lines and an index of flows to look them up in.
 *
 * A connection line is "PRO CADDR CPORT VADDR VPORT DADDR DPORT STATE ...",
 * IPv4 addresses as 8 hex digits, IPv6 in full text, ports as 4 hex digits.
 */
#ifndef FLOWGEN_CONN_H
#define FLOWGEN_CONN_H

#include "flow.h"

enum conn_parse {
	CONN_LINE, /* a connection */
	CONN_HEADER, /* the "Pro FromIP ..." line or a blank line */
	CONN_BAD,
};

/* Parses a line (not modified) into the flow it belongs to and its dest. */
enum conn_parse conn_parse_line(const char *line, struct flow *f,
				struct flow_ep *dest);

/* Open-addressing index of a flow list (which must outlive it). */
struct flow_index {
	const struct flow *flows;
	size_t *slot; /* flow number + 1; 0 = empty */
	size_t mask;
};

/* Returns 0, -1 on allocation failure, or the 1-based number of the first
 * flow that repeats an earlier one (stored in *dup). */
int flow_index_build(struct flow_index *ix, const struct flow_list *list,
		     size_t *dup);
/* Index of the flow equal to f, or -1. */
long flow_index_find(const struct flow_index *ix, const struct flow *f);
void flow_index_free(struct flow_index *ix);

#endif /* FLOWGEN_CONN_H */
