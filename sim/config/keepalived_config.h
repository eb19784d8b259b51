// SPDX-License-Identifier: GPL-2.0
// Reads the IPVS part of a keepalived.conf (keepalived 2.2.x syntax) into
// the services and real servers keepalived would configure at start-up:
//
//   virtual_server_group VSG { 10.0.0.1 80  192.168.200.3-10 80  fwmark 7 }
//   virtual_server 10.0.0.1 80 {           # or: fwmark 7 / group VSG
//     lb_algo mh                           # lvs_sched
//     mh-port                              # flag keywords, after lb_algo
//     lb_kind NAT                          # lvs_method: NAT, DR, TUN
//     protocol TCP
//     persistence_timeout 600
//     persistence_granularity 255.255.255.0
//     real_server 192.168.1.5 80 { weight 3  inhibit_on_failure  TCP_CHECK { ... } }
//     sorry_server 192.168.1.99 80
//   }
//
// What keepalived's own parser does decides the meaning (keepalived's
// lib/parser.c, check/check_parser.c, check_data.c, ipwrapper.c and
// ipvswrapper.c, v2.2.7):
// - '#' and '!' start a comment anywhere outside double quotes ("\#" and
//   "\!" escape them); '{' and '}' may stand anywhere on a line; a trailing
//   '\' continues only a definition (refused here: multi-line definitions
//   are not supported) and is otherwise a word, as in keepalived. Lines "@ID ..." apply only when
//   keepalived runs with that config id (-i ID; default: the host name): here ID is
//   @config_id (empty: none match); "@^ID ..." applies when it does not.
//   Simple "$NAME=value" definitions are substituted ($NAME, ${NAME}).
// - "include PATTERN" anywhere: a glob (with braces), relative to the
//   directory of the file that includes it (keepalived chdir()s there);
//   matches are read in sorted order, no match is a warning.
// - Blocks other than virtual_server_group and virtual_server (global_defs,
//   vrrp_*, static_*, SSL, ...) are skipped, as are checkers and other
//   keywords without an IPVS meaning inside them.
// - lb_algo must be one of keepalived's list (rr wrr lc wlc lblc sh mh dh fo
//   ovf lblcr sed nq twos): any other name (wmh) is ignored with "Invalid
//   lvs_scheduler", and a service without a valid one gets wlc.
// - Flag keywords: flag-1..3 always; sh-port/sh-fallback only when the
//   scheduler set so far is sh, mh-port/mh-fallback only when it is mh (a
//   keyword before lb_algo, or for another scheduler, is ignored).
// - No protocol: UDP (for address services); protocol on a fwmark service is
//   ignored; no lb_kind: NAT; persistence_timeout without a value, a zero
//   port without persistence, or persistence_granularity alone: 360 s.
// - A real server's weight defaults to the virtual_server's "weight" (1); a
//   real server listed twice keeps the first; a service without real
//   servers is not configured; a group expands to one IPVS service per
//   address of each range and per fwmark, each with every real server.
// - Real servers are added in the file's order, so the last one is the head
//   of the kernel's list: the list keepalived builds at start. A server
//   with an "alpha" checker (alpha on the checker, real server or virtual
//   server) starts failed and is not added (with inhibit_on_failure: added
//   at weight 0); the others are up until a checker fails. If the weight
//   up at start is below quorum + hysteresis and there is a sorry_server,
//   the live servers go (to weight 0 if inhibited) and the sorry server
//   comes in at weight 1; otherwise a sorry_server with
//   sorry_server_inhibit is added last at weight 0, and one without is only
//   recorded (keepalived adds it when the quorum is lost).
//
// Where keepalived itself rejects or ignores something, a warning
// "file:line: ..." says so and what the kernel gets instead. Errors (a file
// that cannot be read, a block that does not close, an address the
// simulator cannot model) stop with "file:line: ...".
#ifndef IPVS_SCHED_SIM_KEEPALIVED_CONFIG_H_
#define IPVS_SCHED_SIM_KEEPALIVED_CONFIG_H_

#include <string>
#include <vector>

#include "ipvsadm_config.h"

namespace ipvs_sim {

struct KeepalivedOptions {
  std::string config_id;  // keepalived -i; "" matches no "@ID" line
};

// Parses @path (and what it includes). Appends warnings to *warnings.
bool ParseKeepalivedConfig(const std::string& path, const KeepalivedOptions& opts, IpvsConfig* out,
                           std::vector<std::string>* warnings, std::string* err);

// Same for @text named @name; relative includes resolve against @dir.
bool ParseKeepalivedConfigText(const std::string& text, const std::string& name,
                               const std::string& dir, const KeepalivedOptions& opts,
                               IpvsConfig* out, std::vector<std::string>* warnings,
                               std::string* err);

// The timeline (timeline-format.rst) of keepalived's checkers failing for
// the real servers @down at time @at, for every service of @cfg that has
// them, in service order: a server with inhibit_on_failure is set to
// weight 0 ("-e ... -w 0", keepalived's LVS_CMD_DEL_DEST on an inhibited
// server), any other is deleted ("-d"). When no live real server of a
// service keeps a non-zero weight (quorum 1 lost) and it has a sorry
// server, the sorry server comes in at weight 1 ("-e" when it is already
// there through sorry_server_inhibit, "-a" otherwise). The quorum is taken
// as 1 (keepalived's default; a "quorum" keyword is not recorded in @cfg).
// When the sorry server comes in, live real servers left at weight 0 go
// first (perform_quorum_state), as they would for a lost quorum. @cfg is
// the state at start (ParseKeepalivedConfig's), every real server in it up.
// Endpoints without a service are reported in *unknown.
std::string KeepalivedCheckersDown(const IpvsConfig& cfg, const std::vector<Endpoint>& down,
                                   double at, std::vector<Endpoint>* unknown);

// The timeline of keepalived's checkers recovering at time @at for the real
// servers @up, after KeepalivedCheckersDown(cfg, down_before, ...) took the
// servers @down_before out (@cfg is the same start state; a server of @up
// that is not in @down_before is up already and gets no event). For every
// service of @cfg, in service order, the recovered servers are handled
// oldest first as keepalived's perform_svr_state() and
// update_quorum_state() (check/ipwrapper.c) do:
// - while the quorum (1) is up, or the service has no sorry server in, the
//   server comes back at its weight in @cfg: "-a ... -w W", or "-e ... -w W"
//   with inhibit_on_failure (it stayed in the list at weight 0);
// - while the sorry server is in, the recovered server is not touched until
//   the live weight reaches the quorum; then the sorry server goes ("-d",
//   or "-e ... -w 0" with sorry_server_inhibit) and every live real server
//   is added back, oldest first (perform_quorum_state), this one included.
// So the sorry server is in the list exactly while no live weight is left.
// Endpoints of @up without a service are reported in *unknown.
std::string KeepalivedCheckersUp(const IpvsConfig& cfg, const std::vector<Endpoint>& down_before,
                                 const std::vector<Endpoint>& up, double at,
                                 std::vector<Endpoint>* unknown);

// True if @text looks like a keepalived.conf: a virtual_server,
// virtual_server_group, global_defs, vrrp_* or include keyword at the start
// of a line.
bool LooksLikeKeepalived(const std::string& text);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_KEEPALIVED_CONFIG_H_
