// SPDX-License-Identifier: GPL-2.0
// ipvs-sim ramp (ramp_cmd.cc), registered as the other subcommands.
#ifndef IPVS_SCHED_SIM_RAMP_CMD_H_
#define IPVS_SCHED_SIM_RAMP_CMD_H_

#include "common_cmd.h"

namespace ipvs_sim {

void SetupRamp(CLI::App* app, GlobalOptions* g, RunFn* run);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_RAMP_CMD_H_
