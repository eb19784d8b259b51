// SPDX-License-Identifier: GPL-2.0
/* Parsing and printing of the trace format's flow lines. */
#include "flow.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int flow_ep_parse(const char *text, size_t len, struct flow_ep *ep,
		  const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_text;
	size_t hlen, plen, i;
	unsigned long port = 0;

	memset(ep, 0, sizeof(*ep));
	if (len && text[0] == '[') {
		const char *close = memchr(text, ']', len);

		if (!close || close + 1 >= text + len || close[1] != ':') {
			*why = "IPv6 endpoint must look like [addr]:port";
			return -1;
		}
		hlen = (size_t)(close - text) - 1;
		if (hlen >= sizeof(host)) {
			*why = "IPv6 address too long";
			return -1;
		}
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, ep->addr) != 1) {
			*why = "bad IPv6 address";
			return -1;
		}
		ep->family = FLOW_AF_INET6;
		port_text = close + 2;
	} else {
		colon = memchr(text, ':', len);
		if (!colon) {
			*why = "endpoint must look like a.b.c.d:port";
			return -1;
		}
		hlen = (size_t)(colon - text);
		if (hlen >= sizeof(host)) {
			*why = "IPv4 address too long";
			return -1;
		}
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, ep->addr) != 1) {
			*why = "bad IPv4 address";
			return -1;
		}
		ep->family = FLOW_AF_INET;
		port_text = colon + 1;
	}
	plen = (size_t)(text + len - port_text);
	if (plen == 0 || plen > 5) {
		*why = "bad port";
		return -1;
	}
	for (i = 0; i < plen; i++) {
		if (!isdigit((unsigned char)port_text[i])) {
			*why = "bad port";
			return -1;
		}
		port = port * 10 + (unsigned long)(port_text[i] - '0');
	}
	if (port > 65535) {
		*why = "port out of range";
		return -1;
	}
	ep->port = (uint16_t)port;
	return 0;
}

void flow_ep_format(const struct flow_ep *ep, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (ep->family == FLOW_AF_INET6) {
		inet_ntop(AF_INET6, ep->addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ep->port);
	} else {
		inet_ntop(AF_INET, ep->addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ep->port);
	}
}

int flow_ep_equal(const struct flow_ep *a, const struct flow_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

socklen_t flow_ep_sockaddr(const struct flow_ep *ep,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == FLOW_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		memcpy(&sin6->sin6_addr, ep->addr, 16);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(ep->port);
	memcpy(&sin->sin_addr, ep->addr, 4);
	return sizeof(*sin);
}

int flow_ep_from_sockaddr(const struct sockaddr_storage *ss, struct flow_ep *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)ss;

		ep->family = FLOW_AF_INET6;
		ep->port = ntohs(sin6->sin6_port);
		memcpy(ep->addr, &sin6->sin6_addr, 16);
		return 0;
	}
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		ep->family = FLOW_AF_INET;
		ep->port = ntohs(sin->sin_port);
		memcpy(ep->addr, &sin->sin_addr, 4);
		return 0;
	}
	return -1;
}

int flow_proto_parse(const char *text, size_t len)
{
	if (len == 3 && !strncasecmp(text, "tcp", 3))
		return IPPROTO_TCP;
	if (len == 3 && !strncasecmp(text, "udp", 3))
		return IPPROTO_UDP;
	return 0;
}

const char *flow_proto_name(int proto)
{
	return proto == IPPROTO_TCP   ? "tcp"
	       : proto == IPPROTO_UDP ? "udp"
				      : "?";
}

size_t flow_split(char *s, char **field, size_t *flen, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s)
			break;
		field[n] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' &&
		       *s != '\n')
			s++;
		flen[n] = (size_t)(s - field[n]);
		n++;
	}
	return n;
}

int flow_list_push(struct flow_list *list, const struct flow *f,
		   unsigned int line)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 1024;
		struct flow *flows = realloc(list->flows, cap * sizeof(*flows));
		unsigned int *lines;

		if (!flows)
			return -1;
		list->flows = flows;
		lines = realloc(list->lines, cap * sizeof(*lines));
		if (!lines)
			return -1;
		list->lines = lines;
		list->cap = cap;
	}
	list->flows[list->n] = *f;
	list->lines[list->n] = line;
	list->n++;
	return 0;
}

int flow_read_line(FILE *in, char *buf, int size, const char *path,
		   unsigned long *line)
{
	size_t len;

	if (!fgets(buf, size, in)) {
		if (!ferror(in))
			return 0;
		fprintf(stderr, "%s: read error: %s\n", path, strerror(errno));
		return -1;
	}
	++*line;
	len = strlen(buf);
	if (len == (size_t)size - 1 && buf[len - 1] != '\n' && !feof(in)) {
		fprintf(stderr, "%s:%lu: line longer than %d bytes\n", path,
			*line, size - 2);
		return -1;
	}
	return 1;
}

int flow_list_read(const char *path, struct flow_list *list)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char buf[1024], *field[4], *hash;
	size_t flen[4], nf;
	unsigned long line = 0;
	const char *why;
	struct flow f;
	int ret = -1, r;

	memset(list, 0, sizeof(*list));
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	while ((r = flow_read_line(in, buf, sizeof(buf), path, &line)) > 0) {
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		nf = flow_split(buf, field, flen, 4);
		if (nf == 0)
			continue;
		if (nf < 4) {
			fprintf(stderr,
				"%s:%lu: expected START PROTO CLIENT VIP\n",
				path, line);
			goto out;
		}
		memset(&f, 0, sizeof(f));
		f.proto = (uint8_t)flow_proto_parse(field[1], flen[1]);
		if (!f.proto) {
			fprintf(stderr,
				"%s:%lu: protocol must be tcp or udp, not '%.*s'\n",
				path, line, (int)flen[1], field[1]);
			goto out;
		}
		if (flow_ep_parse(field[2], flen[2], &f.client, &why)) {
			fprintf(stderr, "%s:%lu: client '%.*s': %s\n", path,
				line, (int)flen[2], field[2], why);
			goto out;
		}
		if (flow_ep_parse(field[3], flen[3], &f.vip, &why)) {
			fprintf(stderr, "%s:%lu: VIP '%.*s': %s\n", path, line,
				(int)flen[3], field[3], why);
			goto out;
		}
		if (f.client.family != f.vip.family) {
			fprintf(stderr,
				"%s:%lu: client and VIP are of different address families\n",
				path, line);
			goto out;
		}
		if (flow_list_push(list, &f, (unsigned int)line)) {
			fprintf(stderr, "%s:%lu: out of memory\n", path, line);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	ret = 0;
out:
	if (in != stdin)
		fclose(in);
	if (ret)
		flow_list_free(list);
	return ret;
}

void flow_list_free(struct flow_list *list)
{
	free(list->flows);
	free(list->lines);
	memset(list, 0, sizeof(*list));
}
