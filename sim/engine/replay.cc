// SPDX-License-Identifier: GPL-2.0
#include "replay.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

namespace ipvs_sim {

namespace {

std::unique_ptr<Scheduler> Throwaway(const std::string& name, const SchedulerOptions& opts,
                                     const Service& svc) {
  std::string e;
  std::unique_ptr<Scheduler> s = MakeScheduler(name, opts, &e);
  if (s && !s->Update(svc, SchedEvent::kInit, nullptr, &e)) s.reset();
  return s;
}

const Endpoint* EpOf(const Service& svc, int d) {
  return d >= 0 && d < static_cast<int>(svc.dests.size()) ? &svc.dests[d].ep : nullptr;
}

bool SameEp(const Endpoint* a, const Endpoint* b) {
  if (!a || !b) return a == b;
  return *a == *b;
}

// @svc without connections.
Service Idle(const Service& svc) {
  Service idle = svc;
  for (Dest& d : idle.dests) d.active_conns = d.inactive_conns = 0;
  return idle;
}

// Fraction of @n sampled keys whose dest differs between @pre and @post.
double HashRemap(const std::string& pre_name, const Service& pre, const std::string& post_name,
                 const Service& post, const SchedulerOptions& opts, uint32_t n, uint64_t seed) {
  // Tables built from the rules on both sides: a served table (--export)
  // describes the kernel before the first event only.
  SchedulerOptions built = opts;
  built.wmh_served.reset();
  std::unique_ptr<Scheduler> a = Throwaway(pre_name, built, pre);
  std::unique_ptr<Scheduler> b = Throwaway(post_name, built, post);
  // The hash space is the choice for an idle service: chbl's load bound
  // (the connections counted now, against the new weights) is not part of
  // it; what the bound does to new flows is in new_flow_remap.
  Service idle_pre = Idle(pre), idle_post = Idle(post);
  if (!a || !b || n == 0) return kNaN;
  uint64_t state = seed;
  uint64_t moved = 0;
  for (uint32_t i = 0; i < n; ++i) {
    FlowKey k = SampleKey(pre, &state);
    if (!SameEp(EpOf(pre, a->Schedule(idle_pre, k)), EpOf(post, b->Schedule(idle_post, k))))
      ++moved;
  }
  return static_cast<double>(moved) / n;
}

std::string Describe(const TimelineEvent& ev) {
  using K = TimelineEvent::Kind;
  switch (ev.kind) {
    case K::kAddService:
      return fmt::format("add-service {} {}", ev.svc.key.ToString(), ev.svc.scheduler);
    case K::kEditService:
      return fmt::format("edit-service {} {} flags {:#x}", ev.svc.key.ToString(), ev.svc.scheduler,
                         ev.svc.flags);
    case K::kDelService:
      return fmt::format("del-service {}", ev.svc.key.ToString());
    case K::kAddDest:
      return fmt::format("add {} w{}", ev.dest.ep.ToString(), ev.dest.weight);
    case K::kEditDest:
      return fmt::format("edit {} w{}", ev.dest.ep.ToString(), ev.dest.weight);
    case K::kDelDest:
      return fmt::format("del {}", ev.dest.ep.ToString());
    case K::kDirectorDown:
      return fmt::format("director-down {}", ev.director);
    case K::kDirectorUp:
      return fmt::format("director-up {}", ev.director);
  }
  return "?";
}

// Weight shares of @svc keyed by dest id.
std::map<uint32_t, double> SharesById(const Service& svc, const std::vector<uint32_t>& ids) {
  std::vector<int32_t> w;
  for (const Dest& d : svc.dests) w.push_back(d.weight);
  std::vector<double> shares;
  WeightShares(w, &shares);
  std::map<uint32_t, double> out;
  for (size_t i = 0; i < ids.size(); ++i) out[ids[i]] = shares[i];
  return out;
}

class Runner {
 public:
  Runner(const ReplayOptions& opts, RunResult* result)
      : opts_(opts),
        result_(result),
        metrics_(opts.window, nullptr),
        fleet_(opts.fleet, &metrics_) {
    metrics_.set_ids(&fleet_.dest_ids());
  }

  bool Run(const IpvsConfig& config, TraceReader* trace, const std::vector<TimelineEvent>& timeline,
           std::string* err);

 private:
  struct Probe {
    size_t event = 0;
    int svc = -1;
    Service svc_before;
    std::unique_ptr<Scheduler> sched;
    double until = 0;
  };

  void PushWeights(double now, int svc);
  // Applies @n events (one change) from @ev on; false with *err.
  bool ApplyChange(const TimelineEvent* ev, size_t n, std::string* err);
  // The remap of a change of service @svc from @before (and its shares).
  void MeasureRemap(int svc, const Service& before, const std::map<uint32_t, double>& shares_before,
                    double time, EventStats* st);
  // How many events from @i on form one change.
  size_t ChangeSize(const std::vector<TimelineEvent>& timeline, size_t i) const;
  // What one flow's outcome adds to the result (counters, remap probe).
  inline void Count(const TraceFlow& f, const FlowOutcome& out);
  // Fills the result at the end of a replay that ran up to @last.
  void Collect(double last, uint64_t flows);
  const Endpoint* DestEp(uint32_t id) const {
    return id == kNoDest ? nullptr : &fleet_.dest_ids().ep(id);
  }

  const ReplayOptions& opts_;
  RunResult* result_;
  Metrics metrics_;
  Fleet fleet_;
  Probe probe_;
};

void Runner::PushWeights(double now, int svc) {
  const Service* s = fleet_.director(0).service(svc);
  std::vector<int32_t> w;
  if (s)
    for (const Dest& d : s->dests) w.push_back(d.weight);
  std::vector<uint32_t> ids;
  if (s) ids = fleet_.director(0).dest_ids(svc);
  metrics_.SetWeights(now, svc, ids, w);
}

size_t Runner::ChangeSize(const std::vector<TimelineEvent>& timeline, size_t i) const {
  using K = TimelineEvent::Kind;
  auto svc_event = [](const TimelineEvent& e) {
    return e.kind != K::kDirectorDown && e.kind != K::kDirectorUp;
  };
  size_t j = i + 1;
  if (opts_.per_edit || !svc_event(timeline[i])) return 1;
  while (j < timeline.size() && svc_event(timeline[j]) && timeline[j].time == timeline[i].time &&
         timeline[j].svc.key == timeline[i].svc.key)
    ++j;
  return j - i;
}

void Runner::MeasureRemap(int svc, const Service& before,
                          const std::map<uint32_t, double>& shares_before, double time,
                          EventStats* st) {
  Director& d0 = fleet_.director(0);
  const Service* after = d0.service(svc);
  if (!after) return;
  std::map<uint32_t, double> shares_after = SharesById(*after, d0.dest_ids(svc));
  std::vector<double> b, a;
  for (auto& [id, s] : shares_before) {
    b.push_back(s);
    a.push_back(shares_after.count(id) ? shares_after[id] : 0.0);
  }
  for (auto& [id, s] : shares_after) {
    if (shares_before.count(id)) continue;
    b.push_back(0.0);
    a.push_back(s);
  }
  st->ideal_remap = IdealRemap(b, a);
  if (!IsHashScheduler(before.scheduler) || !IsHashScheduler(after->scheduler)) return;
  st->hash_remap =
      HashRemap(before.scheduler, before, after->scheduler, *after, opts_.fleet.director.sched,
                opts_.probe_keys, opts_.probe_seed + result_->events.size());
  probe_ = Probe();
  probe_.event = result_->events.size();
  probe_.svc = svc;
  probe_.svc_before = before;
  probe_.sched = Throwaway(before.scheduler, opts_.fleet.director.sched, before);
  probe_.until = time + opts_.window;
}

bool Runner::ApplyChange(const TimelineEvent* ev, size_t n, std::string* err) {
  using K = TimelineEvent::Kind;
  probe_.sched.reset();  // a probe covers the flows up to the next change
  EventStats st;
  st.time = ev[0].time;
  st.what = n == 1 ? Describe(ev[0]) : fmt::format("{} edits of {}", n, ev[0].svc.key.ToString());
  st.where = ev[0].where;
  st.edits = n;
  Director& d0 = fleet_.director(0);
  bool svc_event = ev[0].kind != K::kDirectorDown && ev[0].kind != K::kDirectorUp;
  int svc = svc_event ? d0.FindService(ev[0].svc.key) : -1;
  bool existed = svc >= 0;
  Service before;
  std::map<uint32_t, double> shares_before;
  if (existed) {
    before = *d0.service(svc);
    shares_before = SharesById(before, d0.dest_ids(svc));
  }
  std::vector<uint64_t> broken_by_svc;
  for (size_t i = 0; i < n; ++i) {
    FleetEventOutcome out;
    if (!fleet_.Apply(ev[i], &out, err)) return false;
    for (std::string& w : fleet_.TakeWarnings()) result_->warnings.push_back(std::move(w));
    st.broken += out.broken;
    st.templates_broken += out.templates_broken;
    st.kept += out.kept;
    st.moved += out.moved;
    st.survived += out.survived;
    broken_by_svc = std::move(out.broken_by_svc);
  }
  if (!existed && svc_event) svc = d0.FindService(ev[0].svc.key);
  st.svc = svc;
  if (svc_event && svc >= 0) {
    metrics_.OnBroken(st.time, svc, st.broken);
    PushWeights(st.time, svc);
    if (existed) MeasureRemap(svc, before, shares_before, st.time, &st);
  } else if (!svc_event) {
    for (size_t s = 0; s < broken_by_svc.size(); ++s)
      metrics_.OnBroken(st.time, static_cast<int>(s), broken_by_svc[s]);
  }
  result_->broken += st.broken;
  result_->events.push_back(std::move(st));
  return true;
}

void Runner::Count(const TraceFlow& f, const FlowOutcome& out) {
  if (out.svc >= 0 && out.dest_id == kNoDest) ++result_->no_dest;
  if (out.svc < 0 && out.director >= 0) {  // not: every director down
    ServiceKey k;
    k.proto = f.key.proto;
    k.vip = f.key.vip;
    ++result_->no_service_vips[k];
  }
  if (out.reused) ++result_->reused;
  if (out.scheduled) {
    ++result_->scheduled;
    result_->bounded += out.bounded;
  }
  result_->peak_load = std::max(result_->peak_load, static_cast<double>(out.load));
  if (out.dropped) ++result_->dropped;
  if (out.persistent) {
    ++result_->persistent_flows;
    if (out.persisted) ++result_->persisted;
  }
  // A flow that now gets no dest while the scheduler before the event
  // would have given it one counts as remapped.
  if (probe_.sched && out.svc == probe_.svc && !out.reused && out.director >= 0) {
    EventStats& st = result_->events[probe_.event];
    int d = probe_.sched->Schedule(probe_.svc_before, f.key);
    ++st.probed_flows;
    if (!SameEp(EpOf(probe_.svc_before, d), DestEp(out.dest_id))) ++st.remapped_flows;
  }
}

void Runner::Collect(double last, uint64_t flows) {
  Director& d0 = fleet_.director(0);
  result_->flows = flows;
  result_->no_service = metrics_.no_service();
  result_->duration = last;
  result_->window = opts_.window;
  result_->windows = metrics_.windows();
  result_->totals = metrics_.totals();
  for (size_t s = 0; s < d0.num_services(); ++s) {
    const Service* svc = d0.service(static_cast<int>(s));
    result_->services.push_back(svc ? svc->key.ToString() : fmt::format("(deleted service {})", s));
  }
  const DestIds& ids = fleet_.dest_ids();
  for (uint32_t id = 0; id < ids.size(); ++id) {
    result_->dest_ep.push_back(ids.ep(id));
    result_->dest_svc.push_back(ids.svc(id));
  }
}

bool Runner::Run(const IpvsConfig& config, TraceReader* trace,
                 const std::vector<TimelineEvent>& timeline, std::string* err) {
  auto wall0 = std::chrono::steady_clock::now();
  if (!fleet_.Load(config, err)) return false;
  for (std::string& w : fleet_.TakeWarnings()) result_->warnings.push_back(std::move(w));
  Director& d0 = fleet_.director(0);
  for (size_t s = 0; s < d0.num_services(); ++s) PushWeights(0, static_cast<int>(s));
  size_t next_event = 0;
  double last = 0;
  // Read-ahead: flows are read kAhead - 1 flows before they are handled and
  // their table slots prefetched meanwhile. A ring of kAhead flows; the
  // one being handled is refilled after it.
  constexpr size_t kAhead = 4;
  TraceFlow ring[kAhead];
  uint64_t hashes[kAhead];
  size_t queued = 0;
  bool more = true;
  auto read = [&](size_t i) {
    more = trace->Next(&ring[i]);
    if (!more) return;
    hashes[i] = HashFlowKey(ring[i].key);
    fleet_.Prefetch(ring[i].key, hashes[i]);
    ++queued;
  };
  for (size_t i = 0; i < kAhead && more; ++i) read(i);
  uint64_t flows = 0;
  for (size_t head = 0; queued > 0; head = (head + 1) % kAhead) {
    --queued;
    TraceFlow& f = ring[head];
    uint64_t hash = hashes[head];
    if (f.start < last) f.start = last;  // tolerate tiny disorder
    last = f.start;
    while (next_event < timeline.size() && timeline[next_event].time <= f.start) {
      size_t n = ChangeSize(timeline, next_event);
      if (!ApplyChange(&timeline[next_event], n, err)) return false;
      next_event += n;
    }
    if (probe_.sched && f.start >= probe_.until) probe_.sched.reset();
    FlowOutcome out = fleet_.Handle(f, hash);
    metrics_.OnFlow(f.start, out.svc, out, f.bytes);
    ++flows;
    Count(f, out);
    if (opts_.on_flow) {
      // A dest of port 0 (port-zero and fwmark services) gets the packet's
      // own port (ip_vs_schedule, ip_vs_sched_persist): the entry shows it.
      const Endpoint* ep = DestEp(out.entry_dest());
      Endpoint with_port;
      if (ep && ep->port == 0) {
        with_port = *ep;
        with_port.port = f.key.vip.port;
        ep = &with_port;
      }
      opts_.on_flow(f, out, ep);
    }
    if ((flows & 0xffff) == 0 && opts_.on_progress)
      opts_.on_progress(flows, trace->position(), trace->size(), false);
    if (more) read(head);  // f is done with
  }
  if (!trace->error().empty()) {
    *err = trace->error();
    return false;
  }
  while (next_event < timeline.size()) {
    size_t n = ChangeSize(timeline, next_event);
    if (!ApplyChange(&timeline[next_event], n, err)) return false;
    next_event += n;
    last = std::max(last, timeline[next_event - 1].time);
  }
  fleet_.Advance(last);
  metrics_.Finish(last);
  if (opts_.on_progress) opts_.on_progress(flows, trace->position(), trace->size(), true);
  Collect(last, flows);
  result_->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return true;
}

}  // namespace

static uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

FlowKey SampleKey(const Service& svc, uint64_t* state) {
  FlowKey k;
  k.proto = svc.key.fwmark ? Proto::kTcp : svc.key.proto;
  k.vip = svc.key.vip;
  Family fam = svc.family();
  k.client.addr.family = fam;
  k.vip.addr.family = svc.key.fwmark ? fam : k.vip.addr.family;
  uint64_t a = SplitMix(state), b = SplitMix(state);
  if (fam == Family::kV4) {
    k.client.addr = IpAddr::V4(static_cast<uint32_t>(a));
  } else {
    for (int i = 0; i < 8; ++i) k.client.addr.bytes[i] = static_cast<uint8_t>(a >> (8 * i));
    for (int i = 0; i < 8; ++i) k.client.addr.bytes[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  k.client.port = static_cast<uint16_t>(1024 + (b >> 48) % 64512);
  return k;
}

bool IsHashScheduler(const std::string& name) {
  return name == "wmh" || name == "hrw" || name == "chbl" || name == "mh" || name == "sh" ||
         name == "dh";
}

bool RunReplay(const IpvsConfig& config, TraceReader* trace,
               const std::vector<TimelineEvent>& timeline, const ReplayOptions& opts,
               RunResult* result, std::string* err) {
  *result = RunResult();
  result->scheduler = opts.fleet.director.sched_override;
  if (result->scheduler.empty() && !config.services.empty())
    result->scheduler = config.services[0].scheduler;
  Runner runner(opts, result);
  return runner.Run(config, trace, timeline, err);
}

std::vector<std::string> DescribeNoService(const RunResult& r, size_t max) {
  std::vector<std::pair<ServiceKey, uint64_t>> v(r.no_service_vips.begin(),
                                                 r.no_service_vips.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size() && i < max; ++i)
    out.push_back(fmt::format("{} flow{} to {} matched no service", v[i].second,
                              v[i].second == 1 ? "" : "s", v[i].first.ToString()));
  if (v.size() > max) out.push_back(fmt::format("... and {} more VIPs", v.size() - max));
  return out;
}

std::string FormatPrediction(const TraceFlow& flow, const Endpoint* dest) {
  return fmt::format("{} {} {}\n", flow.key.client.ToString(), flow.key.vip.ToString(),
                     dest ? dest->ToString() : "-");
}

}  // namespace ipvs_sim
