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
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct gen_opts {
	uint64_t count, addrs, ports, port_base, seed;
	const char *vip_text, *clients, *start, *out_path, *proto_name;
	struct flow_ep vip, prefix;
	unsigned int plen;
	uint64_t space, npairs; /* hosts of the prefix, address-port pairs */
	int proto;
};

/* Returns -1 to go on, or the exit status (usage, bad number). */
static int gen_parse_args(int argc, char **argv, struct gen_opts *o)
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
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			o->vip_text = optarg;
			break;
		case 'c':
			o->clients = optarg;
			break;
		case 'p':
			o->proto_name = optarg;
			break;
		case 't':
			o->start = optarg;
			break;
		case 'o':
			o->out_path = optarg;
			break;
		case 'n':
			if (gen_number("--count", optarg, GEN_MAX_PAIRS,
				       &o->count))
				return 2;
			break;
		case 'a':
			if (gen_number("--addrs", optarg, GEN_MAX_PAIRS,
				       &o->addrs))
				return 2;
			break;
		case 'P':
			if (gen_number("--ports", optarg, 65535, &o->ports))
				return 2;
			break;
		case 'b':
			if (gen_number("--port-base", optarg, 65535,
				       &o->port_base))
				return 2;
			break;
		case 's':
			if (gen_number("--seed", optarg, UINT64_MAX, &o->seed))
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
	if (optind != argc || !o->vip_text || !o->clients) {
		gen_usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * A START that ipvs-sim reads: a number without sign, hex or "inf", at most
 * 1e11 seconds (its limit; epoch seconds fit, epoch milliseconds do not).
 */
static int gen_start_ok(const char *text)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)text[0]) || strpbrk(text, "xX"))
		return 0;
	errno = 0;
	v = strtod(text, &end);
	return !*end && !errno && v >= 0 && v <= 1e11;
}

/* Parses the endpoints and checks the sizes; 0 or -1 (reported). */
static int gen_validate(struct gen_opts *o)
{
	unsigned int host_bits;
	const char *why;

	if (!gen_start_ok(o->start)) {
		fprintf(stderr,
			"flowgen gen: --start '%s': expected seconds from 0 to 1e11\n",
			o->start);
		return -1;
	}

	o->proto = flow_proto_parse(o->proto_name, strlen(o->proto_name));
	if (!o->proto) {
		fprintf(stderr,
			"flowgen gen: --proto '%s': expected tcp or udp\n",
			o->proto_name);
		return -1;
	}
	if (flow_ep_parse(o->vip_text, strlen(o->vip_text), &o->vip, &why)) {
		fprintf(stderr, "flowgen gen: --vip '%s': %s\n", o->vip_text,
			why);
		return -1;
	}
	if (gen_parse_prefix(o->clients, &o->prefix, &o->plen)) {
		fprintf(stderr,
			"flowgen gen: --clients '%s': expected addr/len (IPv4 up to /30, IPv6 up to /126)\n",
			o->clients);
		return -1;
	}
	if (o->prefix.family != o->vip.family) {
		fprintf(stderr,
			"flowgen gen: --clients and --vip must be of the same address family\n");
		return -1;
	}
	if (!o->addrs || !o->ports || o->port_base + o->ports > 65536) {
		fprintf(stderr,
			"flowgen gen: need --addrs >= 1, --ports >= 1 and --port-base + --ports <= 65536\n");
		return -1;
	}
	host_bits = (o->prefix.family == FLOW_AF_INET6 ? 128 : 32) - o->plen;
	if (host_bits > 62)
		host_bits = 62;
	o->space = (1ULL << host_bits) - 2; /* no all-zero or all-one host */
	if (o->addrs > o->space / 2) {
		fprintf(stderr,
			"flowgen gen: --addrs %" PRIu64
			" is more than half of the %" PRIu64 " hosts of %s\n",
			o->addrs, o->space, o->clients);
		return -1;
	}
	o->npairs = o->addrs * o->ports;
	if (o->npairs > GEN_MAX_PAIRS || o->count > o->npairs) {
		fprintf(stderr,
			"flowgen gen: --count must be at most --addrs * --ports (%" PRIu64
			"), and that at most %u\n",
			o->npairs, GEN_MAX_PAIRS);
		return -1;
	}
	return 0;
}

/*
 * Draws the distinct hosts, then the first count pairs of a shuffle of all
 * address-port pairs. Returns 0, or -1 when out of memory (not reported).
 */
static int gen_sample(const struct gen_opts *o, uint64_t *hosts,
		      uint32_t *pairs)
{
	struct gen_set set = { NULL, 0 };
	uint64_t state = o->seed, i;

	for (set.mask = 1; set.mask < o->addrs * 2; set.mask <<= 1)
		;
	set.slot = calloc(set.mask, sizeof(*set.slot));
	if (!set.slot)
		return -1;
	set.mask--;
	for (i = 0; i < o->addrs;) {
		uint64_t h = 1 + gen_below(&state, o->space);

		if (gen_set_insert(&set, h))
			hosts[i++] = h;
	}
	free(set.slot);
	for (i = 0; i < o->npairs; i++)
		pairs[i] = (uint32_t)i;
	/* Partial Fisher-Yates: the first count entries are the sample. */
	for (i = 0; i < o->count; i++) {
		uint64_t j = i + gen_below(&state, o->npairs - i);
		uint32_t t = pairs[i];

		pairs[i] = pairs[j];
		pairs[j] = t;
	}
	return 0;
}

/* Writes the header comment and the flows; the exit status. */
static int gen_write(const struct gen_opts *o, const uint64_t *hosts,
		     const uint32_t *pairs)
{
	const char *proto = flow_proto_name(o->proto);
	char cbuf[64], vbuf[64];
	struct flow_ep client;
	FILE *out = stdout;
	int ret = 0;
	uint64_t i;

	if (o->out_path) {
		out = fopen(o->out_path, "w");
		if (!out) {
			perror(o->out_path);
			return 1;
		}
	}
	flow_ep_format(&o->vip, vbuf, sizeof(vbuf));
	fprintf(out,
		"# flowgen gen --seed %" PRIu64 " --count %" PRIu64
		" --clients %s --addrs %" PRIu64 " --ports %" PRIu64
		" --port-base %" PRIu64 " --vip %s --proto %s\n",
		o->seed, o->count, o->clients, o->addrs, o->ports, o->port_base,
		vbuf, proto);
	for (i = 0; i < o->count; i++) {
		gen_host_addr(&o->prefix, o->plen, hosts[pairs[i] / o->ports],
			      &client);
		client.port = (uint16_t)(o->port_base + pairs[i] % o->ports);
		flow_ep_format(&client, cbuf, sizeof(cbuf));
		fprintf(out, "%s %s %s %s\n", o->start, proto, cbuf, vbuf);
	}
	if (fflush(out) || ferror(out)) {
		fprintf(stderr, "flowgen gen: %s: write error: %s\n",
			o->out_path ? o->out_path : "stdout", strerror(errno));
		ret = 1;
	}
	if (out != stdout) {
		if (fclose(out) && !ret) {
			fprintf(stderr, "flowgen gen: %s: write error: %s\n",
				o->out_path, strerror(errno));
			ret = 1;
		}
		/* No partial list is left behind. */
		if (ret)
			unlink(o->out_path);
	}
	return ret;
}

int flowgen_gen(int argc, char **argv)
{
	struct gen_opts o = {
		.count = 10000,
		.addrs = 1000,
		.ports = 32,
		.port_base = 10000,
		.seed = 1,
		.start = "0",
		.proto_name = "udp",
	};
	uint32_t *pairs = NULL;
	uint64_t *hosts = NULL;
	int ret;

	ret = gen_parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (gen_validate(&o))
		return 2;
	hosts = calloc(o.addrs, sizeof(*hosts));
	pairs = malloc(o.npairs * sizeof(*pairs));
	if (!hosts || !pairs || gen_sample(&o, hosts, pairs)) {
		fprintf(stderr, "flowgen gen: out of memory\n");
		ret = 1;
	} else {
		ret = gen_write(&o, hosts, pairs);
	}
	free(hosts);
	free(pairs);
	return ret;
}
