// SPDX-License-Identifier: GPL-2.0
// ipvs-sim whatif (whatif_cmd.cc), registered as the other subcommands, and
// its reading of a change, which ramp shares.
#ifndef IPVS_SCHED_SIM_WHATIF_CMD_H_
#define IPVS_SCHED_SIM_WHATIF_CMD_H_

#include <string>
#include <vector>

#include "common_cmd.h"
#include "timeline.h"

namespace ipvs_sim {

void SetupWhatif(CLI::App* app, GlobalOptions* g, RunFn* run);

// The edit lines of --change FILE ('-': stdin; '#' comments) and then of
// each --edit, as one timeline change (every line at time 0). False with
// *err = "file:line: ..." on a bad line, or "CMD: no change given".
bool ReadChangeLines(const std::string& change, const std::vector<std::string>& edits,
                     const std::string& cmd, std::vector<TimelineEvent>* out, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_WHATIF_CMD_H_
