// SPDX-License-Identifier: GPL-2.0
#include "ramp.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "replay.h"
#include "whatif.h"

namespace ipvs_sim {

namespace {

using Kind = TimelineEvent::Kind;

// One dest of a service being planned: its weight now and in the target
// (-1: not in the service on that side) and the fields to add it with.
struct Leg {
  Endpoint ep;
  int32_t now = -1, target = -1;
  Dest fields;  // the current dest, or the target's for an added one
  int64_t Delta() const { return std::max(target, 0) - std::max(now, 0); }
  bool Done() const { return now == target; }
};

std::vector<Leg> Legs(const Service& cur, const Service& tgt) {
  std::vector<Leg> legs;
  std::map<Endpoint, size_t> at;
  for (const Dest& d : cur.dests) {
    at[d.ep] = legs.size();
    legs.push_back(Leg{.ep = d.ep, .now = d.weight, .fields = d});
  }
  for (const Dest& d : tgt.dests) {
    auto it = at.find(d.ep);
    if (it != at.end()) {
      legs[it->second].target = d.weight;
      continue;
    }
    legs.push_back(Leg{.ep = d.ep, .target = d.weight, .fields = d});
  }
  return legs;
}

TimelineEvent Edit(const ServiceKey& key, Kind kind, const Dest& fields, int32_t weight) {
  TimelineEvent ev;
  ev.kind = kind;
  ev.svc.key = key;
  ev.dest = fields;
  ev.dest.weight = ev.dest.last_weight = weight;
  ev.where = "ramp";
  return ev;
}

// The edit that takes @leg to weight @w (-1: out of the service); none
// when the leg stays where it is. An added dest goes in once @w > 0 (or
// at the target), a removed one goes once @w reaches 0.
void EditTo(const ServiceKey& key, const Leg& leg, int32_t w, bool at_target,
            std::vector<TimelineEvent>* out) {
  if (leg.now < 0) {
    if (leg.target >= 0 && (w > 0 || at_target))
      out->push_back(Edit(key, Kind::kAddDest, leg.fields, w));
    return;
  }
  if (leg.target < 0 && (w == 0 || at_target)) {
    out->push_back(Edit(key, Kind::kDelDest, leg.fields, 0));
    return;
  }
  if (w != leg.now) out->push_back(Edit(key, Kind::kEditDest, leg.fields, w));
}

int32_t Toward(const Leg& leg, int64_t k, int64_t m) {
  return static_cast<int32_t>(std::max(leg.now, 0) +
                              std::llround(static_cast<double>(k) * leg.Delta() / m));
}

// Every leg k/m of the way to its target.
std::vector<TimelineEvent> Fraction(const ServiceKey& key, const std::vector<Leg>& legs, int64_t k,
                                    int64_t m) {
  std::vector<TimelineEvent> out;
  for (const Leg& l : legs)
    if (!l.Done()) EditTo(key, l, Toward(l, k, m), k == m, &out);
  return out;
}

// Leg @j alone, @u of its |delta| units (at least one move) of the way.
std::vector<TimelineEvent> Alone(const ServiceKey& key, const Leg& leg, int64_t u) {
  int64_t n = std::max<int64_t>(std::llabs(leg.Delta()), 1);
  std::vector<TimelineEvent> out;
  EditTo(key, leg, Toward(leg, u, n), u == n, &out);
  return out;
}

struct Measure {
  double remap = 0, ideal = 0;
};

// whatif's share of @svc's hash space that @edits move.
bool Remap(const Service& svc, const std::vector<TimelineEvent>& edits, const RampOptions& opts,
           Measure* m, std::string* err) {
  IpvsConfig one;
  one.services.push_back(svc);
  WhatifOptions w;
  w.sched = opts.sched;
  w.probe_keys = opts.probe_keys;
  WhatifResult r;
  if (!RunWhatif(one, edits, {}, w, &r, err)) return false;
  *m = Measure();
  if (r.services.empty()) return true;  // nothing the scheduler sees changed
  m->ideal = r.services[0].ideal;
  if (!r.services[0].scheds.empty()) m->remap = std::max(r.services[0].scheds[0].hash_moved, 0.0);
  return true;
}

bool Apply(Service* svc, const std::vector<TimelineEvent>& edits, std::string* err) {
  for (const TimelineEvent& ev : edits) {
    char cmd = ev.kind == Kind::kAddDest ? 'a' : ev.kind == Kind::kEditDest ? 'e' : 'd';
    int idx;
    if (!ApplyDestEdit(svc, cmd, ev.dest, DestInsert::kHead, &idx, err)) return false;
  }
  return true;
}

// The largest u in [1, n] whose edits move at most the bound, given that
// u = 1 does (bisection: the share grows with the move, up to sampling).
template <typename EditsFn>
bool Largest(const Service& svc, int64_t n, EditsFn edits, const RampOptions& opts,
             RampServiceStep* step, std::string* err) {
  Measure m;
  step->edits = edits(n);
  if (!Remap(svc, step->edits, opts, &m, err)) return false;
  if (m.remap <= opts.max_remap) {
    step->remap = m.remap;
    step->ideal = m.ideal;
    return true;
  }
  int64_t lo = 1, hi = n;
  step->edits = edits(1);
  if (!Remap(svc, step->edits, opts, &m, err)) return false;
  Measure best = m;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    std::vector<TimelineEvent> e = edits(mid);
    if (!Remap(svc, e, opts, &m, err)) return false;
    if (m.remap <= opts.max_remap) {
      lo = mid;
      best = m;
      step->edits = std::move(e);
    } else {
      hi = mid;
    }
  }
  step->remap = best.remap;
  step->ideal = best.ideal;
  return true;
}

// The next step of @cur toward @tgt.
bool NextStep(const Service& cur, const Service& tgt, const RampOptions& opts,
              RampServiceStep* step, std::string* err) {
  std::vector<Leg> legs = Legs(cur, tgt);
  int64_t m = 1;
  size_t j = legs.size();
  for (size_t i = 0; i < legs.size(); ++i) {
    if (legs[i].Done()) continue;
    int64_t d = std::llabs(legs[i].Delta());
    if (j == legs.size() || d > std::llabs(legs[j].Delta())) j = i;
    m = std::max(m, d);
  }
  step->key = cur.key;
  Measure first;
  std::vector<TimelineEvent> one = Fraction(cur.key, legs, 1, m);
  if (!Remap(cur, one, opts, &first, err)) return false;
  if (first.remap <= opts.max_remap)
    return Largest(
        cur, m, [&](int64_t k) { return Fraction(cur.key, legs, k, m); }, opts, step, err);
  // Every leg's least move together is too much: the largest leg alone.
  const Leg& leg = legs[j];
  int64_t n = std::max<int64_t>(std::llabs(leg.Delta()), 1);
  Measure alone;
  step->edits = Alone(cur.key, leg, 1);
  if (!Remap(cur, step->edits, opts, &alone, err)) return false;
  if (alone.remap <= opts.max_remap)
    return Largest(
        cur, n, [&](int64_t u) { return Alone(cur.key, leg, u); }, opts, step, err);
  step->remap = alone.remap;
  step->ideal = alone.ideal;
  step->over_bound = true;
  step->why = fmt::format(
      "{} alone moves {:.2f}% > {:.2f}%, and it is the least move of that dest "
      "(one weight unit, or its add or delete)",
      FormatRampEdit(step->edits[0]), 100 * alone.remap, 100 * opts.max_remap);
  return true;
}

bool SameDests(const Service& a, const Service& b) {
  if (a.dests.size() != b.dests.size()) return false;
  for (const Dest& d : a.dests) {
    int i = b.Find(d.ep);
    if (i < 0 || b.dests[i].weight != d.weight) return false;
  }
  return true;
}

// What a ramp cannot change, between @cur and @tgt; "" when nothing.
std::string Unramped(const Service& cur, const Service& tgt) {
  std::string name = cur.key.ToString();
  if (cur.scheduler != tgt.scheduler || cur.flags != tgt.flags ||
      cur.persistence != tgt.persistence || cur.netmask_bits != tgt.netmask_bits)
    return fmt::format(
        "{}: the target changes the service itself (-E); ramp changes weights, "
        "added and removed real servers only",
        name);
  for (const Dest& d : cur.dests) {
    int i = tgt.Find(d.ep);
    if (i < 0) continue;
    const Dest& t = tgt.dests[i];
    if (t.forward != d.forward || t.u_threshold != d.u_threshold || t.l_threshold != d.l_threshold)
      return fmt::format(
          "{}: real server {}: the target changes its forwarding or thresholds; "
          "ramp changes weights only",
          name, d.ep.ToString());
  }
  return "";
}

}  // namespace

bool RampTargetFromEdits(const IpvsConfig& current, const std::vector<TimelineEvent>& change,
                         IpvsConfig* target, std::string* err) {
  *target = current;
  for (const TimelineEvent& ev : change) {
    if (ev.kind != Kind::kAddDest && ev.kind != Kind::kEditDest && ev.kind != Kind::kDelDest) {
      *err = fmt::format("{}: ramp takes real-server edits (-a, -e, -d) only", ev.where);
      return false;
    }
    int s = target->Find(ev.svc.key);
    if (s < 0) {
      *err = fmt::format("{}: unknown service {}", ev.where, ev.svc.key.ToString());
      return false;
    }
    char cmd = ev.kind == Kind::kAddDest ? 'a' : ev.kind == Kind::kEditDest ? 'e' : 'd';
    int idx;
    std::string what;
    if (!ApplyDestEdit(&target->services[s], cmd, ev.dest, DestInsert::kHead, &idx, &what)) {
      *err = fmt::format("{}: {}", ev.where, what);
      return false;
    }
  }
  return true;
}

bool PlanRamp(const IpvsConfig& current, const IpvsConfig& target, const RampOptions& opts,
              RampPlan* out, std::string* err) {
  *out = RampPlan();
  out->target = current;
  for (const Service& t : target.services)
    if (current.Find(t.key) < 0) {
      *err = fmt::format("{}: the target adds a service; ramp changes existing services only",
                         t.key.ToString());
      return false;
    }
  for (size_t s = 0; s < current.services.size(); ++s) {
    const Service& cur = current.services[s];
    int ti = target.Find(cur.key);
    if (ti < 0) {
      *err = fmt::format("{}: the target deletes the service; ramp changes existing services only",
                         cur.key.ToString());
      return false;
    }
    const Service& tgt = target.services[ti];
    std::string why = Unramped(cur, tgt);
    if (!why.empty()) {
      *err = why;
      return false;
    }
    if (SameDests(cur, tgt)) continue;
    if (!IsHashScheduler(cur.scheduler)) {
      *err = fmt::format(
          "{}: scheduler {} has no hash space: the share of flows a step moves depends on the "
          "connections open, not on the table, so no step can be bounded (ramp plans wmh, hrw, "
          "chbl, mh, sh and dh services)",
          cur.key.ToString(), cur.scheduler);
      return false;
    }
    Service* now = &out->target.services[s];
    for (size_t i = 0; !SameDests(*now, tgt); ++i) {
      if (i >= opts.max_steps) {
        *err = fmt::format("{}: more than {} steps", cur.key.ToString(), opts.max_steps);
        return false;
      }
      RampServiceStep step;
      if (!NextStep(*now, tgt, opts, &step, err)) return false;
      if (!Apply(now, step.edits, err)) return false;
      if (out->steps.size() <= i) out->steps.emplace_back();
      out->steps[i].services.push_back(std::move(step));
    }
  }
  return true;
}

bool ApplyRampSteps(const IpvsConfig& config, const RampPlan& plan, size_t steps, IpvsConfig* out,
                    std::string* err) {
  *out = config;
  for (size_t i = 0; i < steps && i < plan.steps.size(); ++i)
    for (const RampServiceStep& s : plan.steps[i].services) {
      int si = out->Find(s.key);
      if (si < 0) {
        *err = fmt::format("unknown service {}", s.key.ToString());
        return false;
      }
      if (!Apply(&out->services[si], s.edits, err)) return false;
    }
  return true;
}

std::string FormatRampEdit(const TimelineEvent& ev) {
  char cmd = ev.kind == Kind::kAddDest ? 'a' : ev.kind == Kind::kEditDest ? 'e' : 'd';
  return FormatDestCommand(cmd, ev.svc.key, ev.dest);
}

}  // namespace ipvs_sim
