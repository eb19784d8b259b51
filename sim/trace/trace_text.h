// SPDX-License-Identifier: GPL-2.0
// The text trace format (Documentation/trace-format.rst): one flow a line,
//
//   START PROTO CLIENT VIP [DURATION [PACKETS BYTES]]
//   0.000 tcp 10.1.2.3:40000 10.0.0.1:80 12.5 30 12000
//   0.001 udp [2001:db8::5]:5353 [2001:db8::1]:53
//
// fields separated by spaces or tabs, '#' to the end of the line a comment,
// blank lines ignored, START in seconds and never smaller than the START of
// the line before.
#ifndef IPVS_SCHED_SIM_TRACE_TEXT_H_
#define IPVS_SCHED_SIM_TRACE_TEXT_H_

#include <cstdio>
#include <memory>
#include <ostream>
#include <string>

#include "trace.h"

namespace ipvs_sim {

// Opens a text trace ("-" reads stdin). The reader keeps one buffer of a
// fixed size (1 MiB), so memory does not depend on the trace length; a line
// longer than the buffer is an error. nullptr and *err if the file cannot be
// opened; parse errors come later from Next()/error().
std::unique_ptr<TraceReader> OpenTextTrace(const std::string& path, std::string* err);

// A reader over @text (copied), named @name in error messages. For tests and
// small inline traces.
std::unique_ptr<TraceReader> TextTraceFromString(std::string text, const std::string& name);

// Appends one line (with '\n') in the text format. START and DURATION are
// written with microsecond precision; PACKETS BYTES only when either is
// non-zero. Rounding is monotone, so non-decreasing starts stay so.
void AppendTraceFlow(const TraceFlow& flow, std::string* out);
std::string FormatTraceFlow(const TraceFlow& flow);
// Write one line; false on a write error.
bool WriteTraceFlow(FILE* f, const TraceFlow& flow);
bool WriteTraceFlow(std::ostream& os, const TraceFlow& flow);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_TEXT_H_
