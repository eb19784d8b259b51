// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen gen: a deterministic flow list. The same options give the same
 * list on every host, so the host can write it, predict it with the
 * simulator and hand it to the guest that sends it.
 *
 * Client addresses are distinct random hosts of the client prefix; each has
 * the ports PORT_BASE .. PORT_BASE+PORTS-1; COUNT distinct (address, port)
 * pairs are drawn in random order.
 */
#include "flowgen.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX_PAIRS (1u << 24)

static uint64_t gen_next(uint64_t *state)
{
	/* splitmix64 */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t gen_below(uint64_t *state, uint64_t bound)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound, r;

	do
		r = gen_next(state);
	while (r >= limit);
	return r % bound;
}

/* Parses "addr/len" into prefix (network order) and family. */
static int gen_parse_prefix(const char *text, struct flow_ep *prefix,
			    unsigned int *plen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long len;
	size_t hlen;

	if (!slash || (size_t)(slash - text) >= sizeof(host))
		return -1;
	hlen = (size_t)(slash - text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	memset(prefix, 0, sizeof(*prefix));
	len = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1)
		return -1;
	if (inet_pton(AF_INET, host, prefix->addr) == 1) {
		prefix->family = FLOW_AF_INET;
		if (len > 30)
			return -1;
	} else if (inet_pton(AF_INET6, host, prefix->addr) == 1) {
		prefix->family = FLOW_AF_INET6;
		if (len > 126)
			return -1;
	} else {
		return -1;
	}
	*plen = (unsigned int)len;
	return 0;
}

/* Sets the low bits of a copy of prefix to host (host < 2^host_bits). */
static void gen_host_addr(const struct flow_ep *prefix, unsigned int plen,
			  uint64_t host, struct flow_ep *out)
{
	unsigned int size = prefix->family == FLOW_AF_INET6 ? 16 : 4;
	unsigned int bits = size * 8, i;

	*out = *prefix;
	for (i = plen; i < bits; i++)
		out->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	for (i = 0; i < 8 && i < size; i++)
		out->addr[size - 1 - i] |= (uint8_t)(host >> (8 * i));
}

struct gen_set {
	uint64_t *slot; /* 0 = empty; host ids are never 0 */
	size_t mask;
};

static int gen_set_insert(struct gen_set *set, uint64_t v)
{
	size_t i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 20) & set->mask;

	while (set->slot[i]) {
		if (set->slot[i] == v)
			return 0;
		i = (i + 1) & set->mask;
	}
	set->slot[i] = v;
	return 1;
}

static void gen_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen gen --vip EP --clients PREFIX [options]\n"
		"Print a deterministic flow list in the trace format.\n"
		"  --vip EP          virtual service, a.b.c.d:port or [v6]:port\n"
		"  --clients PREFIX  client prefix, e.g. 10.99.0.0/16 or fd00:99::/64\n"
		"  --proto P         tcp or udp (default udp)\n"
		"  --count N         flows (default 10000)\n"
		"  --addrs N         distinct client addresses (default 1000)\n"
		"  --ports N         ports per address (default 32)\n"
		"  --port-base P     first client port (default 10000)\n"
		"  --seed N          random seed (default 1)\n"
		"  --start T         START column of every line (default 0)\n"
		"  -o FILE           write to FILE instead of stdout\n");
}

static int gen_number(const char *opt, const char *text, uint64_t max,
		      uint64_t *out)
{
	char *end;
	unsigned long long v;

	v = strtoull(text, &end, 0);
	if (!*text || *end || v > max) {
		fprintf(stderr,
			"flowgen gen: %s '%s': expected a number up to %" PRIu64
			"\n",
			opt, text, max);
		return -1;
	}
	*out = v;
	return 0;
}

int flowgen_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vip", required_argument, NULL, 'v' },
		{ "clients", required_argument, NULL, 'c' },
		{ "proto", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "addrs", required_argument, NULL, 'a' },
		{ "ports", required_argument, NULL, 'P' },
		{ "port-base", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "start", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 10000, addrs = 1000, ports = 32, port_base = 10000;
	uint64_t seed = 1, state, space, npairs, i, *hosts = NULL;
	const char *vip_text = NULL, *clients = NULL, *start = "0";
	const char *out_path = NULL, *why, *proto_name = "udp";
	struct flow_ep vip, prefix, client;
	struct gen_set set = { NULL, 0 };
	uint32_t *pairs = NULL;
	unsigned int plen, host_bits;
	char cbuf[64], vbuf[64];
	FILE *out = stdout;
	int c, proto, ret = 1;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			vip_text = optarg;
			break;
		case 'c':
			clients = optarg;
			break;
		case 'p':
			proto_name = optarg;
			break;
		case 't':
			start = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'n':
			if (gen_number("--count", optarg, GEN_MAX_PAIRS,
				       &count))
				return 2;
			break;
		case 'a':
			if (gen_number("--addrs", optarg, GEN_MAX_PAIRS,
				       &addrs))
				return 2;
			break;
		case 'P':
			if (gen_number("--ports", optarg, 65535, &ports))
				return 2;
			break;
		case 'b':
			if (gen_number("--port-base", optarg, 65535,
				       &port_base))
				return 2;
			break;
		case 's':
			if (gen_number("--seed", optarg, UINT64_MAX, &seed))
				return 2;
			break;
		case 'h':
			gen_usage(stdout);
			return 0;
		default:
			gen_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !vip_text || !clients) {
		gen_usage(stderr);
		return 2;
	}
	proto = flow_proto_parse(proto_name, strlen(proto_name));
	if (!proto) {
		fprintf(stderr,
			"flowgen gen: --proto '%s': expected tcp or udp\n",
			proto_name);
		return 2;
	}
	if (flow_ep_parse(vip_text, strlen(vip_text), &vip, &why)) {
		fprintf(stderr, "flowgen gen: --vip '%s': %s\n", vip_text, why);
		return 2;
	}
	if (gen_parse_prefix(clients, &prefix, &plen)) {
		fprintf(stderr,
			"flowgen gen: --clients '%s': expected addr/len (IPv4 up to /30, IPv6 up to /126)\n",
			clients);
		return 2;
	}
	if (prefix.family != vip.family) {
		fprintf(stderr,
			"flowgen gen: --clients and --vip must be of the same address family\n");
		return 2;
	}
	if (!addrs || !ports || port_base + ports > 65536) {
		fprintf(stderr,
			"flowgen gen: need --addrs >= 1, --ports >= 1 and --port-base + --ports <= 65536\n");
		return 2;
	}
	host_bits = (prefix.family == FLOW_AF_INET6 ? 128 : 32) - plen;
	if (host_bits > 62)
		host_bits = 62;
	space = (1ULL << host_bits) - 2; /* no all-zero or all-one host */
	if (addrs > space / 2) {
		fprintf(stderr,
			"flowgen gen: --addrs %" PRIu64
			" is more than half of the %" PRIu64 " hosts of %s\n",
			addrs, space, clients);
		return 2;
	}
	npairs = addrs * ports;
	if (npairs > GEN_MAX_PAIRS || count > npairs) {
		fprintf(stderr,
			"flowgen gen: --count must be at most --addrs * --ports (%" PRIu64
			"), and that at most %u\n",
			npairs, GEN_MAX_PAIRS);
		return 2;
	}

	hosts = calloc(addrs, sizeof(*hosts));
	for (set.mask = 1; set.mask < addrs * 2; set.mask <<= 1)
		;
	set.slot = calloc(set.mask, sizeof(*set.slot));
	set.mask--;
	pairs = malloc(npairs * sizeof(*pairs));
	if (!hosts || !set.slot || !pairs) {
		fprintf(stderr, "flowgen gen: out of memory\n");
		goto out;
	}
	state = seed;
	for (i = 0; i < addrs;) {
		uint64_t h = 1 + gen_below(&state, space);

		if (gen_set_insert(&set, h))
			hosts[i++] = h;
	}
	for (i = 0; i < npairs; i++)
		pairs[i] = (uint32_t)i;
	/* Partial Fisher-Yates: the first count entries are the sample. */
	for (i = 0; i < count; i++) {
		uint64_t j = i + gen_below(&state, npairs - i);
		uint32_t t = pairs[i];

		pairs[i] = pairs[j];
		pairs[j] = t;
	}

	if (out_path) {
		out = fopen(out_path, "w");
		if (!out) {
			perror(out_path);
			goto out;
		}
	}
	flow_ep_format(&vip, vbuf, sizeof(vbuf));
	fprintf(out,
		"# flowgen gen --seed %" PRIu64 " --count %" PRIu64
		" --clients %s --addrs %" PRIu64 " --ports %" PRIu64
		" --port-base %" PRIu64 " --vip %s --proto %s\n",
		seed, count, clients, addrs, ports, port_base, vbuf,
		flow_proto_name(proto));
	for (i = 0; i < count; i++) {
		gen_host_addr(&prefix, plen, hosts[pairs[i] / ports], &client);
		client.port = (uint16_t)(port_base + pairs[i] % ports);
		flow_ep_format(&client, cbuf, sizeof(cbuf));
		fprintf(out, "%s %s %s %s\n", start, flow_proto_name(proto),
			cbuf, vbuf);
	}
	if (fflush(out) || ferror(out)) {
		fprintf(stderr, "flowgen gen: write error\n");
		goto out;
	}
	ret = 0;
out:
	if (out != stdout)
		fclose(out);
	free(hosts);
	free(set.slot);
	free(pairs);
	return ret;
}
