// SPDX-License-Identifier: GPL-2.0
/*
 * A netlink dump written as ipvsadm -Sn rules (ipvs_rules.h).
 */
#include "ipvs_rules.h"

#include <arpa/inet.h>
#include <string.h>

static const char *rules_addr(int af, const union nf_inet_addr *a, char *buf,
			      size_t len)
{
	return inet_ntop(af, a, buf, len);
}

void ipvs_rules_endpoint(FILE *f, int af, const union nf_inet_addr *a,
			 unsigned short port)
{
	char buf[INET6_ADDRSTRLEN];

	if (af == AF_INET6)
		fprintf(f, "[%s]:%u", rules_addr(af, a, buf, sizeof(buf)),
			port);
	else
		fprintf(f, "%s:%u", rules_addr(af, a, buf, sizeof(buf)), port);
}

static const char *rules_proto_opt(const struct ipvs_nl_service *svc)
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

static void rules_service_id(FILE *f, const struct ipvs_nl_service *svc)
{
	fprintf(f, "%s ", rules_proto_opt(svc));
	if (svc->fwmark && svc->af == AF_INET6)
		fprintf(f, "%u -6", svc->fwmark); /* as ipvsadm -Sn */
	else if (svc->fwmark)
		fprintf(f, "%u", svc->fwmark);
	else
		ipvs_rules_endpoint(f, svc->af, &svc->addr, svc->port);
}

/* Flag names as ipvsadm prints them for mh and sh, generic otherwise. */
static void rules_sched_flags(FILE *f, const struct ipvs_nl_service *svc)
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

const char *ipvs_rules_fwd_opt(unsigned int fwd)
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

const char *ipvs_rules_tun_type(unsigned int type)
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
const char *ipvs_rules_tun_csum(unsigned int flags)
{
	if (flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)
		return "remcsum";
	if (flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM)
		return "csum";
	return "nocsum";
}

/* A tunnelled server's options as ipvsadm -Sn prints them. */
static void rules_tunnel(FILE *f, const struct ipvs_nl_dest *d)
{
	if ((d->fwd & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
		return;
	fprintf(f, " --tun-type %s", ipvs_rules_tun_type(d->tun_type));
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
		fprintf(f, " --tun-port %u", d->tun_port);
	if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
		fprintf(f, " --tun-%s", ipvs_rules_tun_csum(d->tun_flags));
}

/*
 * Persistence granularity as ipvsadm -Sn prints it after -p: a dotted mask
 * (the attribute holds it in network order) unless /32, or a prefix length
 * unless 128 for IPv6.
 */
static void rules_netmask(FILE *f, const struct ipvs_nl_service *svc)
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

void ipvs_rules_print(FILE *f, const struct ipvs_nl_config *s)
{
	size_t i, j;

	for (i = 0; i < s->nsvc; i++) {
		const struct ipvs_nl_service *svc = &s->svc[i];

		fprintf(f, "-A ");
		rules_service_id(f, svc);
		fprintf(f, " -s %s", svc->sched);
		rules_sched_flags(f, svc);
		if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
			fprintf(f, " -p %u", svc->timeout);
			rules_netmask(f, svc);
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
			rules_service_id(f, svc);
			fprintf(f, " -r ");
			ipvs_rules_endpoint(f, d->af, &d->addr, d->port);
			fprintf(f, " %s -w %u", ipvs_rules_fwd_opt(d->fwd),
				d->weight);
			rules_tunnel(f, d);
			if (d->u_thresh)
				fprintf(f, " -x %u", d->u_thresh);
			if (d->l_thresh)
				fprintf(f, " -y %u", d->l_thresh);
			fprintf(f, "\n");
		}
	}
}
