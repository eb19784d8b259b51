// SPDX-License-Identifier: GPL-2.0
// Walks the lines of a text held in memory, numbering them for
// "file:line: what is wrong" messages.
#ifndef IPVS_SCHED_SIM_TEXT_LINES_H_
#define IPVS_SCHED_SIM_TEXT_LINES_H_

#include <string_view>

namespace ipvs_sim {

// Not thread-safe; the text must outlive the splitter.
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view text) : text_(text) {}

  // Sets *line to the next line without its '\n' and returns true, or
  // returns false at the end. A final line without '\n' counts; the empty
  // string after a final '\n' does not.
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = text_.size();
    *line = text_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    ++lineno_;
    return true;
  }

  // 1-based number of the line Next() returned last.
  int lineno() const { return lineno_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int lineno_ = 0;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TEXT_LINES_H_
