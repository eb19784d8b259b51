// SPDX-License-Identifier: GPL-2.0
// The net.ipv4.vs sysctls (/proc/sys/net/ipv4/vs/*) of a director, as
// "--sysctl NAME=VALUE" options or a saved `sysctl -a` listing:
//
//   net.ipv4.vs.conn_reuse_mode = 2
//   net.ipv4.vs.expire_nodest_conn = 1
//
// The names, defaults and accepted values are those of Linux 6.12
// (net/netfilter/ipvs/ip_vs_ctl.c vs_vars[], ip_vs_lblc.c, ip_vs_lblcr.c;
// 6.1 has the same set without est_cpulist and est_nice). A value is what
// the kernel's handler takes: the five modelled ones are plain
// proc_dointvec, so any int is accepted and kept as written (a boolean is
// on when non-zero; conn_reuse_mode is a bit map: non-zero reschedules
// reused ports, bit value 2 adds FIN_WAIT on DR/TUN, so 3 acts as 2 and 4
// as 1). Numbers are decimal with an optional '-', or 0x hex as the
// kernel's strtoul base 0 reads them; a leading 0 (octal to the kernel) is
// refused rather than misread. The sysctls the simulator does not model
// are checked against their own handlers' ranges (drop_entry 0..3,
// sync_version 0..1, est_nice -20..19, ...) and otherwise only warned
// about; sysctl_config.cc says why each is not modelled.
#ifndef IPVS_SCHED_SIM_SYSCTL_CONFIG_H_
#define IPVS_SCHED_SIM_SYSCTL_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

namespace ipvs_sim {

// The net.ipv4.vs sysctls the simulator models (defaults = the kernel's).
struct IpvsSysctls {
  int expire_nodest_conn = 0;
  int expire_quiescent_template = 0;
  int conn_reuse_mode = 1;  // 0, 1 or 2 (bit 2: also FIN_WAIT on DR/TUN)
  int sloppy_tcp = 0;
  int sloppy_sctp = 0;
};

// "NAME=VALUE" (also "NAME = VALUE", NAME with or without the
// "net.ipv4.vs." prefix, and the "net/ipv4/vs/NAME" slash form). @where
// names the origin for messages ("--sysctl" or "file:line"). Unknown names
// of net.ipv4.vs that the simulator does not model are accepted with a
// warning appended to *warnings that says why they are not modelled (only
// when the value differs from the kernel default, so a plain `sysctl -a`
// dump is quiet; sync_qlen_max and est_cpulist, whose defaults depend on
// the machine, never warn); a name that is not an IPVS sysctl at all, a
// non-integer or out-of-range value is an error (*err = "@where: ...",
// *out untouched).
bool SetIpvsSysctl(std::string_view assignment, const std::string& where, IpvsSysctls* out,
                   std::vector<std::string>* warnings, std::string* err);

// The lines of a saved `sysctl -a` (or `sysctl -a | grep net.ipv4.vs`, or a
// sysctl.conf) named @name in messages: lines "net.ipv4.vs.NAME = VALUE"
// (or the slash form) are applied in order with SetIpvsSysctl(where =
// "name:line"); lines of other sysctls (not net.ipv4.vs.*) are skipped
// silently, blank lines and lines starting with '#' or ';' too. Stops at
// the first bad line with *err = "name:line: ..." (*out may then hold the
// lines before it). Any text is safe input (for a fuzzer).
bool ParseIpvsSysctlText(std::string_view text, const std::string& name, IpvsSysctls* out,
                         std::vector<std::string>* warnings, std::string* err);

// Reads @path and calls ParseIpvsSysctlText on it.
bool LoadIpvsSysctlFile(const std::string& path, IpvsSysctls* out,
                        std::vector<std::string>* warnings, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SYSCTL_CONFIG_H_
