// SPDX-License-Identifier: GPL-2.0
// The one word splitter and the one set of number parsers every reader of
// text uses (ipvsadm rules and listings, keepalived.conf, timelines,
// ip_vs_conn snapshots, addresses, the general path of text traces).
// All are built on std::from_chars: no locale, no sign, no leading space,
// no "0x", and the whole of the input must be the number.
#ifndef IPVS_SCHED_SIM_TEXT_PARSE_H_
#define IPVS_SCHED_SIM_TEXT_PARSE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipvs_sim {

// The words of @line, separated by runs of ' ', '\t' and '\r'; none is
// empty. The views point into @line, which must outlive them.
std::vector<std::string_view> SplitWords(std::string_view line);
// The same words as owned strings, for callers that keep or edit them.
std::vector<std::string> SplitWordsCopy(std::string_view line);

// True when @s is one or more of '0'..'9' and nothing else.
bool IsDigits(std::string_view s);

// Decimal digits only (leading zeros allowed). On success sets *out and
// returns true; on failure (empty, any other character, or a value above
// @max) returns false and leaves *out unchanged.
bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out);
bool ParseDecimal(std::string_view s, uint32_t max, uint32_t* out);

// A port: ParseDecimal with max 65535.
bool ParsePort(std::string_view s, uint16_t* out);

// Hex digits only ('0'-'9', 'a'-'f', 'A'-'F'; no "0x"). On success sets
// *out and returns true; on failure (empty, any other character, or a value
// above @max) returns false and leaves *out unchanged.
bool ParseHex(std::string_view s, uint64_t max, uint64_t* out);
bool ParseHex(std::string_view s, uint32_t max, uint32_t* out);

// A finite decimal number in fixed notation ("12", "1.5", "0.05"; no sign,
// no exponent, no "inf"/"nan"). On success sets *out and returns true; on
// failure returns false and leaves *out unchanged.
bool ParseFixed(std::string_view s, double* out);

// The largest time (and duration) a trace or timeline may give, in
// seconds: about the year 5138. Unix epoch seconds fit with room to spare;
// epoch milliseconds (1.7e12) and absurd values do not.
constexpr double kMaxSeconds = 1e11;
// "NAME T is beyond 1e11 s (...)" for a @what ("start time") of @text.
std::string BeyondMaxSeconds(std::string_view what, std::string_view text);

// The whole of file @path ("-": not handled here) into *text, for the
// readers of configurations, timelines, sysctl listings and mark maps.
// False with *err = "PATH: cannot open" when it cannot be opened, "PATH: is
// a directory" (a directory opens, and would read as an empty file) or
// "PATH: read error".
bool ReadWholeFile(const std::string& path, std::string* text, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TEXT_PARSE_H_
