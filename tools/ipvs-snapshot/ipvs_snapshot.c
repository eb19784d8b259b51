// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-snapshot: read a live director's IPVS services and real servers over
 * the kernel's generic netlink family "IPVS" and print them in ipvsadm's -Sn
 * syntax with each service's real servers oldest first (the reverse of the
 * kernel's list), so that `ipvsadm -R` of the output, which adds each one
 * at the list head, rebuilds the same list: in-tree mh and sh depend on it,
 * and ipvsadm cannot save it (-Sn sorts and refuses --nosort). Or as JSON
 * with connection counts, real servers in list order (head first). The
 * output feeds `ipvs-sim`.
 * Needs CAP_NET_ADMIN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipvs_nl.h"
#include "ipvs_rules.h"

static void snap_json_endpoint(FILE *f, const char *key, int af,
			       const union nf_inet_addr *a, unsigned short port)
{
	fprintf(f, "\"%s\": \"", key);
	ipvs_rules_endpoint(f, af, a, port);
	fprintf(f, "\"");
}

/* "netmask" (persistent services: the mask -M takes, full if none),
 * "one_packet" and "pe" (null if none). */
static void snap_json_service_opts(FILE *f, const struct ipvs_nl_service *svc)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr mask;

	if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
		if (svc->af == AF_INET6) {
			fprintf(f, "\"netmask\": %u, ",
				svc->netmask ? svc->netmask : 128);
		} else {
			mask.s_addr = svc->netmask ? svc->netmask : 0xffffffffu;
			fprintf(f, "\"netmask\": \"%s\", ",
				inet_ntop(AF_INET, &mask, buf, sizeof(buf)));
		}
	}
	fprintf(f, "\"one_packet\": %s, ",
		svc->flags & IP_VS_SVC_F_ONEPACKET ? "true" : "false");
	if (svc->pe[0])
		fprintf(f, "\"pe\": \"%s\", ", svc->pe);
	else
		fprintf(f, "\"pe\": null, ");
}

/* ", "tunnel": {...}" of a tunnelled server, null otherwise. */
static void snap_json_tunnel(FILE *f, const struct ipvs_nl_dest *d)
{
	if ((d->fwd & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL) {
		fprintf(f, ", \"tunnel\": null");
		return;
	}
	fprintf(f, ", \"tunnel\": {\"type\": \"%s\"",
		ipvs_rules_tun_type(d->tun_type));
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
		fprintf(f, ", \"port\": %u", d->tun_port);
	if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
		fprintf(f, ", \"checksum\": \"%s\"",
			ipvs_rules_tun_csum(d->tun_flags));
	fprintf(f, "}");
}

static void snap_print_json(FILE *f, const struct ipvs_nl_config *s)
{
	size_t i, j;

	fprintf(f, "{\"services\": [");
	for (i = 0; i < s->nsvc; i++) {
		const struct ipvs_nl_service *svc = &s->svc[i];

		fprintf(f, "%s\n {", i ? "," : "");
		if (svc->fwmark) {
			fprintf(f, "\"fwmark\": %u, \"family\": \"%s\", ",
				svc->fwmark,
				svc->af == AF_INET6 ? "ipv6" : "ipv4");
		} else {
			fprintf(f, "\"protocol\": \"%s\", ",
				svc->proto == IPPROTO_UDP    ? "udp"
				: svc->proto == IPPROTO_SCTP ? "sctp"
							     : "tcp");
			snap_json_endpoint(f, "vip", svc->af, &svc->addr,
					   svc->port);
			fprintf(f, ", ");
		}
		fprintf(f,
			"\"scheduler\": \"%s\", \"flags\": %u, \"persistence\": %u, ",
			svc->sched,
			svc->flags & (IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 |
				      IP_VS_SVC_F_SCHED3),
			svc->flags & IP_VS_SVC_F_PERSISTENT ? svc->timeout : 0);
		snap_json_service_opts(f, svc);
		fprintf(f, "\"dests\": [");
		for (j = 0; j < svc->ndests; j++) {
			const struct ipvs_nl_dest *d = &svc->dests[j];

			fprintf(f, "%s\n  {", j ? "," : "");
			snap_json_endpoint(f, "server", d->af, &d->addr,
					   d->port);
			fprintf(f,
				", \"forward\": \"%s\", \"weight\": %u, \"u_threshold\": %u, \"l_threshold\": %u, \"active_conns\": %u, \"inactive_conns\": %u",
				ipvs_rules_fwd_opt(d->fwd) + 1, d->weight,
				d->u_thresh, d->l_thresh, d->active,
				d->inactive);
			snap_json_tunnel(f, d);
			fprintf(f, "}");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n]}\n");
}

static void snap_usage(FILE *f)
{
	fprintf(f,
		"usage: ipvs-snapshot [--format ipvsadm|json] [-o FILE]\n"
		"\n"
		"Reads IPVS services and real servers over generic netlink and prints\n"
		"them in ipvsadm -Sn syntax (default), real servers oldest first so\n"
		"that ipvsadm -R rebuilds the kernel's list order, or as JSON (real\n"
		"servers in list order, newest first) with weights, thresholds and\n"
		"connection counts. With -o the\n"
		"file is written atomically (temporary file, then rename).\n"
		"Needs CAP_NET_ADMIN and the ip_vs module.\n");
}

/* Returns -1 to go on, or the exit status (usage, bad format). */
static int snap_parse_args(int argc, char **argv, bool *json, const char **out)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "json")) {
				*json = true;
			} else if (strcmp(optarg, "ipvsadm")) {
				fprintf(stderr,
					"ipvs-snapshot: unknown format '%s' (ipvsadm, json)\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			*out = optarg;
			break;
		case 'h':
			snap_usage(stdout);
			return 0;
		default:
			snap_usage(stderr);
			return 2;
		}
	}
	return -1;
}

/*
 * Prints the snapshot to stdout, or to out atomically (temporary file,
 * then rename); 0 or -1 (reported).
 */
static int snap_write(const struct ipvs_nl_config *s, bool json,
		      const char *out)
{
	char tmp[4096];
	FILE *f = stdout;

	if (out) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
		f = fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "ipvs-snapshot: %s: %s\n", tmp,
				strerror(errno));
			return -1;
		}
	}
	if (json)
		snap_print_json(f, s);
	else
		ipvs_rules_print(f, s);
	if (out) {
		if (fflush(f) || fsync(fileno(f)) || fclose(f) ||
		    rename(tmp, out)) {
			fprintf(stderr, "ipvs-snapshot: %s: %s\n", out,
				strerror(errno));
			unlink(tmp);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ipvs_nl_config c = { 0 };
	const char *out = NULL;
	char err[256];
	bool json = false;
	int ret;

	ret = snap_parse_args(argc, argv, &json, &out);
	if (ret >= 0)
		return ret;
	if (ipvs_nl_read(&c, err, sizeof(err)) != IPVS_NL_OK) {
		fprintf(stderr, "ipvs-snapshot: %s\n", err);
		return 1;
	}
	ret = snap_write(&c, json, out) ? 1 : 0;
	ipvs_nl_free(&c);
	return ret;
}
