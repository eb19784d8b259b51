// SPDX-License-Identifier: GPL-2.0
// The live IPVS configuration of this network namespace, over netlink
// (tools/lib/ipvs_nl.c), read as every command reads a rules file: the
// dump written as -Sn rules by ipvs-snapshot's printer, then parsed. One
// home for ramp (which also edits the live services) and whatif.
#ifndef IPVS_SCHED_SIM_CLI_LIVE_CONFIG_H_
#define IPVS_SCHED_SIM_CLI_LIVE_CONFIG_H_

#include <string>

#include "config_load.h"
#include "ipvs_nl.h"

namespace ipvs_sim {

// The dump in *nl and, index for index (services in dump order, dests in
// list order), *out. False with *err = "live configuration: WHY" (no
// IPVS, no CAP_NET_ADMIN, ...). *nl is freed first; the caller frees it.
bool ReadLive(ipvs_nl_config* nl, IpvsConfig* out, std::string* err);

// ReadLive without the dump.
bool LoadLiveConfig(IpvsConfig* out, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_CLI_LIVE_CONFIG_H_
