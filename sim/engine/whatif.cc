// SPDX-License-Identifier: GPL-2.0
#include "whatif.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <utility>

#include "metrics.h"
#include "replay.h"

namespace ipvs_sim {

const char* WhatifVerdictName(WhatifVerdict v) {
  switch (v) {
    case WhatifVerdict::kStays:
      return "stays";
    case WhatifVerdict::kBreaks:
      return "breaks";
    case WhatifVerdict::kRescheduled:
      return "rescheduled";
    case WhatifVerdict::kStale:
      return "stale";
    case WhatifVerdict::kNoService:
      return "no-service";
  }
  return "?";
}

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

double Load(uint64_t active, uint64_t inactive, int32_t weight) {
  return weight > 0 ? static_cast<double>(active * 256 + inactive) / weight : -1;
}

// One service, while the change is applied and entries are judged.
struct Work {
  Service before, after;
  bool deleted = false;
  bool added = false;  // by the change: no entries, nothing to compare
  WhatifService out;
  std::map<Endpoint, size_t> row;      // dest endpoint -> out.dests index
  std::unique_ptr<Scheduler> resched;  // after-side scheduler for rescheduled UDP
  std::vector<FlowKey> clients;        // new-flow sample (non-template entries)
};

// The services of one run and how entries find theirs.
struct State {
  std::vector<Work> svcs;
  std::map<ServiceKey, size_t> current;  // services as the change goes on
  // Entries find the services of the configuration before the change.
  std::map<ServiceKey, size_t> by_key;
  std::map<std::pair<uint32_t, Family>, size_t> by_mark;
  bool port_zero = false;
  // The last lookup (entries come grouped by service).
  bool cached = false;
  ServiceKey cache_key;
  int cache_svc = -1;
};

void LoadServices(const IpvsConfig& config, State* st) {
  st->svcs.resize(config.services.size());
  for (size_t i = 0; i < config.services.size(); ++i) {
    const Service& s = config.services[i];
    st->svcs[i].before = st->svcs[i].after = s;
    st->current[s.key] = i;
    st->by_key[s.key] = i;
    if (s.key.fwmark) st->by_mark[{s.key.fwmark, s.key.fwmark_family}] = i;
    st->port_zero |= s.key.fwmark == 0 && s.key.vip.port == 0;
  }
}

// Applies one event of the change; false with *err.
bool ApplyEvent(const TimelineEvent& ev, State* st, std::string* err) {
  using K = TimelineEvent::Kind;
  if (ev.kind == K::kDirectorDown || ev.kind == K::kDirectorUp) {
    *err = fmt::format("{}: a change is ipvsadm edits, not director events", ev.where);
    return false;
  }
  auto it = st->current.find(ev.svc.key);
  Work* w = it == st->current.end() ? nullptr : &st->svcs[it->second];
  if (ev.kind == K::kAddService) {
    if (w) {
      *err = fmt::format("{}: service {} exists", ev.where, ev.svc.key.ToString());
      return false;
    }
    Work added;
    added.before = added.after = ev.svc;
    added.before.dests.clear();
    added.after.dests.clear();
    added.added = true;
    st->current[ev.svc.key] = st->svcs.size();
    st->svcs.push_back(std::move(added));
    return true;
  }
  if (!w) {
    *err = fmt::format("{}: unknown service {}", ev.where, ev.svc.key.ToString());
    return false;
  }
  if (ev.kind == K::kEditService) {
    ApplyServiceEdit(&w->after, ev.svc);
    return true;
  }
  if (ev.kind == K::kDelService) {
    w->deleted = true;
    w->after.dests.clear();
    st->current.erase(it);
    return true;
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

// The rows of @w's dests (before and after) and the ideal share moved: the
// total variation between the weight shares, dests aligned.
void InitRows(Work* w) {
  w->out.key = w->before.key.ToString();
  w->out.scheduler = w->before.scheduler;
  auto add_row = [w](const Endpoint& ep) -> WhatifDest& {
    auto [it, fresh] = w->row.emplace(ep, w->out.dests.size());
    if (fresh) w->out.dests.push_back(WhatifDest{.ep = ep});
    return w->out.dests[it->second];
  };
  for (const Dest& d : w->before.dests) add_row(d.ep).weight_before = d.weight;
  for (const Dest& d : w->after.dests) add_row(d.ep).weight_after = d.weight;
  std::vector<int32_t> wb, wa;
  for (const WhatifDest& d : w->out.dests) {
    wb.push_back(std::max(d.weight_before, 0));
    wa.push_back(std::max(d.weight_after, 0));
  }
  std::vector<double> sb, sa;
  WeightShares(wb, &sb);
  WeightShares(wa, &sa);
  w->out.ideal = IdealRemap(sb, sa);
}

// The service (index) the kernel found for @e's first packet; -1 if none.
int ServiceOf(const IpvsConnEntry& e, const WhatifOptions& opts, State* st) {
  if (e.is_template() && e.protocol == "IP") {  // a fwmark service's template
    uint32_t mark = (uint32_t{e.vip.addr.bytes[0]} << 24) | (uint32_t{e.vip.addr.bytes[1]} << 16) |
                    (uint32_t{e.vip.addr.bytes[2]} << 8) | e.vip.addr.bytes[3];
    auto it = st->by_mark.find({mark, e.vip.addr.family});
    return it == st->by_mark.end() ? -1 : static_cast<int>(it->second);
  }
  if (!e.proto_known) return -1;
  if (opts.marks && !opts.marks->empty()) {
    uint32_t mark = opts.marks->MarkOf(FlowKey{.proto = e.proto, .client = e.client, .vip = e.vip});
    auto it = mark ? st->by_mark.find({mark, e.vip.addr.family}) : st->by_mark.end();
    if (it != st->by_mark.end()) return static_cast<int>(it->second);
  }
  ServiceKey k{.proto = e.proto, .vip = e.vip};
  if (st->cached && k == st->cache_key) return st->cache_svc;
  auto it = st->by_key.find(k);
  if (it == st->by_key.end() && st->port_zero) {
    k.vip.port = 0;  // the VIP's port-zero service
    it = st->by_key.find(k);
    k.vip.port = e.vip.port;
  }
  st->cached = true;
  st->cache_key = k;
  st->cache_svc = it == st->by_key.end() ? -1 : static_cast<int>(it->second);
  return st->cache_svc;
}

// @w's row of @dest; a dest without a port (fwmark services) matches the
// entry's, which has the packet's port. nullptr when the service has none.
WhatifDest* FindRow(Work* w, const Endpoint& dest) {
  auto r = w->row.find(dest);
  if (r == w->row.end() && dest.port) {
    Endpoint any = dest;
    any.port = 0;
    r = w->row.find(any);
  }
  return r == w->row.end() ? nullptr : &w->out.dests[r->second];
}

// A persistence template of @d: broken with its dest, and, as
// ip_vs_check_template has it, with a drained one under
// expire_quiescent_template.
WhatifVerdict JudgeTemplate(const WhatifOptions& opts, WhatifDest* d, WhatifService* out) {
  ++d->templates_before;
  ++out->templates;
  if (d->weight_after < 0 || (d->weight_after == 0 && opts.sysctls.expire_quiescent_template)) {
    ++out->templates_broken;
    return WhatifVerdict::kBreaks;
  }
  ++d->templates_after;
  return WhatifVerdict::kStays;
}

// Judges one entry of @w and counts it into @w's figures; a rescheduled
// entry's new dest goes to @c.
WhatifVerdict JudgeEntry(const IpvsConnEntry& e, const WhatifOptions& opts, Work* w,
                         WhatifConn* c) {
  WhatifDest* d = FindRow(w, e.dest);
  if (!d || d->weight_before < 0) {
    ++w->out.stale;
    return WhatifVerdict::kStale;
  }
  if (e.is_template()) return JudgeTemplate(opts, d, &w->out);
  bool active = e.proto_known && e.proto == Proto::kTcp && e.state == "ESTABLISHED";
  ++(active ? d->active_before : d->inactive_before);
  ++w->out.entries;
  w->clients.push_back(FlowKey{.proto = e.proto, .client = e.client, .vip = e.vip});
  if (d->weight_after >= 0) {
    ++w->out.stayed;
    ++(active ? d->active_after : d->inactive_after);
    return WhatifVerdict::kStays;
  }
  if (e.proto == Proto::kUdp && opts.sysctls.expire_nodest_conn && w->resched) {
    // The next datagram expires the entry and is scheduled afresh.
    ++w->out.rescheduled;
    const Endpoint* to = EpOf(w->after, w->resched->Schedule(w->after, w->clients.back()));
    if (to) {
      ++w->out.dests[w->row[*to]].inactive_after;
      c->has_to = true;
      c->to = *to;
      if (!c->to.port) c->to.port = e.vip.port;  // a dest without a port: the packet's
    }
    return WhatifVerdict::kRescheduled;
  }
  ++w->out.broken;
  return WhatifVerdict::kBreaks;
}

void JudgeEntries(const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts, State* st,
                  WhatifResult* out) {
  for (const IpvsConnEntry& e : entries) {
    ++out->entries;
    WhatifConn c;
    c.entry = &e;
    c.service = ServiceOf(e, opts, st);
    if (c.service < 0) {
      ++out->no_service;
      c.verdict = WhatifVerdict::kNoService;
    } else {
      c.verdict = JudgeEntry(e, opts, &st->svcs[c.service], &c);
    }
    if (opts.list_broken && c.verdict == WhatifVerdict::kBreaks && !e.is_template())
      out->broken_list.push_back(fmt::format("{} {} {} {}", e.protocol, e.client.ToString(),
                                             e.vip.ToString(), e.dest.ToString()));
    if (opts.list_conns) out->conns.push_back(c);
  }
}

// True when the change did anything to @w.
bool Touched(const Work& w) {
  if (w.deleted || w.before.scheduler != w.after.scheduler || w.before.flags != w.after.flags ||
      w.before.persistence != w.after.persistence ||
      w.before.netmask_bits != w.after.netmask_bits || w.out.ideal > 0 ||
      w.before.dests.size() != w.after.dests.size())
    return true;
  for (size_t i = 0; i < w.before.dests.size(); ++i)
    if (!(w.before.dests[i].ep == w.after.dests[i].ep) ||
        w.before.dests[i].weight != w.after.dests[i].weight)
      return true;
  return false;
}

// The share of sampled keys and of @w's clients that @pre before and @post
// after the change send elsewhere, into @ws; false with *err.
bool MeasureMoves(const Work& w, const std::string& pre, const std::string& post,
                  const WhatifOptions& opts, WhatifSched* ws, std::string* err) {
  std::unique_ptr<Scheduler> a = Bound(pre, opts.sched, w.before, err);
  if (!a) return false;
  std::unique_ptr<Scheduler> b = BoundAfter(pre, w.before, post, w.after, opts.sched, err);
  if (!b) return false;
  auto moves = [&](const FlowKey& k) {
    return !SameEp(EpOf(w.before, a->Schedule(w.before, k)),
                   EpOf(w.after, b->Schedule(w.after, k)));
  };
  uint64_t state = 1, moved = 0;
  for (uint32_t i = 0; i < opts.probe_keys; ++i) moved += moves(SampleKey(w.before, &state));
  if (opts.probe_keys) ws->hash_moved = static_cast<double>(moved) / opts.probe_keys;
  moved = 0;
  for (const FlowKey& k : w.clients) moved += moves(k);
  ws->new_flows = w.clients.size();
  if (!w.clients.empty()) ws->new_flows_moved = static_cast<double>(moved) / w.clients.size();
  return true;
}

// @w's figures, its scheduler's (its -E replacement after) first, then the
// alternatives'; false with *err on an unknown scheduler.
bool Report(Work* w, const WhatifOptions& opts, std::string* err) {
  for (WhatifDest& d : w->out.dests) {
    d.load_before = Load(d.active_before, d.inactive_before, d.weight_before);
    d.load_after = Load(d.active_after, d.inactive_after, d.weight_after);
  }
  std::vector<std::pair<std::string, std::string>> names{{w->before.scheduler, w->after.scheduler}};
  for (const std::string& a : opts.alternatives)
    if (a != w->before.scheduler) names.emplace_back(a, a);
  for (const auto& [pre, post] : names) {
    WhatifSched ws;
    ws.name = pre == post ? pre : pre + "->" + post;
    if (!w->deleted && IsHashScheduler(pre) && IsHashScheduler(post)) {
      if (!MeasureMoves(*w, pre, post, opts, &ws, err)) return false;
    } else if (!MakeScheduler(pre, opts.sched, err)) {
      return false;
    }
    w->out.scheds.push_back(std::move(ws));
  }
  return true;
}

}  // namespace

bool RunWhatif(const IpvsConfig& config, const std::vector<TimelineEvent>& change,
               const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
               WhatifResult* out, std::string* err, IpvsConfig* after) {
  State st;
  LoadServices(config, &st);
  for (const TimelineEvent& ev : change)
    if (!ApplyEvent(ev, &st, err)) return false;
  for (Work& w : st.svcs) {
    InitRows(&w);
    if (!w.deleted)
      w.resched =
          BoundAfter(w.before.scheduler, w.before, w.after.scheduler, w.after, opts.sched, err);
    out->service_keys.push_back(w.out.key);
  }
  JudgeEntries(entries, opts, &st, out);
  for (Work& w : st.svcs) {
    if (w.added || !Touched(w)) continue;
    if (!Report(&w, opts, err)) return false;
    out->services.push_back(std::move(w.out));
  }
  if (after) {
    *after = config;
    after->services.clear();
    for (const Work& w : st.svcs)
      if (!w.deleted) after->services.push_back(w.after);
  }
  return true;
}

std::vector<std::vector<TimelineEvent>> SplitChanges(const std::vector<TimelineEvent>& timeline,
                                                     bool per_edit) {
  std::vector<std::vector<TimelineEvent>> out;
  for (const TimelineEvent& ev : timeline) {
    if (out.empty() || per_edit || out.back().back().time != ev.time) out.emplace_back();
    out.back().push_back(ev);
  }
  return out;
}

namespace {

// The table after one change: broken entries gone, rescheduled ones on
// their new dest.
std::vector<IpvsConnEntry> Survivors(const WhatifResult& r) {
  std::vector<IpvsConnEntry> next;
  next.reserve(r.conns.size());
  for (const WhatifConn& c : r.conns) {
    if (c.verdict == WhatifVerdict::kBreaks) continue;
    if (c.verdict == WhatifVerdict::kRescheduled && !c.has_to) continue;
    next.push_back(*c.entry);
    if (c.verdict == WhatifVerdict::kRescheduled) next.back().dest = c.to;
  }
  return next;
}

}  // namespace

bool RunWhatifSteps(const IpvsConfig& config,
                    const std::vector<std::vector<TimelineEvent>>& changes,
                    const std::vector<IpvsConnEntry>& entries, const WhatifOptions& opts,
                    std::vector<WhatifStep>* out, std::string* err) {
  IpvsConfig cur = config;
  // The first change is judged on @entries themselves, not a copy.
  std::shared_ptr<const std::vector<IpvsConnEntry>> table(&entries,
                                                          [](const std::vector<IpvsConnEntry>*) {});
  for (size_t i = 0; i < changes.size(); ++i) {
    const std::vector<TimelineEvent>& change = changes[i];
    bool last = i + 1 == changes.size();
    WhatifOptions o = opts;
    o.list_conns = opts.list_conns || !last;  // the next table is made from the verdicts
    WhatifStep step;
    step.time = change.empty() ? 0 : change.front().time;
    step.where = change.empty() ? "" : change.front().where;
    step.edits = change.size();
    IpvsConfig next;
    if (!RunWhatif(cur, change, *table, o, &step.result, err, last ? nullptr : &next)) return false;
    std::shared_ptr<const std::vector<IpvsConnEntry>> survivors;
    if (!last) survivors = std::make_shared<std::vector<IpvsConnEntry>>(Survivors(step.result));
    if (!opts.list_conns) step.result.conns.clear();
    step.table = table;
    out->push_back(std::move(step));
    cur = std::move(next);
    table = std::move(survivors);
  }
  return true;
}

}  // namespace ipvs_sim
