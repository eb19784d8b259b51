// SPDX-License-Identifier: GPL-2.0
#include "progress.h"

#include <fmt/core.h>
#include <unistd.h>

namespace ipvs_sim {

Progress::Progress(bool enabled, std::vector<std::string> labels, FILE* out)
    : enabled_(enabled), out_(out), start_(Clock::now()), last_print_(start_) {
  for (auto& l : labels) slots_.push_back(Slot{.label = std::move(l)});
}

bool Progress::StderrIsTty() { return isatty(STDERR_FILENO) == 1; }

void Progress::Update(int slot, uint64_t flows, uint64_t pos, uint64_t size) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (slot < 0 || slot >= static_cast<int>(slots_.size())) return;
  Slot& s = slots_[slot];
  s.flows = flows;
  s.pos = pos;
  s.size = size;
  Clock::time_point now = Clock::now();
  if (now - last_print_ < std::chrono::milliseconds(250)) return;
  last_print_ = now;
  PrintLocked();
}

void Progress::Finish(int slot) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (slot >= 0 && slot < static_cast<int>(slots_.size())) slots_[slot].done = true;
}

void Progress::PrintLocked() {
  double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  std::string line;
  for (const Slot& s : slots_) {
    if (!line.empty()) line += "  ";
    double rate = secs > 0 ? static_cast<double>(s.flows) / secs : 0;
    line += fmt::format("{}: {:.1f}M flows {:.2f}M/s", s.label, s.flows / 1e6, rate / 1e6);
    if (s.done)
      line += " done";
    else if (s.size)
      line += fmt::format(" {:.0f}%", 100.0 * static_cast<double>(s.pos) / s.size);
  }
  size_t len = line.size();
  if (len < last_len_) line.append(last_len_ - len, ' ');
  last_len_ = len;
  fmt::print(out_, "\r{}", line);
  std::fflush(out_);
}

void Progress::Done() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (last_len_) {
    fmt::print(out_, "\r{}\r", std::string(last_len_, ' '));
    std::fflush(out_);
  }
  last_len_ = 0;
}

}  // namespace ipvs_sim
