// SPDX-License-Identifier: GPL-2.0
// Reads what `ipvsadm -Ln` and `ipvsadm -Ln --nosort` print (ipvsadm 1.31):
//
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
//   TCP  10.186.181.200:443 mh (mh-fallback,mh-port)
//     -> 10.186.181.203:443           Route   1      0          0
//   UDP  [fd00::53]:53 sh (sh-port)
//   TCP  192.168.1.100:80 rr persistent 600 mask 255.255.255.0
//   FWM  7 wrr
//   FWM  9 IPv6 wlc ops pe sip
//
// Forward is Masq, Route, Tunnel or Local (Local reads as Route: ipvsadm
// prints a local real server's direct routing that way). Header lines may
// be absent. Numeric addresses only (-n).
//
// List order: with --nosort the real servers of a service come in the
// kernel's list order, head (newest) first, and the list is rebuilt as it
// is (ApplyDestEdit at the tail). Without --nosort ipvsadm sorts them by
// address and the text cannot show it: @sorted says the listing is sorted,
// and then a warning names every mh and sh service with more than one real
// server, whose prediction depends on the order the listing lost, and one
// more counts the other such services (compare may run mh or sh on them).
//
// Listings without weights (--thresholds, --stats, --rate,
// --persistent-conn) are refused: they cannot say how the servers are
// weighted.
#ifndef IPVS_SCHED_SIM_IPVSADM_LIST_H_
#define IPVS_SCHED_SIM_IPVSADM_LIST_H_

#include <string>
#include <vector>

#include "ipvsadm_config.h"

namespace ipvs_sim {

// Parses @text named @name. False with *err = "name:line: ..." on the first
// line it cannot read. Warnings are appended to *warnings.
bool ParseIpvsadmList(const std::string& text, const std::string& name, bool sorted,
                      IpvsConfig* out, std::vector<std::string>* warnings, std::string* err);

// True if @text looks like ipvsadm -L output: the version or column header,
// or a line "TCP|UDP|SCTP|FWM  ..." / "  -> ADDR".
bool LooksLikeIpvsadmList(const std::string& text);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_IPVSADM_LIST_H_
