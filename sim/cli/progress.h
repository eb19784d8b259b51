// SPDX-License-Identifier: GPL-2.0
// Progress of long replays on stderr: flows, flows/s and % of the input, on
// one line rewritten in place. Silent unless enabled (the commands enable it
// only when stderr is a terminal and --quiet is not given).
//
// Thread safety: Update() and Done() may be called from several replay
// threads at once; each thread reports into its own slot.
#ifndef IPVS_SCHED_SIM_PROGRESS_H_
#define IPVS_SCHED_SIM_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace ipvs_sim {

class Progress {
 public:
  // @labels names the slots (e.g. scheduler names). @out is usually stderr.
  Progress(bool enabled, std::vector<std::string> labels, FILE* out = stderr);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  // Slot @slot has replayed @flows flows and read @pos of @size bytes
  // (size 0: unknown). Prints at most a few times a second.
  void Update(int slot, uint64_t flows, uint64_t pos, uint64_t size);
  void Finish(int slot);
  // Clears the line (call before printing results).
  void Done();

  // True when stderr is a terminal.
  static bool StderrIsTty();

 private:
  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::string label;
    uint64_t flows = 0, pos = 0, size = 0;
    bool done = false;
  };
  void PrintLocked();

  bool enabled_;
  FILE* out_;
  std::mutex mu_;
  std::vector<Slot> slots_;
  Clock::time_point start_;
  Clock::time_point last_print_;
  size_t last_len_ = 0;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_PROGRESS_H_
