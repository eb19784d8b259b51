// SPDX-License-Identifier: GPL-2.0
// Turns replay results into what an operator reads: a side-by-side table
// for the terminal, summary.json, CSV files, gnuplot scripts and plots, all
// written atomically into an output directory.
//
// Files of an output directory:
//   summary.json   every run: totals, whole-run balance, events
//   windows.csv    one row per scheduler, service and window (balance)
//   dests.csv      one row per scheduler, window and dest (shares)
//   events.csv     one row per scheduler and timeline event (disruption)
//   share-SCHED.dat, disruption.dat, share.gp, disruption.gp: plot inputs
//   share.png, disruption.png: when gnuplot is installed
#ifndef IPVS_SCHED_SIM_REPORT_H_
#define IPVS_SCHED_SIM_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "replay.h"

namespace ipvs_sim {

// What the run was about, for the report headers.
struct ReportContext {
  std::string config;
  std::string trace;
  std::string timeline;
  int directors = 1;
  bool sync = false;
  double window = 60;
  // Which code serves each scheduler name of the runs, in order:
  // {"mh", "ip_vs_wmh (sched_name=mh)"} (SchedulerServedBy).
  std::vector<std::pair<std::string, std::string>> served_by;
};

// @part / @total, NaN when @total is not positive.
inline double Share(double part, double total) { return total > 0 ? part / total : kNaN; }

std::string FormatTable(const ReportContext& ctx, const std::vector<RunResult>& runs);
std::string FormatJson(const ReportContext& ctx, const std::vector<RunResult>& runs);
// One row per run: whole-run figures.
std::string FormatSummaryCsv(const std::vector<RunResult>& runs);
std::string FormatWindowsCsv(const std::vector<RunResult>& runs);
std::string FormatDestsCsv(const std::vector<RunResult>& runs);
std::string FormatEventsCsv(const std::vector<RunResult>& runs);

// A set of files written together: nothing appears in the target directory
// until every file has been written, and a failure leaves nothing behind.
class OutputFiles {
 public:
  void Add(std::string name, std::string content);

  // Writes every file into a fresh temporary directory next to @dir (same
  // filesystem), runs gnuplot on the *.gp files there when @plots and
  // gnuplot is installed (a gnuplot failure is a warning, not an error),
  // then renames the directory into place; if @dir already exists, the
  // files are renamed into it one by one (other files there are kept).
  // On failure returns false with *err and removes the temporary directory.
  // *warnings receives non-fatal problems.
  bool Commit(const std::string& dir, bool plots, std::vector<std::string>* warnings,
              std::string* err) const;

 private:
  std::vector<std::pair<std::string, std::string>> files_;
};

// Adds every report file (CSV, JSON, plot scripts and data) for @runs.
void AddReportFiles(const ReportContext& ctx, const std::vector<RunResult>& runs, OutputFiles* out);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_REPORT_H_
