// SPDX-License-Identifier: GPL-2.0
// Snapshots of /proc/net/ip_vs_conn (or ip_vs_conn_sync), as the kernel
// prints them (net/netfilter/ipvs/ip_vs_conn.c, ip_vs_conn_seq_show):
//
//   Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
//   TCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899
//   UDP 2001:0db8:0000:0000:0000:0000:0000:0005 14E9 2001:0db8:...:0001 0035 ...
//
// IPv4 addresses are 8 hex digits (host order as printed), IPv6 addresses
// the full %pI6 text; ports are 4 hex digits. The _sync variant has an
// "Origin" column (LOCAL/SYNC) before Expires; the header tells which.
// Persistence engine data (PEName PEData) after Expires is ignored.
#ifndef IPVS_SCHED_SIM_TRACE_IPVS_CONN_H_
#define IPVS_SCHED_SIM_TRACE_IPVS_CONN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net.h"
#include "trace.h"

namespace ipvs_sim {

struct IpvsConnEntry {
  std::string protocol;      // as printed: "TCP", "UDP", "SCTP", "IP", "IP_47", ...
  bool proto_known = false;  // protocol is TCP, UDP or SCTP; then proto is set
  Proto proto = Proto::kTcp;
  Endpoint client;       // FromIP:FPrt
  Endpoint vip;          // ToIP:TPrt
  Endpoint dest;         // DestIP:DPrt, the real server the kernel chose
  std::string state;     // "ESTABLISHED", "SYN_RECV", "UDP", "NONE", ...
  std::string origin;    // "LOCAL"/"SYNC" in ip_vs_conn_sync, else empty
  uint32_t expires = 0;  // seconds left
  // Persistence templates: client port 0 (or protocol "IP" for fwmark
  // services). They record a client->dest binding, not a connection.
  bool is_template() const { return client.port == 0 || protocol == "IP"; }
};

// Reads a whole snapshot. False and *err = "file:line: what is wrong" on a
// missing or unknown header or a malformed entry line.
bool ParseIpvsConnEntries(const std::string& path, std::vector<IpvsConnEntry>* out,
                          std::string* err);
bool ParseIpvsConnText(const std::string& text, const std::string& name,
                       std::vector<IpvsConnEntry>* out, std::string* err);

// True if @first_line is an ip_vs_conn header (starts with "Pro FromIP").
bool IsIpvsConnHeader(const std::string& first_line);

// A snapshot as a trace, streamed: every connection entry (templates and
// unknown protocols skipped) becomes a flow starting at 0 with its client
// and VIP, duration = expires, no packet or byte counts.
std::unique_ptr<TraceReader> OpenIpvsConnTrace(const std::string& path, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_IPVS_CONN_H_
