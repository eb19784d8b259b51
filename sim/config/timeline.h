// SPDX-License-Identifier: GPL-2.0
// Timelines: timestamped ipvsadm edits and director events that a replay
// applies between flows. The file format (Documentation/timeline-format.rst)
// reuses ipvsadm's own options after a time stamp, e.g.
//
//   30   -d -t 10.0.0.1:80 -r 192.168.1.5:80
//   60   -e -t 10.0.0.1:80 -r 192.168.1.6:80 -m -w 0
//   90   -E -t 10.0.0.1:80 -s mh -b mh-port
//   120  director-down 1
//   150  director-up 1
#ifndef IPVS_SCHED_SIM_TIMELINE_H_
#define IPVS_SCHED_SIM_TIMELINE_H_

#include <string>
#include <vector>

#include "service.h"

namespace ipvs_sim {

struct TimelineEvent {
  enum class Kind {
    kAddService,    // -A: svc holds the service (no dests)
    kEditService,   // -E: svc holds the new scheduler/flags/persistence
    kDelService,    // -D
    kAddDest,       // -a: dest
    kEditDest,      // -e: dest (weight 0 drains)
    kDelDest,       // -d: dest.ep
    kDirectorDown,  // director-down N (0-based director index)
    kDirectorUp,    // director-up N
  };
  double time = 0;
  Kind kind = Kind::kAddDest;
  Service svc;  // key always set; other fields per kind
  Dest dest;    // for the dest kinds
  int director = -1;
  std::string where;  // "file:line", for error messages during replay
};

// Parses a timeline file. Events come out sorted by time (stable). Returns
// false with *err = "file:line: what is wrong" on the first bad line.
bool ParseTimeline(const std::string& path, std::vector<TimelineEvent>* out, std::string* err);
bool ParseTimelineText(const std::string& text, const std::string& name,
                       std::vector<TimelineEvent>* out, std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_TIMELINE_H_
