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

static const char *snap_addr(int af, const union nf_inet_addr *a, char *buf,
			     size_t len)
{
	return inet_ntop(af, a, buf, len);
}

static void snap_endpoint(FILE *f, int af, const union nf_inet_addr *a,
			  unsigned short port)
{
	char buf[INET6_ADDRSTRLEN];

	if (af == AF_INET6)
		fprintf(f, "[%s]:%u", snap_addr(af, a, buf, sizeof(buf)), port);
	else
		fprintf(f, "%s:%u", snap_addr(af, a, buf, sizeof(buf)), port);
}

static const char *snap_proto_opt(const struct ipvs_nl_service *svc)
{
	if (svc->fwmark)
		return "-f";
	switch (svc->proto) {
	case IPPROTO_UDP:
		return "-u";
	case IPPROTO_SCTP:
		return "--sctp-service";
	default:
		return "-t";
	}
}

static void snap_service_id(FILE *f, const struct ipvs_nl_service *svc)
{
	fprintf(f, "%s ", snap_proto_opt(svc));
	if (svc->fwmark && svc->af == AF_INET6)
		fprintf(f, "%u -6", svc->fwmark); /* as ipvsadm -Sn */
	else if (svc->fwmark)
		fprintf(f, "%u", svc->fwmark);
	else
		snap_endpoint(f, svc->af, &svc->addr, svc->port);
}

/* Flag names as ipvsadm prints them for mh and sh, generic otherwise. */
static void snap_sched_flags(FILE *f, const struct ipvs_nl_service *svc)
{
	static const char *const mh[] = { "mh-fallback", "mh-port", "flag-3" };
	static const char *const sh[] = { "sh-fallback", "sh-port", "flag-3" };
	static const char *const gen[] = { "flag-1", "flag-2", "flag-3" };
	const char *const *names = !strcmp(svc->sched, "mh")   ? mh
				   : !strcmp(svc->sched, "sh") ? sh
							       : gen;
	const char *sep = " -b ";
	int i;

	for (i = 0; i < 3; i++) {
		if (svc->flags & (IP_VS_SVC_F_SCHED1 << i)) {
			fprintf(f, "%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

static const char *snap_fwd_opt(unsigned int fwd)
{
	switch (fwd & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_TUNNEL:
		return "-i";
	case IP_VS_CONN_F_DROUTE:
		return "-g";
	default:
		return "-m";
	}
}

static const char *snap_tun_type(unsigned int type)
{
	switch (type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return "gue";
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return "gre";
	default:
		return "ipip";
	}
}

/* The checksum option of a GUE or GRE tunnel, without its --tun- prefix. */
static const char *snap_tun_csum(unsigned int flags)
{
	if (flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)
		return "remcsum";
	if (flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM)
		return "csum";
	return "nocsum";
}

/* A tunnelled server's options as ipvsadm -Sn prints them. */
static void snap_tunnel(FILE *f, const struct ipvs_nl_dest *d)
{
	if ((d->fwd & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
		return;
	fprintf(f, " --tun-type %s", snap_tun_type(d->tun_type));
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
		fprintf(f, " --tun-port %u", d->tun_port);
	if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
		fprintf(f, " --tun-%s", snap_tun_csum(d->tun_flags));
}

/*
 * Persistence granularity as ipvsadm -Sn prints it after -p: a dotted mask
 * (the attribute holds it in network order) unless /32, or a prefix length
 * unless 128 for IPv6.
 */
static void snap_netmask(FILE *f, const struct ipvs_nl_service *svc)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr mask;

	if (svc->af == AF_INET6) {
		if (svc->netmask && svc->netmask != 128)
			fprintf(f, " -M %u", svc->netmask);
		return;
	}
	if (!svc->netmask || svc->netmask == 0xffffffffu)
		return;
	mask.s_addr = svc->netmask;
	fprintf(f, " -M %s", inet_ntop(AF_INET, &mask, buf, sizeof(buf)));
}

static void snap_print_ipvsadm(FILE *f, const struct ipvs_nl_config *s)
{
	size_t i, j;

	for (i = 0; i < s->nsvc; i++) {
		const struct ipvs_nl_service *svc = &s->svc[i];

		fprintf(f, "-A ");
		snap_service_id(f, svc);
		fprintf(f, " -s %s", svc->sched);
		snap_sched_flags(f, svc);
		if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
			fprintf(f, " -p %u", svc->timeout);
			snap_netmask(f, svc);
		}
		if (svc->flags & IP_VS_SVC_F_ONEPACKET)
			fprintf(f, " -o");
		if (svc->pe[0])
			fprintf(f, " --pe %s", svc->pe);
		fprintf(f, "\n");
		/* The dump is in list order, head (newest) first: print the
		 * tail first so that -R, adding at the head, rebuilds it. */
		for (j = svc->ndests; j-- > 0;) {
			const struct ipvs_nl_dest *d = &svc->dests[j];

			fprintf(f, "-a ");
			snap_service_id(f, svc);
			fprintf(f, " -r ");
			snap_endpoint(f, d->af, &d->addr, d->port);
			fprintf(f, " %s -w %u", snap_fwd_opt(d->fwd),
				d->weight);
			snap_tunnel(f, d);
			if (d->u_thresh)
				fprintf(f, " -x %u", d->u_thresh);
			if (d->l_thresh)
				fprintf(f, " -y %u", d->l_thresh);
			fprintf(f, "\n");
		}
	}
}

static void snap_json_endpoint(FILE *f, const char *key, int af,
			       const union nf_inet_addr *a, unsigned short port)
{
	fprintf(f, "\"%s\": \"", key);
	snap_endpoint(f, af, a, port);
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
		snap_tun_type(d->tun_type));
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
		fprintf(f, ", \"port\": %u", d->tun_port);
	if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
		fprintf(f, ", \"checksum\": \"%s\"",
			snap_tun_csum(d->tun_flags));
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
				snap_fwd_opt(d->fwd) + 1, d->weight,
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
		snap_print_ipvsadm(f, s);
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
