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
#include <linux/ip_vs.h>
#include <linux/netfilter.h>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IPVS_DEST_ATTR_ADDR_FAMILY
#define IPVS_DEST_ATTR_ADDR_FAMILY 11
#endif

#define SNAP_MAX_SERVICES 65536

struct snap_dest {
	int af;
	union nf_inet_addr addr;
	unsigned short port;
	unsigned int fwd, weight, u_thresh, l_thresh, active, inactive;
};

struct snap_service {
	int af;
	unsigned int proto, fwmark, flags, timeout, netmask;
	union nf_inet_addr addr;
	unsigned short port;
	char sched[IP_VS_SCHEDNAME_MAXLEN + 1];
	struct snap_dest *dests;
	size_t ndests, cap;
};

struct snap {
	struct snap_service *svc;
	size_t nsvc, cap;
	int family;
	struct nl_sock *sock;
	char error[160]; /* the first malformed message, "" if none */
	struct snap_service *cur; /* the service whose dests are dumped */
};

/* Records the first problem of the dump; the callbacks then stop it. */
static int snap_fail(struct snap *s, const char *what, const char *attr)
{
	if (!s->error[0])
		snprintf(s->error, sizeof(s->error), "%s: %s", what, attr);
	return NL_STOP;
}

/* An address attribute of family af: 4 or 16 bytes (IPv4 may come padded
 * to 16, as the kernel sends union nf_inet_addr). */
static bool snap_addr_ok(const struct nlattr *a, int af)
{
	int len = nla_len(a);

	return af == AF_INET6 ? len == 16 : len == 4 || len == 16;
}

static struct nla_policy snap_svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING },
	[IPVS_SVC_ATTR_FLAGS] = { .type = NLA_UNSPEC },
	[IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
};

static struct nla_policy snap_dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
};

static void *snap_grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "ipvs-snapshot: out of memory\n");
		exit(1);
	}
	return p;
}

static int snap_parse_service(struct nl_msg *msg, void *arg)
{
	struct snap *s = arg;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	struct nlattr *sa[IPVS_SVC_ATTR_MAX + 1];
	struct snap_service *svc;
	struct ip_vs_flags flags;

	static const char what[] = "malformed service message";
	int af;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL) ||
	    !attrs[IPVS_CMD_ATTR_SERVICE] ||
	    nla_parse_nested(sa, IPVS_SVC_ATTR_MAX,
			     attrs[IPVS_CMD_ATTR_SERVICE], snap_svc_policy))
		return snap_fail(s, what, "no service attributes");
	if (!sa[IPVS_SVC_ATTR_AF])
		return snap_fail(s, what, "no address family");
	af = nla_get_u16(sa[IPVS_SVC_ATTR_AF]);
	if (af != AF_INET && af != AF_INET6)
		return snap_fail(s, what, "unknown address family");
	if (!sa[IPVS_SVC_ATTR_SCHED_NAME])
		return snap_fail(s, what, "no scheduler name");
	if (!sa[IPVS_SVC_ATTR_FLAGS])
		return snap_fail(s, what, "no flags");
	if (!sa[IPVS_SVC_ATTR_FWMARK] &&
	    (!sa[IPVS_SVC_ATTR_PROTOCOL] || !sa[IPVS_SVC_ATTR_PORT]))
		return snap_fail(s, what,
				 "neither a fwmark nor protocol and port");
	if (!sa[IPVS_SVC_ATTR_FWMARK] &&
	    (!sa[IPVS_SVC_ATTR_ADDR] ||
	     !snap_addr_ok(sa[IPVS_SVC_ATTR_ADDR], af)))
		return snap_fail(s, what, "no or bad virtual address");
	s->svc = snap_grow(s->svc, &s->cap, s->nsvc, sizeof(*s->svc));
	svc = &s->svc[s->nsvc++];
	memset(svc, 0, sizeof(*svc));
	svc->af = af;
	if (sa[IPVS_SVC_ATTR_FWMARK]) {
		svc->fwmark = nla_get_u32(sa[IPVS_SVC_ATTR_FWMARK]);
	} else {
		svc->proto = nla_get_u16(sa[IPVS_SVC_ATTR_PROTOCOL]);
		memcpy(&svc->addr, nla_data(sa[IPVS_SVC_ATTR_ADDR]),
		       nla_len(sa[IPVS_SVC_ATTR_ADDR]) < 16
			       ? nla_len(sa[IPVS_SVC_ATTR_ADDR])
			       : 16);
		svc->port = ntohs(nla_get_u16(sa[IPVS_SVC_ATTR_PORT]));
	}
	snprintf(svc->sched, sizeof(svc->sched), "%s",
		 nla_get_string(sa[IPVS_SVC_ATTR_SCHED_NAME]));
	if (nla_len(sa[IPVS_SVC_ATTR_FLAGS]) < (int)sizeof(flags))
		return snap_fail(s, what, "short flags");
	nla_memcpy(&flags, sa[IPVS_SVC_ATTR_FLAGS], sizeof(flags));
	svc->flags = flags.flags;
	if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
		if (!sa[IPVS_SVC_ATTR_TIMEOUT] || !sa[IPVS_SVC_ATTR_NETMASK])
			return snap_fail(
				s, what,
				"persistent without timeout or netmask");
		svc->timeout = nla_get_u32(sa[IPVS_SVC_ATTR_TIMEOUT]);
		svc->netmask = nla_get_u32(sa[IPVS_SVC_ATTR_NETMASK]);
	}
	return NL_OK;
}

static int snap_parse_dest(struct nl_msg *msg, void *arg)
{
	struct snap *s = arg;
	struct snap_service *svc = s->cur;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	struct nlattr *da[IPVS_DEST_ATTR_MAX + 1];
	static const char what[] = "malformed real server message";
	static const int needed[] = {
		IPVS_DEST_ATTR_PORT,	    IPVS_DEST_ATTR_FWD_METHOD,
		IPVS_DEST_ATTR_WEIGHT,	    IPVS_DEST_ATTR_U_THRESH,
		IPVS_DEST_ATTR_L_THRESH,    IPVS_DEST_ATTR_ACTIVE_CONNS,
		IPVS_DEST_ATTR_INACT_CONNS,
	};
	struct snap_dest *d;
	size_t i;
	int af;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL) ||
	    !attrs[IPVS_CMD_ATTR_DEST] ||
	    nla_parse_nested(da, IPVS_DEST_ATTR_MAX, attrs[IPVS_CMD_ATTR_DEST],
			     snap_dest_policy))
		return snap_fail(s, what, "no real server attributes");
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!da[needed[i]])
			return snap_fail(
				s, what,
				"a port, forwarding method, weight, threshold or counter is missing");
	af = da[IPVS_DEST_ATTR_ADDR_FAMILY]
		     ? nla_get_u16(da[IPVS_DEST_ATTR_ADDR_FAMILY])
		     : svc->af;
	if (af != AF_INET && af != AF_INET6)
		return snap_fail(s, what, "unknown address family");
	if (!da[IPVS_DEST_ATTR_ADDR] ||
	    !snap_addr_ok(da[IPVS_DEST_ATTR_ADDR], af))
		return snap_fail(s, what, "no or bad address");
	svc->dests = snap_grow(svc->dests, &svc->cap, svc->ndests, sizeof(*d));
	d = &svc->dests[svc->ndests++];
	memset(d, 0, sizeof(*d));
	d->af = af;
	memcpy(&d->addr, nla_data(da[IPVS_DEST_ATTR_ADDR]),
	       nla_len(da[IPVS_DEST_ATTR_ADDR]) < 16
		       ? nla_len(da[IPVS_DEST_ATTR_ADDR])
		       : 16);
	d->port = ntohs(nla_get_u16(da[IPVS_DEST_ATTR_PORT]));
	d->fwd = nla_get_u32(da[IPVS_DEST_ATTR_FWD_METHOD]);
	d->weight = nla_get_u32(da[IPVS_DEST_ATTR_WEIGHT]);
	d->u_thresh = nla_get_u32(da[IPVS_DEST_ATTR_U_THRESH]);
	d->l_thresh = nla_get_u32(da[IPVS_DEST_ATTR_L_THRESH]);
	d->active = nla_get_u32(da[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	d->inactive = nla_get_u32(da[IPVS_DEST_ATTR_INACT_CONNS]);
	return NL_OK;
}

static int snap_dump(struct snap *s, int cmd, struct snap_service *svc)
{
	nl_recvmsg_msg_cb_t cb = svc ? snap_parse_dest : snap_parse_service;
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;
	int ret = -ENOMEM;

	if (!msg)
		return ret;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family, 0,
			 NLM_F_DUMP, cmd, IPVS_GENL_VERSION))
		goto out;
	if (svc) {
		nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
		if (!nest)
			goto out;
		nla_put_u16(msg, IPVS_SVC_ATTR_AF, svc->af);
		if (svc->fwmark) {
			nla_put_u32(msg, IPVS_SVC_ATTR_FWMARK, svc->fwmark);
		} else {
			nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, svc->proto);
			nla_put(msg, IPVS_SVC_ATTR_ADDR, sizeof(svc->addr),
				&svc->addr);
			nla_put_u16(msg, IPVS_SVC_ATTR_PORT, htons(svc->port));
		}
		nla_nest_end(msg, nest);
	}
	s->cur = svc;
	nl_socket_modify_cb(s->sock, NL_CB_VALID, NL_CB_CUSTOM, cb, s);
	ret = nl_send_auto(s->sock, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(s->sock);
out:
	nlmsg_free(msg);
	return ret;
}

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

static const char *snap_proto_opt(const struct snap_service *svc)
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

static void snap_service_id(FILE *f, const struct snap_service *svc)
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
static void snap_sched_flags(FILE *f, const struct snap_service *svc)
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

/*
 * Persistence granularity as ipvsadm -Sn prints it after -p: a dotted mask
 * (the attribute holds it in network order) unless /32, or a prefix length
 * unless 128 for IPv6.
 */
static void snap_netmask(FILE *f, const struct snap_service *svc)
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

static void snap_print_ipvsadm(FILE *f, const struct snap *s)
{
	size_t i, j;

	for (i = 0; i < s->nsvc; i++) {
		const struct snap_service *svc = &s->svc[i];

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
		fprintf(f, "\n");
		/* The dump is in list order, head (newest) first: print the
		 * tail first so that -R, adding at the head, rebuilds it. */
		for (j = svc->ndests; j-- > 0;) {
			const struct snap_dest *d = &svc->dests[j];

			fprintf(f, "-a ");
			snap_service_id(f, svc);
			fprintf(f, " -r ");
			snap_endpoint(f, d->af, &d->addr, d->port);
			fprintf(f, " %s -w %u", snap_fwd_opt(d->fwd),
				d->weight);
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

static void snap_print_json(FILE *f, const struct snap *s)
{
	size_t i, j;

	fprintf(f, "{\"services\": [");
	for (i = 0; i < s->nsvc; i++) {
		const struct snap_service *svc = &s->svc[i];

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
			"\"scheduler\": \"%s\", \"flags\": %u, \"persistence\": %u, \"dests\": [",
			svc->sched,
			svc->flags & (IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 |
				      IP_VS_SVC_F_SCHED3),
			svc->flags & IP_VS_SVC_F_PERSISTENT ? svc->timeout : 0);
		for (j = 0; j < svc->ndests; j++) {
			const struct snap_dest *d = &svc->dests[j];

			fprintf(f, "%s\n  {", j ? "," : "");
			snap_json_endpoint(f, "server", d->af, &d->addr,
					   d->port);
			fprintf(f,
				", \"forward\": \"%s\", \"weight\": %u, \"u_threshold\": %u, \"l_threshold\": %u, \"active_conns\": %u, \"inactive_conns\": %u}",
				snap_fwd_opt(d->fwd) + 1, d->weight,
				d->u_thresh, d->l_thresh, d->active,
				d->inactive);
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

/* Dumps the services and their real servers into s; 0 or -1 (reported). */
static int snap_read(struct snap *s)
{
	size_t i;
	int ret;

	s->sock = nl_socket_alloc();
	if (!s->sock || genl_connect(s->sock)) {
		fprintf(stderr,
			"ipvs-snapshot: cannot open a generic netlink socket\n");
		return -1;
	}
	s->family = genl_ctrl_resolve(s->sock, IPVS_GENL_NAME);
	if (s->family < 0) {
		fprintf(stderr,
			"ipvs-snapshot: generic netlink family %s not found: is ip_vs loaded?\n",
			IPVS_GENL_NAME);
		return -1;
	}
	nl_socket_disable_seq_check(s->sock);
	ret = snap_dump(s, IPVS_CMD_GET_SERVICE, NULL);
	for (i = 0; ret >= 0 && !s->error[0] && i < s->nsvc; i++)
		ret = snap_dump(s, IPVS_CMD_GET_DEST, &s->svc[i]);
	if (ret < 0 || s->error[0]) {
		/* A partial dump is never printed: it would read as a
		 * configuration with services or real servers missing. */
		fprintf(stderr, "ipvs-snapshot: netlink dump failed: %s\n",
			s->error[0] ? s->error : nl_geterror(ret));
		return -1;
	}
	return 0;
}

/*
 * Prints the snapshot to stdout, or to out atomically (temporary file,
 * then rename); 0 or -1 (reported).
 */
static int snap_write(const struct snap *s, bool json, const char *out)
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
	struct snap s = { 0 };
	const char *out = NULL;
	bool json = false;
	size_t i;
	int ret;

	ret = snap_parse_args(argc, argv, &json, &out);
	if (ret >= 0)
		return ret;
	if (snap_read(&s) || snap_write(&s, json, out))
		return 1;
	for (i = 0; i < s.nsvc; i++)
		free(s.svc[i].dests);
	free(s.svc);
	nl_socket_free(s.sock);
	return 0;
}
