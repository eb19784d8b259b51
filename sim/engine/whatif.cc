// SPDX-License-Identifier: GPL-2.0
#include "whatif.h"

#include <fmt/format.h>

#include <map>
#include <memory>

#include "metrics.h"
#include "replay.h"

namespace ipvs_sim {

namespace {

std::unique_ptr<Scheduler> Bound(const std::string& name, const SchedulerOptions& o,
                                 const Service& svc, std::string* err) {
  std::unique_ptr<Scheduler> s = MakeScheduler(name, o, err);
  if (s && !s->Update(svc, SchedEvent::kInit, nullptr, err)) s.reset();
  return s;
}

// The scheduler after the change: when a hash scheduler stays, the one
// bound before it, told of the change as the kernel's is (one rebuild from
// the dests after; a table that cannot be built, more dests than slots,
// keeps the old one, and a served table from --export is where it starts);
// otherwise a fresh one bound to @after.
std::unique_ptr<Scheduler> BoundAfter(const std::string& pre_name, const Service& before,
                                      const std::string& post_name, const Service& after,
                                      const SchedulerOptions& o, std::string* err) {
  if (pre_name != post_name || !IsHashScheduler(pre_name)) return Bound(post_name, o, after, err);
  std::unique_ptr<Scheduler> s = Bound(pre_name, o, before, err);
  std::string kept;  // a failed rebuild keeps the table: not an error here
  if (s) s->Update(after, SchedEvent::kUpdDest, nullptr, &kept);
  return s;
}

const Endpoint* EpOf(const Service& svc, int d) {
  return d >= 0 && d < static_cast<int>(svc.dests.size()) ? &svc.dests[d].ep : nullptr;
}

bool SameEp(const Endpoint* a, const Endpoint* b) { return (!a || !b) ? a == b : *a == *b; }

// One service the change touches, while entries are judged.
struct Work {
  Service before, after;
  bool deleted = false;
  WhatifService out;
  std::map<Endpoint, size_t> row;      // dest endpoint -> out.dests index
  std::unique_ptr<Scheduler> resched;  // after-side scheduler for rescheduled UDP
  std::vector<FlowKey> clients;        // new-flow sample (non-template entries)
};

// Applies one event of the change to @svcs; false with *err.
bool ApplyEvent(const TimelineEvent& ev, std::vector<Work>* svcs, std::map<ServiceKey, size_t>* by,
                std::string* err) {
  using K = TimelineEvent::Kind;
  auto it = by->find(ev.svc.key);
  Work* w = it == by->end() || (*svcs)[it->second].deleted ? nullptr : &(*svcs)[it->second];
  if (ev.kind == K::kAddService) {
    if (w) {
      *err = fmt::format("{}: service {} exists", ev.where, ev.svc.key.ToString());
      return false;
    }
    return true;  // a new service has no entries to judge
  }
  if (ev.kind == K::kDirectorDown || ev.kind == K::kDirectorUp) {
    *err = fmt::format("{}: a change is ipvsadm edits, not director events", ev.where);
    return false;
  }
  if (!w) {
    *err = fmt::format("{}: unknown service {}", ev.where, ev.svc.key.ToString());
    return false;
  }
  switch (ev.kind) {
    case K::kEditService:
      ApplyServiceEdit(&w->after, ev.svc);
      return true;
    case K::kDelService:
      w->deleted = true;
      w->after.dests.clear();
      return true;
    default:
      break;
  }
  char cmd = ev.kind == K::kAddDest ? 'a' : ev.kind == K::kEditDest ? 'e' : 'd';
  int idx;
  std::string what;
  if (!ApplyDestEdit(&w->after, cmd, ev.dest, DestInsert::kHead, &idx, &what)) {
    *err = fmt::format("{}: {}", ev.where, what);
    return false;
  }
  return true;
}

double Load(uint64_t active, uint64_t inactive, int32_t weight) {
  return weight > 0 ? static_cast<double>(active * 256 + inactive) / weight : -1;
}

}  // namespace

bool RunWhatif(const IpvsConfig& config, const std::vector<TimelineEvent>& change,
               const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
               WhatifResult* out, std::string* err) {
  std::vector<Work> svcs(config.services.size());
  std::map<ServiceKey, size_t> by;
  for (size_t i = 0; i < svcs.size(); ++i) {
    svcs[i].before = svcs[i].after = config.services[i];
    by[config.services[i].key] = i;
  }
  for (const TimelineEvent& ev : change)
    if (!ApplyEvent(ev, &svcs, &by, err)) return false;

  for (Work& w : svcs) {
    w.out.key = w.before.key.ToString();
    w.out.scheduler = w.before.scheduler;
    auto add_row = [&](const Endpoint& ep) -> WhatifDest& {
      auto [it, fresh] = w.row.emplace(ep, w.out.dests.size());
      if (fresh) w.out.dests.push_back(WhatifDest{.ep = ep});
      return w.out.dests[it->second];
    };
    for (const Dest& d : w.before.dests) add_row(d.ep).weight_before = d.weight;
    for (const Dest& d : w.after.dests) add_row(d.ep).weight_after = d.weight;
    // The ideal: total variation between the weight shares, dests aligned.
    std::vector<int32_t> wb, wa;
    for (const WhatifDest& d : w.out.dests) {
      wb.push_back(std::max(d.weight_before, 0));
      wa.push_back(std::max(d.weight_after, 0));
    }
    std::vector<double> sb, sa;
    WeightShares(wb, &sb);
    WeightShares(wa, &sa);
    w.out.ideal = IdealRemap(sb, sa);
    if (!w.deleted)
      w.resched =
          BoundAfter(w.before.scheduler, w.before, w.after.scheduler, w.after, opts.sched, err);
  }

  // The entries, against the changed dests.
  size_t last = SIZE_MAX;
  ServiceKey last_key;
  for (const IpvsConnEntry& e : entries) {
    ++out->entries;
    size_t si = SIZE_MAX;
    if (e.proto_known) {
      ServiceKey k;
      k.proto = e.proto;
      k.vip = e.vip;
      if (last != SIZE_MAX && k == last_key) {
        si = last;
      } else {
        auto it = by.find(k);
        if (it == by.end()) {
          k.vip.port = 0;  // the VIP's port-zero service
          it = by.find(k);
        }
        if (it != by.end()) {
          si = it->second;
          last = si;
          last_key = ServiceKey{.proto = e.proto, .vip = e.vip};
        }
      }
    }
    if (si == SIZE_MAX) {
      ++out->no_service;
      continue;
    }
    Work& w = svcs[si];
    bool tmpl = e.is_template();
    auto r = w.row.find(e.dest);
    WhatifDest* d = r == w.row.end() ? nullptr : &w.out.dests[r->second];
    bool active = e.proto == Proto::kTcp && e.state == "ESTABLISHED";
    if (!d || d->weight_before < 0) {
      ++w.out.stale;
      continue;
    }
    if (tmpl)
      ++d->templates_before;
    else
      ++(active ? d->active_before : d->inactive_before);
    bool gone = d->weight_after < 0;
    if (tmpl) {
      ++w.out.templates;
      // ip_vs_check_template: a drained dest's templates are invalid under
      // expire_quiescent_template.
      if (gone || (d->weight_after == 0 && opts.sysctls.expire_quiescent_template))
        ++w.out.templates_broken;
      else
        ++d->templates_after;
      continue;
    }
    ++w.out.entries;
    w.clients.push_back(FlowKey{.proto = e.proto, .client = e.client, .vip = e.vip});
    if (!gone) {
      ++w.out.stayed;
      ++(active ? d->active_after : d->inactive_after);
      continue;
    }
    if (e.proto == Proto::kUdp && opts.sysctls.expire_nodest_conn && w.resched) {
      // The next datagram expires the entry and is scheduled afresh.
      ++w.out.rescheduled;
      const Endpoint* to = EpOf(w.after, w.resched->Schedule(w.after, w.clients.back()));
      if (to) ++w.out.dests[w.row[*to]].inactive_after;
      continue;
    }
    ++w.out.broken;
    if (opts.list_broken)
      out->broken_list.push_back(fmt::format("{} {} {} {}", e.protocol, e.client.ToString(),
                                             e.vip.ToString(), e.dest.ToString()));
  }

  // Moves per scheduler: the service's (its -E replacement after) first.
  for (Work& w : svcs) {
    bool touched = w.deleted || w.before.scheduler != w.after.scheduler ||
                   w.before.flags != w.after.flags || w.before.persistence != w.after.persistence ||
                   w.before.netmask_bits != w.after.netmask_bits || w.out.ideal > 0 ||
                   w.before.dests.size() != w.after.dests.size();
    for (size_t i = 0; !touched && i < w.before.dests.size(); ++i)
      touched = !(w.before.dests[i].ep == w.after.dests[i].ep) ||
                w.before.dests[i].weight != w.after.dests[i].weight;
    if (!touched) continue;
    for (WhatifDest& d : w.out.dests) {
      d.load_before = Load(d.active_before, d.inactive_before, d.weight_before);
      d.load_after = Load(d.active_after, d.inactive_after, d.weight_after);
    }
    std::vector<std::pair<std::string, std::string>> names{{w.before.scheduler, w.after.scheduler}};
    for (const std::string& a : opts.alternatives)
      if (a != w.before.scheduler) names.emplace_back(a, a);
    for (const auto& [pre_name, post_name] : names) {
      WhatifSched ws;
      ws.name = pre_name == post_name ? pre_name : pre_name + "->" + post_name;
      if (!w.deleted && IsHashScheduler(pre_name) && IsHashScheduler(post_name)) {
        std::unique_ptr<Scheduler> a = Bound(pre_name, opts.sched, w.before, err);
        if (!a) return false;
        std::unique_ptr<Scheduler> b =
            BoundAfter(pre_name, w.before, post_name, w.after, opts.sched, err);
        if (!b) return false;
        uint64_t state = 1, moved = 0;
        for (uint32_t i = 0; i < opts.probe_keys; ++i) {
          FlowKey k = SampleKey(w.before, &state);
          moved += !SameEp(EpOf(w.before, a->Schedule(w.before, k)),
                           EpOf(w.after, b->Schedule(w.after, k)));
        }
        if (opts.probe_keys) ws.hash_moved = static_cast<double>(moved) / opts.probe_keys;
        moved = 0;
        for (const FlowKey& k : w.clients)
          moved += !SameEp(EpOf(w.before, a->Schedule(w.before, k)),
                           EpOf(w.after, b->Schedule(w.after, k)));
        ws.new_flows = w.clients.size();
        if (!w.clients.empty()) ws.new_flows_moved = static_cast<double>(moved) / w.clients.size();
      } else if (!MakeScheduler(pre_name, opts.sched, err)) {
        return false;
      }
      w.out.scheds.push_back(std::move(ws));
    }
    out->services.push_back(std::move(w.out));
  }
  return true;
}

}  // namespace ipvs_sim
