// SPDX-License-Identifier: GPL-2.0
#include "text_parse.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ipvs_sim {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The whole of @s as an unsigned number in @base, at most @max.
template <typename T>
bool ParseWhole(std::string_view s, int base, T max, T* out) {
  if (s.empty()) return false;
  T v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

std::vector<std::string_view> SplitWords(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> SplitWordsCopy(std::string_view line) {
  std::vector<std::string> words;
  for (std::string_view w : SplitWords(line)) words.emplace_back(w);
  return words;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out) {
  return ParseWhole(s, 10, max, out);
}

bool ParseDecimal(std::string_view s, uint32_t max, uint32_t* out) {
  return ParseWhole(s, 10, max, out);
}

bool ParsePort(std::string_view s, uint16_t* out) {
  return ParseWhole(s, 10, static_cast<uint16_t>(65535), out);
}

bool ParseHex(std::string_view s, uint64_t max, uint64_t* out) {
  return ParseWhole(s, 16, max, out);
}

bool ParseHex(std::string_view s, uint32_t max, uint32_t* out) {
  return ParseWhole(s, 16, max, out);
}

bool ParseFixed(std::string_view s, double* out) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  double v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string BeyondMaxSeconds(std::string_view what, std::string_view text) {
  return fmt::format(
      "{} {} is beyond {:g} s (about the year 5138): times are seconds, Unix epoch seconds "
      "included; divide milliseconds by 1000",
      what, text, kMaxSeconds);
}

bool ReadWholeFile(const std::string& path, std::string* text, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = fmt::format("{}: cannot open", path);
    return false;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *err = fmt::format("{}: is a directory", path);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    *err = fmt::format("{}: read error", path);
    return false;
  }
  *text = ss.str();
  return true;
}

}  // namespace ipvs_sim
