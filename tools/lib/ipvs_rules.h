/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A configuration read by ipvs_nl_read() written as ipvsadm -Sn rules
 * (ipvsadm -R input): services in dump order, each one's real servers
 * oldest first, so that -R (each -a at the list head) and ipvs-sim's
 * --config rebuild the kernel's lists. Shared by ipvs-snapshot (its rules
 * output) and ipvs-sim ramp (the live configuration it plans from).
 */
#ifndef IPVS_RULES_H
#define IPVS_RULES_H

#include <stdio.h>

#include "ipvs_nl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every service of @s and its real servers, one -A or -a line each. */
void ipvs_rules_print(FILE *f, const struct ipvs_nl_config *s);

/* "10.0.0.1:80" or "[2001:db8::1]:80". */
void ipvs_rules_endpoint(FILE *f, int af, const union nf_inet_addr *a,
			 unsigned short port);
/* "-g", "-i" or "-m" for a forwarding method (IP_VS_CONN_F_*). */
const char *ipvs_rules_fwd_opt(unsigned int fwd);
/* "ipip", "gue" or "gre" (IP_VS_CONN_F_TUNNEL_TYPE_*). */
const char *ipvs_rules_tun_type(unsigned int type);
/* "remcsum", "csum" or "nocsum" (IP_VS_TUNNEL_ENCAP_FLAG_*). */
const char *ipvs_rules_tun_csum(unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* IPVS_RULES_H */
