// SPDX-License-Identifier: GPL-2.0
// Which services ipvs-capture captures: --vip arguments and the services of
// a configuration, as the pcap reader's TraceVip (sim/trace/trace_pcap.h).
// No libnl and no libpcap here, so that the fuzz harness links it alone.
#ifndef IPVS_SCHED_TOOLS_IPVS_CAPTURE_VIP_H_
#define IPVS_SCHED_TOOLS_IPVS_CAPTURE_VIP_H_

#include <string>
#include <vector>

#include "ipvsadm_config.h"
#include "trace_pcap.h"

namespace ipvs_capture {

// Appends @v to *out unless a VIP of the same protocol and endpoint is there.
void AddVip(const ipvs_sim::TraceVip& v, std::vector<ipvs_sim::TraceVip>* out);

// Parses one --vip: "[PROTO:]ADDR[:PORT]" with IPv6 in brackets when a
// port follows ("tcp:10.0.0.1:80", "udp:[fd00::1]:53", "10.0.0.1",
// "fd00::1"). No PROTO means tcp and udp; no port (or 0) means every port.
// Appends to *out; false with *err naming the text and what is wrong.
bool ParseVip(const std::string& text, std::vector<ipvs_sim::TraceVip>* out, std::string* err);

// The VIPs of @config's services, in order, without duplicates. A fwmark
// service has no address to filter on: a warning names it.
void VipsFromConfig(const ipvs_sim::IpvsConfig& config, std::vector<ipvs_sim::TraceVip>* out,
                    std::vector<std::string>* warnings);

// "tcp 10.0.0.1:80", "udp [fd00::1]:*" (every port).
std::string VipName(const ipvs_sim::TraceVip& v);

// The --vip argument that parses back to @v alone: "tcp:10.0.0.1:80",
// "udp:[fd00::1]:0".
std::string VipArg(const ipvs_sim::TraceVip& v);

}  // namespace ipvs_capture

#endif  // IPVS_SCHED_TOOLS_IPVS_CAPTURE_VIP_H_
