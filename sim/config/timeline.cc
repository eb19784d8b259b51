// SPDX-License-Identifier: GPL-2.0
#include "timeline.h"

#include <fmt/format.h>

#include <algorithm>

#include "ipvsadm_config.h"
#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

// "12", "1.5", "30s", "2m", "1.5h" -> seconds.
bool ParseTime(std::string_view text, double* out) {
  double scale = 1;
  if (!text.empty()) {
    char last = text.back();
    if (last == 's' || last == 'm' || last == 'h') {
      scale = last == 'h' ? 3600 : last == 'm' ? 60 : 1;
      text.remove_suffix(1);
    }
  }
  double v;
  if (!ParseFixed(text, &v)) return false;
  *out = v * scale;
  return true;
}

bool ParseDirector(std::string_view text, int* out) {
  uint32_t v;
  if (!ParseDecimal(text, uint32_t{999999}, &v)) return false;
  *out = static_cast<int>(v);
  return true;
}

// The text of @line from its word @first to the end of its last word ("" when
// there are no more words); @words are SplitWords(line).
std::string_view Tail(std::string_view line, const std::vector<std::string_view>& words,
                      size_t first) {
  if (first >= words.size()) return {};
  const char* end = words.back().data() + words.back().size();
  return line.substr(words[first].data() - line.data(), end - words[first].data());
}

TimelineEvent::Kind KindOf(char cmd) {
  switch (cmd) {
    case 'A':
      return TimelineEvent::Kind::kAddService;
    case 'E':
      return TimelineEvent::Kind::kEditService;
    case 'D':
      return TimelineEvent::Kind::kDelService;
    case 'a':
      return TimelineEvent::Kind::kAddDest;
    case 'e':
      return TimelineEvent::Kind::kEditDest;
    default:
      return TimelineEvent::Kind::kDelDest;
  }
}

}  // namespace

bool ParseTimelineText(const std::string& text, const std::string& name,
                       std::vector<TimelineEvent>* out, std::string* err) {
  std::vector<TimelineEvent> events;
  LineSplitter lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    int lineno = lines.lineno();
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) continue;

    std::string where = fmt::format("{}:{}", name, lineno);
    auto fail = [&](const std::string& what) {
      *err = where + ": " + what;
      return false;
    };
    std::string_view time_text = words[0];
    std::string_view rest = Tail(line, words, 1);

    TimelineEvent ev;
    ev.where = where;
    if (!ParseTime(time_text, &ev.time)) {
      return fail(fmt::format("bad time '{}' (seconds, optionally with s, m or h)", time_text));
    }
    if (ev.time > kMaxSeconds) return fail(BeyondMaxSeconds("time", time_text));
    if (rest.empty()) return fail("missing event after the time");
    if (words[1].starts_with("director-down") || words[1].starts_with("director-up")) {
      bool down = words[1].starts_with("director-down");
      std::string_view word = down ? "director-down" : "director-up";
      if (words[1] != word) return fail(fmt::format("unknown event '{}'", words[1]));
      std::string_view arg = Tail(line, words, 2);
      if (arg.empty()) return fail(fmt::format("{} needs a director number", word));
      if (!ParseDirector(arg, &ev.director)) {
        return fail(fmt::format("bad director number '{}' (0, 1, ...)", arg));
      }
      ev.kind = down ? TimelineEvent::Kind::kDirectorDown : TimelineEvent::Kind::kDirectorUp;
    } else if (rest.front() == '-' || rest.starts_with("ipvsadm")) {
      char cmd;
      std::string e;
      if (!ParseIpvsadmCommand(std::string(rest), &cmd, &ev.svc, &ev.dest, &e)) return fail(e);
      ev.kind = KindOf(cmd);
    } else {
      return fail(fmt::format(
          "unknown event '{}' (an ipvsadm command, director-down N or director-up N)", words[1]));
    }
    events.push_back(std::move(ev));
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
  *out = std::move(events);
  return true;
}

bool ParseTimeline(const std::string& path, std::vector<TimelineEvent>* out, std::string* err) {
  std::string text;
  if (!ReadWholeFile(path, &text, err)) return false;
  return ParseTimelineText(text, path, out, err);
}

}  // namespace ipvs_sim
