/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A director's IPVS configuration read over the kernel's generic netlink
 * family "IPVS" (libnl-3): the services of the caller's network namespace
 * and each one's real servers in the kernel's list order (head, the most
 * recently added, first), and the real-server edits. Shared by
 * ipvs-snapshot, ipvs-verify and ipvs-sim ramp. The dump and the edits
 * need CAP_NET_ADMIN in the namespace's owning user namespace.
 *
 * Not thread-safe: one reader per ipvs_nl_config.
 */
#ifndef IPVS_NL_H
#define IPVS_NL_H

/* glibc's netinet/in.h before the UAPI headers, which then leave out
 * their own copies of its definitions. */
#include <netinet/in.h>
#include <linux/ip_vs.h>
#include <linux/netfilter.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ipvs_nl_dest {
	int af;
	union nf_inet_addr addr; /* IPv4 in the first 4 bytes, the rest 0 */
	unsigned short port; /* host order */
	unsigned int fwd, weight, u_thresh, l_thresh, active, inactive;
	/* Tunnelled (-i) servers: IP_VS_CONN_F_TUNNEL_TYPE_*, the GUE port
	 * (host order) and IP_VS_TUNNEL_ENCAP_FLAG_*; 0 for kernels that send
	 * none (IPIP, as before 5.3). */
	unsigned int tun_type, tun_flags;
	unsigned short tun_port;
};

struct ipvs_nl_service {
	int af;
	unsigned int proto, fwmark, flags, timeout, netmask;
	union nf_inet_addr addr; /* 0 for fwmark services */
	unsigned short port; /* host order */
	char sched[IP_VS_SCHEDNAME_MAXLEN + 1];
	char pe[IP_VS_PENAME_MAXLEN + 1]; /* persistence engine, "" if none */
	struct ipvs_nl_dest *dests;
	size_t ndests, cap;
};

struct ipvs_nl_config {
	struct ipvs_nl_service *svc;
	size_t nsvc, cap;
};

/* What ipvs_nl_read() can fail on; callers pick their exit status. */
enum ipvs_nl_status {
	IPVS_NL_OK = 0,
	IPVS_NL_NO_SOCKET = 1, /* no generic netlink socket */
	IPVS_NL_NO_IPVS = 2, /* no family "IPVS": ip_vs is not loaded */
	IPVS_NL_NO_PERM = 3, /* the dump was refused: no CAP_NET_ADMIN */
	IPVS_NL_FAILED = 4, /* the dump failed or a message was malformed */
};

/*
 * Dumps every service and its real servers into @c, which must be zeroed
 * (or freed with ipvs_nl_free()) first. Returns IPVS_NL_OK, or another
 * status with a sentence in @err ("generic netlink family IPVS not found:
 * is ip_vs loaded?") and @c empty: a partial dump is never returned, since
 * it would read as a configuration with services or servers missing.
 */
int ipvs_nl_read(struct ipvs_nl_config *c, char *err, size_t errlen);

void ipvs_nl_free(struct ipvs_nl_config *c);

/*
 * One real-server edit, as ipvsadm -a, -e and -d make it: @cmd is
 * IPVS_CMD_NEW_DEST, IPVS_CMD_SET_DEST or IPVS_CMD_DEL_DEST, @svc names
 * the service (af and fwmark, or proto, addr and port; the rest unused)
 * and @d the server (af, addr, port; for NEW and SET also fwd, weight,
 * thresholds and, for a tunnel, the tunnel fields). Waits for the
 * kernel's acknowledgement: IPVS_NL_OK once the edit is in place, else
 * another status and the kernel's answer in @err ("Object exists",
 * "Object not found"), with nothing changed.
 */
int ipvs_nl_dest_edit(int cmd, const struct ipvs_nl_service *svc,
		      const struct ipvs_nl_dest *d, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* IPVS_NL_H */
