// SPDX-License-Identifier: GPL-2.0
// Timelines (timeline.h): events come out sorted by time, each naming the
// line it came from.
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "timeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<ipvs_sim::TimelineEvent> events;
  std::string err;
  if (!ipvs_sim::ParseTimelineText(text, "fuzz.timeline", &events, &err)) {
    FUZZ_CHECK(err.starts_with("fuzz.timeline:"));
    return 0;
  }
  for (size_t i = 0; i < events.size(); ++i) {
    FUZZ_CHECK(events[i].time >= 0 || events[i].time < 0);  // not NaN
    if (i > 0) FUZZ_CHECK(events[i - 1].time <= events[i].time);
    FUZZ_CHECK(events[i].where.starts_with("fuzz.timeline:"));
  }
  return 0;
}
