// SPDX-License-Identifier: GPL-2.0
// Parses a trace on a second thread while the caller replays it.
#ifndef IPVS_SCHED_SIM_TRACE_READAHEAD_H_
#define IPVS_SCHED_SIM_TRACE_READAHEAD_H_

#include <cstddef>
#include <memory>

#include "trace.h"

namespace ipvs_sim {

// Wraps @inner so that a background thread reads it in batches of @batch
// flows, at most two batches ahead of the consumer. The flows, their order,
// the end and the error (after the same flows) are exactly @inner's.
// Thread safety: the returned reader is used from one thread; @inner is used
// only by the background thread from now on. Destroying the reader stops and
// joins the thread.
std::unique_ptr<TraceReader> ReadAhead(std::unique_ptr<TraceReader> inner, size_t batch = 8192);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TRACE_READAHEAD_H_
