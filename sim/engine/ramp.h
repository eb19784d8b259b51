// SPDX-License-Identifier: GPL-2.0
// ipvs-sim ramp's planner: a change of real-server weights, added and
// removed dests, spread over steps such that in each step the share of a
// service's hash space that moves is at most a bound.
//
// The share a step moves is whatif's (RunWhatif, sim/engine/whatif.h): the
// sampled keys of SampleKey whose dest differs under the service's
// scheduler (MakeScheduler: the shared core for wmh, hrw and chbl, the
// in-tree models for mh, sh and dh) before and after the step's edits. Only services the
// target changes are planned, and those must use a hash scheduler
// (IsHashScheduler): the others have no hash space to bound.
//
// Per service, a step moves every changing dest the same fraction k/M of
// the way from where it is to its target (M the largest weight change
// left), as far as the bound allows (the largest such k, searched by
// bisection). A dest the target adds is added once its weight would be
// above 0; one it removes is deleted once its weight reaches 0. When even
// k = 1 exceeds the bound, the dest with the largest change left moves
// alone as far as the bound allows; when its smallest move (one weight
// unit, or its add or delete) alone exceeds the bound, that move is a step
// of its own, marked over_bound: no plan can split it. Services are
// planned independently; global step i holds each service's step i.
#ifndef IPVS_SCHED_SIM_RAMP_H_
#define IPVS_SCHED_SIM_RAMP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ipvsadm_config.h"
#include "scheduler.h"
#include "timeline.h"

namespace ipvs_sim {

struct RampOptions {
  SchedulerOptions sched;
  double max_remap = 0.05;       // the bound, a share of the hash space
  uint32_t probe_keys = 100000;  // sampled keys per measured step
  size_t max_steps = 1000;       // PlanRamp fails beyond this many steps
};

// One service's part of a step.
struct RampServiceStep {
  ServiceKey key;
  std::vector<TimelineEvent> edits;  // -a / -e / -d of this service
  double remap = 0;                  // share of the hash space moved
  double ideal = 0;                  // whatif's ideal for these edits
  // The step is one indivisible change that alone moves more than the
  // bound; why says which ("-a ... alone moves 25.01% > 5.00%").
  bool over_bound = false;
  std::string why;
};

struct RampStep {
  std::vector<RampServiceStep> services;
};

struct RampPlan {
  std::vector<RampStep> steps;
  IpvsConfig target;  // what the steps reach (the last step's state)
};

// Target = @current with @change applied (dest edits -a/-e/-d only, with
// the edit rules of ApplyDestEdit). False with *err on a service edit
// (-A/-E/-D), an unknown service or an edit that does not apply.
bool RampTargetFromEdits(const IpvsConfig& current, const std::vector<TimelineEvent>& change,
                         IpvsConfig* target, std::string* err);

// Plans @current -> @target. Both must have the same services with the
// same scheduler, flags, persistence and netmask; a dest in both may
// differ only in weight. False with *err when they do not, when a service
// that changes has a scheduler without hash space ("SERVICE: scheduler wlc
// has no hash space ..."), or beyond opts.max_steps.
bool PlanRamp(const IpvsConfig& current, const IpvsConfig& target, const RampOptions& opts,
              RampPlan* out, std::string* err);

// @config with every step of @plan applied (ApplyDestEdit, kHead).
bool ApplyRampSteps(const IpvsConfig& config, const RampPlan& plan, size_t steps, IpvsConfig* out,
                    std::string* err);

// One edit as an ipvsadm line: "-e -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 7".
std::string FormatRampEdit(const TimelineEvent& ev);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_RAMP_H_
