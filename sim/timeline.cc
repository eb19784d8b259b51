// SPDX-License-Identifier: GPL-2.0
#include "timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "ipvsadm_config.h"
#include "text_lines.h"

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
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  double v;
  auto [p, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) return false;
  *out = v * scale;
  return true;
}

bool ParseDirector(std::string_view text, int* out) {
  if (text.empty() || text.size() > 6) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
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
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    size_t b = 0;
    while (b < line.size() && is_space(line[b])) ++b;
    line.remove_prefix(b);
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    if (line.empty()) continue;

    std::string where = fmt::format("{}:{}", name, lineno);
    auto fail = [&](const std::string& what) {
      *err = where + ": " + what;
      return false;
    };
    size_t sp = 0;
    while (sp < line.size() && !is_space(line[sp])) ++sp;
    std::string_view time_text = line.substr(0, sp);
    std::string_view rest = line.substr(sp);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);

    TimelineEvent ev;
    ev.where = where;
    if (!ParseTime(time_text, &ev.time)) {
      return fail(fmt::format("bad time '{}' (seconds, optionally with s, m or h)", time_text));
    }
    if (rest.empty()) return fail("missing event after the time");
    if (rest.starts_with("director-down") || rest.starts_with("director-up")) {
      bool down = rest.starts_with("director-down");
      std::string_view word = down ? "director-down" : "director-up";
      std::string_view arg = rest.substr(word.size());
      if (!arg.empty() && !is_space(arg.front())) {
        return fail(fmt::format("unknown event '{}'", rest.substr(0, rest.find(' '))));
      }
      while (!arg.empty() && is_space(arg.front())) arg.remove_prefix(1);
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
      return fail(
          fmt::format("unknown event '{}' (an ipvsadm command, director-down N or director-up N)",
                      rest.substr(0, rest.find(' '))));
    }
    events.push_back(std::move(ev));
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
  *out = std::move(events);
  return true;
}

bool ParseTimeline(const std::string& path, std::vector<TimelineEvent>* out, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = fmt::format("{}: cannot open", path);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseTimelineText(ss.str(), path, out, err);
}

}  // namespace ipvs_sim
