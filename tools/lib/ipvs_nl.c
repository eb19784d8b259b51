// SPDX-License-Identifier: GPL-2.0
/*
 * The IPVS configuration over generic netlink: a GET_SERVICE dump, then a
 * GET_DEST dump per service. Every missing or malformed attribute stops
 * the dump with a message naming it.
 */
#include "ipvs_nl.h"

#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IPVS_DEST_ATTR_ADDR_FAMILY
#define IPVS_DEST_ATTR_ADDR_FAMILY 11
#endif

struct ipvs_nl_reader {
	struct ipvs_nl_config *c;
	struct nl_sock *sock;
	int family;
	char error[160]; /* the first malformed message, "" if none */
	struct ipvs_nl_service *cur; /* the service whose dests are dumped */
};

/* Records the first problem of the dump; the callbacks then stop it. */
static int ipvs_nl_fail(struct ipvs_nl_reader *r, const char *what,
			const char *attr)
{
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s: %s", what, attr);
	return NL_STOP;
}

/* An address attribute of family af: 4 or 16 bytes (IPv4 may come padded
 * to 16, as the kernel sends union nf_inet_addr). */
static bool ipvs_nl_addr_ok(const struct nlattr *a, int af)
{
	int len = nla_len(a);

	return af == AF_INET6 ? len == 16 : len == 4 || len == 16;
}

static struct nla_policy ipvs_nl_svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING },
	[IPVS_SVC_ATTR_FLAGS] = { .type = NLA_UNSPEC },
	[IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_PE_NAME] = { .type = NLA_STRING },
};

static struct nla_policy ipvs_nl_dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_TYPE] = { .type = NLA_U8 },
	[IPVS_DEST_ATTR_TUN_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_FLAGS] = { .type = NLA_U16 },
};

/* Room for one more element of @size in *p (capacity *cap, n used). */
static bool ipvs_nl_grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(*p, ncap * size);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

static int ipvs_nl_parse_service(struct nl_msg *msg, void *arg)
{
	struct ipvs_nl_reader *r = arg;
	struct ipvs_nl_config *c = r->c;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	struct nlattr *sa[IPVS_SVC_ATTR_MAX + 1];
	struct ipvs_nl_service *svc;
	struct ip_vs_flags flags;

	static const char what[] = "malformed service message";
	int af;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL) ||
	    !attrs[IPVS_CMD_ATTR_SERVICE] ||
	    nla_parse_nested(sa, IPVS_SVC_ATTR_MAX,
			     attrs[IPVS_CMD_ATTR_SERVICE], ipvs_nl_svc_policy))
		return ipvs_nl_fail(r, what, "no service attributes");
	if (!sa[IPVS_SVC_ATTR_AF])
		return ipvs_nl_fail(r, what, "no address family");
	af = nla_get_u16(sa[IPVS_SVC_ATTR_AF]);
	if (af != AF_INET && af != AF_INET6)
		return ipvs_nl_fail(r, what, "unknown address family");
	if (!sa[IPVS_SVC_ATTR_SCHED_NAME])
		return ipvs_nl_fail(r, what, "no scheduler name");
	if (!sa[IPVS_SVC_ATTR_FLAGS])
		return ipvs_nl_fail(r, what, "no flags");
	if (!sa[IPVS_SVC_ATTR_FWMARK] &&
	    (!sa[IPVS_SVC_ATTR_PROTOCOL] || !sa[IPVS_SVC_ATTR_PORT]))
		return ipvs_nl_fail(r, what,
				    "neither a fwmark nor protocol and port");
	if (!sa[IPVS_SVC_ATTR_FWMARK] &&
	    (!sa[IPVS_SVC_ATTR_ADDR] ||
	     !ipvs_nl_addr_ok(sa[IPVS_SVC_ATTR_ADDR], af)))
		return ipvs_nl_fail(r, what, "no or bad virtual address");
	if (!ipvs_nl_grow((void **)&c->svc, &c->cap, c->nsvc, sizeof(*c->svc)))
		return ipvs_nl_fail(r, what, "out of memory");
	svc = &c->svc[c->nsvc++];
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
	if (sa[IPVS_SVC_ATTR_PE_NAME])
		snprintf(svc->pe, sizeof(svc->pe), "%s",
			 nla_get_string(sa[IPVS_SVC_ATTR_PE_NAME]));
	if (nla_len(sa[IPVS_SVC_ATTR_FLAGS]) < (int)sizeof(flags))
		return ipvs_nl_fail(r, what, "short flags");
	nla_memcpy(&flags, sa[IPVS_SVC_ATTR_FLAGS], sizeof(flags));
	svc->flags = flags.flags;
	if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
		if (!sa[IPVS_SVC_ATTR_TIMEOUT] || !sa[IPVS_SVC_ATTR_NETMASK])
			return ipvs_nl_fail(
				r, what,
				"persistent without timeout or netmask");
		svc->timeout = nla_get_u32(sa[IPVS_SVC_ATTR_TIMEOUT]);
		svc->netmask = nla_get_u32(sa[IPVS_SVC_ATTR_NETMASK]);
	}
	return NL_OK;
}

static int ipvs_nl_parse_dest(struct nl_msg *msg, void *arg)
{
	struct ipvs_nl_reader *r = arg;
	struct ipvs_nl_service *svc = r->cur;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	struct nlattr *da[IPVS_DEST_ATTR_MAX + 1];
	static const char what[] = "malformed real server message";
	static const int needed[] = {
		IPVS_DEST_ATTR_PORT,	    IPVS_DEST_ATTR_FWD_METHOD,
		IPVS_DEST_ATTR_WEIGHT,	    IPVS_DEST_ATTR_U_THRESH,
		IPVS_DEST_ATTR_L_THRESH,    IPVS_DEST_ATTR_ACTIVE_CONNS,
		IPVS_DEST_ATTR_INACT_CONNS,
	};
	struct ipvs_nl_dest *d;
	size_t i;
	int af;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL) ||
	    !attrs[IPVS_CMD_ATTR_DEST] ||
	    nla_parse_nested(da, IPVS_DEST_ATTR_MAX, attrs[IPVS_CMD_ATTR_DEST],
			     ipvs_nl_dest_policy))
		return ipvs_nl_fail(r, what, "no real server attributes");
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!da[needed[i]])
			return ipvs_nl_fail(
				r, what,
				"a port, forwarding method, weight, threshold or counter is missing");
	af = da[IPVS_DEST_ATTR_ADDR_FAMILY]
		     ? nla_get_u16(da[IPVS_DEST_ATTR_ADDR_FAMILY])
		     : svc->af;
	if (af != AF_INET && af != AF_INET6)
		return ipvs_nl_fail(r, what, "unknown address family");
	if (!da[IPVS_DEST_ATTR_ADDR] ||
	    !ipvs_nl_addr_ok(da[IPVS_DEST_ATTR_ADDR], af))
		return ipvs_nl_fail(r, what, "no or bad address");
	if (!ipvs_nl_grow((void **)&svc->dests, &svc->cap, svc->ndests,
			  sizeof(*d)))
		return ipvs_nl_fail(r, what, "out of memory");
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
	if (da[IPVS_DEST_ATTR_TUN_TYPE])
		d->tun_type = nla_get_u8(da[IPVS_DEST_ATTR_TUN_TYPE]);
	if (da[IPVS_DEST_ATTR_TUN_PORT])
		d->tun_port = ntohs(nla_get_u16(da[IPVS_DEST_ATTR_TUN_PORT]));
	if (da[IPVS_DEST_ATTR_TUN_FLAGS])
		d->tun_flags = nla_get_u16(da[IPVS_DEST_ATTR_TUN_FLAGS]);
	if (d->tun_type >= IP_VS_CONN_F_TUNNEL_TYPE_MAX)
		return ipvs_nl_fail(r, what, "unknown tunnel type");
	return NL_OK;
}

/* The service's identity, as the dest commands and dumps take it. */
static int ipvs_nl_put_service(struct nl_msg *msg,
			       const struct ipvs_nl_service *svc)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);

	if (!nest)
		return -NLE_NOMEM;
	if (nla_put_u16(msg, IPVS_SVC_ATTR_AF, svc->af))
		return -NLE_NOMEM;
	if (svc->fwmark) {
		if (nla_put_u32(msg, IPVS_SVC_ATTR_FWMARK, svc->fwmark))
			return -NLE_NOMEM;
	} else if (nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, svc->proto) ||
		   nla_put(msg, IPVS_SVC_ATTR_ADDR, sizeof(svc->addr),
			   &svc->addr) ||
		   nla_put_u16(msg, IPVS_SVC_ATTR_PORT, htons(svc->port))) {
		return -NLE_NOMEM;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int ipvs_nl_dump(struct ipvs_nl_reader *r, int cmd,
			struct ipvs_nl_service *svc)
{
	nl_recvmsg_msg_cb_t cb =
		svc ? ipvs_nl_parse_dest : ipvs_nl_parse_service;
	struct nl_msg *msg = nlmsg_alloc();
	int ret = -NLE_NOMEM;

	if (!msg)
		return ret;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, r->family, 0,
			 NLM_F_DUMP, cmd, IPVS_GENL_VERSION))
		goto out;
	if (svc && ipvs_nl_put_service(msg, svc))
		goto out;
	r->cur = svc;
	nl_socket_modify_cb(r->sock, NL_CB_VALID, NL_CB_CUSTOM, cb, r);
	ret = nl_send_auto(r->sock, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(r->sock);
out:
	nlmsg_free(msg);
	return ret;
}

void ipvs_nl_free(struct ipvs_nl_config *c)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		free(c->svc[i].dests);
	free(c->svc);
	memset(c, 0, sizeof(*c));
}

int ipvs_nl_read(struct ipvs_nl_config *c, char *err, size_t errlen)
{
	struct ipvs_nl_reader r = { .c = c };
	int status = IPVS_NL_OK;
	size_t i;
	int ret;

	r.sock = nl_socket_alloc();
	if (!r.sock || genl_connect(r.sock)) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		status = IPVS_NL_NO_SOCKET;
		goto out;
	}
	r.family = genl_ctrl_resolve(r.sock, IPVS_GENL_NAME);
	if (r.family < 0) {
		snprintf(
			err, errlen,
			"generic netlink family %s not found: is ip_vs loaded?",
			IPVS_GENL_NAME);
		status = IPVS_NL_NO_IPVS;
		goto out;
	}
	nl_socket_disable_seq_check(r.sock);
	ret = ipvs_nl_dump(&r, IPVS_CMD_GET_SERVICE, NULL);
	for (i = 0; ret >= 0 && !r.error[0] && i < c->nsvc; i++)
		ret = ipvs_nl_dump(&r, IPVS_CMD_GET_DEST, &c->svc[i]);
	if (ret == -NLE_PERM) {
		snprintf(err, errlen,
			 "netlink dump refused: %s (CAP_NET_ADMIN needed)",
			 nl_geterror(ret));
		status = IPVS_NL_NO_PERM;
	} else if (ret < 0 || r.error[0]) {
		snprintf(err, errlen, "netlink dump failed: %s",
			 r.error[0] ? r.error : nl_geterror(ret));
		status = IPVS_NL_FAILED;
	}
out:
	if (status != IPVS_NL_OK)
		ipvs_nl_free(c);
	if (r.sock)
		nl_socket_free(r.sock);
	return status;
}

/* The real server's attributes: all of them for NEW/SET_DEST (the kernel
 * wants the forwarding method, weight and both thresholds), the address
 * and port for DEL_DEST. */
static int ipvs_nl_put_dest(struct nl_msg *msg, int cmd,
			    const struct ipvs_nl_service *svc,
			    const struct ipvs_nl_dest *d)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);

	if (!nest ||
	    nla_put(msg, IPVS_DEST_ATTR_ADDR, sizeof(d->addr), &d->addr) ||
	    nla_put_u16(msg, IPVS_DEST_ATTR_PORT, htons(d->port)))
		return -NLE_NOMEM;
	if (d->af != svc->af &&
	    nla_put_u16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, d->af))
		return -NLE_NOMEM;
	if (cmd != IPVS_CMD_DEL_DEST &&
	    (nla_put_u32(msg, IPVS_DEST_ATTR_FWD_METHOD, d->fwd) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_WEIGHT, d->weight) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_U_THRESH, d->u_thresh) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_L_THRESH, d->l_thresh)))
		return -NLE_NOMEM;
	if (cmd != IPVS_CMD_DEL_DEST &&
	    (d->fwd & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL &&
	    (nla_put_u8(msg, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type) ||
	     nla_put_u16(msg, IPVS_DEST_ATTR_TUN_PORT, htons(d->tun_port)) ||
	     nla_put_u16(msg, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags)))
		return -NLE_NOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

int ipvs_nl_dest_edit(int cmd, const struct ipvs_nl_service *svc,
		      const struct ipvs_nl_dest *d, char *err, size_t errlen)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int status = IPVS_NL_OK;
	int family, ret;

	if (cmd != IPVS_CMD_NEW_DEST && cmd != IPVS_CMD_SET_DEST &&
	    cmd != IPVS_CMD_DEL_DEST) {
		snprintf(err, errlen, "not a real-server command: %d", cmd);
		return IPVS_NL_FAILED;
	}
	if (!sock || genl_connect(sock)) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		status = IPVS_NL_NO_SOCKET;
		goto out;
	}
	family = genl_ctrl_resolve(sock, IPVS_GENL_NAME);
	if (family < 0) {
		snprintf(
			err, errlen,
			"generic netlink family %s not found: is ip_vs loaded?",
			IPVS_GENL_NAME);
		status = IPVS_NL_NO_IPVS;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd,
			 IPVS_GENL_VERSION) ||
	    ipvs_nl_put_service(msg, svc) ||
	    ipvs_nl_put_dest(msg, cmd, svc, d)) {
		snprintf(err, errlen, "out of memory");
		status = IPVS_NL_FAILED;
		goto out;
	}
	/* Sends, waits for the acknowledgement and frees the message. */
	ret = nl_send_sync(sock, msg);
	msg = NULL;
	if (ret == -NLE_PERM) {
		snprintf(err, errlen, "refused: %s (CAP_NET_ADMIN needed)",
			 nl_geterror(ret));
		status = IPVS_NL_NO_PERM;
	} else if (ret < 0) {
		snprintf(err, errlen, "%s", nl_geterror(ret));
		status = IPVS_NL_FAILED;
	}
out:
	nlmsg_free(msg);
	if (sock)
		nl_socket_free(sock);
	return status;
}
