// SPDX-License-Identifier: GPL-2.0
// Reads the rules ipvsadm prints with -Sn (ipvsadm-save -n), so that an
// operator can feed a live director's configuration unchanged:
//
//   -A -t 10.0.0.1:80 -s wmh -b flag-2
//   -a -t 10.0.0.1:80 -r 192.168.1.5:80 -m -w 3
//   -A -u [2001:db8::1]:53 -s mh -b mh-port,mh-fallback
//
// The file means what `ipvsadm -R` makes of it: lines apply in order and
// each -a puts its real server at the head of the service's list, as the
// kernel does. So the last -a of a service is the head of its list, and a
// file that lists real servers oldest first (as tools/ipvs-snapshot and
// FormatIpvsadmConfig write them) rebuilds the kernel's list exactly.
// ipvsadm -Sn sorts real servers (and refuses --nosort): order-dependent
// schedulers (mh, sh) may then be predicted wrong.
#ifndef IPVS_SCHED_SIM_IPVSADM_CONFIG_H_
#define IPVS_SCHED_SIM_IPVSADM_CONFIG_H_

#include <string>
#include <vector>

#include "service.h"

namespace ipvs_sim {

struct IpvsConfig {
  std::vector<Service> services;  // in file order
  // Index of the service with @key, or -1.
  int Find(const ServiceKey& key) const;
};

// Parses a whole file / text. Returns false with *err = "file:line: what is
// wrong" on the first bad line (unknown option, bad address, dest of an
// unknown service, duplicate dest, weight out of 0..65535, ...). Each line
// is one ipvsadm command applied in order (as ipvsadm -R does), so -E/-D/
// -e/-d lines work too; '#' starts a comment. -a inserts at the list head
// (ApplyDestEdit with DestInsert::kHead, as the director's timeline does).
bool ParseIpvsadmConfig(const std::string& path, IpvsConfig* out, std::string* err);
bool ParseIpvsadmConfigText(const std::string& text, const std::string& name, IpvsConfig* out,
                            std::string* err);

// Splits one ipvsadm command line (-A/-E/-D/-a/-e/-d and their options) into
// a service key, service and dest. Shared with the timeline parser. @what
// receives the command letter ('A','E','D','a','e','d'). A leading word
// "ipvsadm" is skipped (ipvsadm -R accepts it too). *err gets the bare
// message; callers add "file:line: ".
//
// Defaults follow ipvsadm: for -A/-E, scheduler wlc, no flags, no
// persistence (-p alone means 300 s); for -a/-e, forwarding -g, weight 1. A
// real server without a port takes the service port (fwmark services: 0),
// for every command. Only -a/-e with -g or -i force the real server's port
// to the service port, and never for a fwmark service; -d keeps the port it
// is given, so it deletes exactly that server. Only -a/-e check the address
// family (-i may cross it). For -a/-e dest->last_weight = dest->weight;
// keeping the old last_weight on a drain to 0 is the job of whoever applies
// the edit.
// Accepted but not modelled: --pe, -o/--ops, --tun-*, -n.
bool ParseIpvsadmCommand(const std::string& line, char* what, Service* svc, Dest* dest,
                         std::string* err);

// Writes a configuration back in -Sn syntax, real servers oldest first (the
// reverse of list order), so that parsing the text again, or feeding it to
// ipvsadm -R, rebuilds the same lists.
std::string FormatIpvsadmConfig(const IpvsConfig& config);

// One real-server command in -Sn syntax: "-a -t 10.0.0.1:80 -r
// 10.1.0.2:80 -m -w 3 [-x U] [-y L]" for @cmd 'a' or 'e'; "-d -t ... -r
// EP" for 'd'. FormatIpvsadmConfig writes its -a lines with it.
std::string FormatDestCommand(char cmd, const ServiceKey& key, const Dest& d);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_IPVSADM_CONFIG_H_
