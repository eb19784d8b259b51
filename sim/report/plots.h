// SPDX-License-Identifier: GPL-2.0
// The gnuplot scripts of a report and the data files they plot.
#ifndef IPVS_SCHED_SIM_PLOTS_H_
#define IPVS_SCHED_SIM_PLOTS_H_

#include <vector>

#include "report.h"

namespace ipvs_sim {

// share.gp and one share-SCHED.dat per run: the new-flow share of each dest
// of the first service (solid) against its weight share (dashed), per full
// window, one panel per scheduler.
void AddSharePlot(const std::vector<RunResult>& runs, OutputFiles* out);

// disruption.gp and disruption.dat: per timeline event, the fraction of keys
// remapped (hash schedulers; else of new flows) against the ideal, and the
// flows broken, one bar per scheduler.
void AddDisruptionPlot(const std::vector<RunResult>& runs, OutputFiles* out);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_PLOTS_H_
