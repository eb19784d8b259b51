// SPDX-License-Identifier: GPL-2.0
// Running gnuplot on the plot scripts of a report.
#ifndef IPVS_SCHED_SIM_GNUPLOT_H_
#define IPVS_SCHED_SIM_GNUPLOT_H_

#include <string>
#include <vector>

namespace ipvs_sim {

// True when an executable "gnuplot" is on $PATH.
bool HaveGnuplot();

// Runs `gnuplot @script` in @dir with stdin, stdout and stderr on
// /dev/null; true on exit status 0.
bool RunGnuplot(const std::string& dir, const std::string& script);

// Draws every NAME.gp of @scripts that lies in @dir into NAME.png there,
// appending the name of each PNG drawn to *drawn. A missing gnuplot or a
// failed script is a warning in *warnings ("... not drawn"), never an
// error; a PNG of a failed script is removed.
void DrawPlots(const std::string& dir, const std::vector<std::string>& scripts,
               std::vector<std::string>* drawn, std::vector<std::string>* warnings);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_GNUPLOT_H_
