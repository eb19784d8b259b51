// SPDX-License-Identifier: GPL-2.0
#include "director.h"

#include <fmt/core.h>

#include <cstring>

namespace ipvs_sim {

Director::Director(int index, const DirectorOptions& opts, DestIds* ids, ConnObserver* observer)
    : index_(index), opts_(opts), ids_(ids), table_(opts.timeouts) {
  table_.set_observer(observer);
}

bool Director::Bind(Slot& s, const std::string& name, std::string* err) {
  std::string e;
  std::unique_ptr<Scheduler> sched = MakeScheduler(name, opts_.sched, &e);
  if (!sched) {
    *err = fmt::format("{}: {}", s.svc.key.ToString(), e);
    return false;
  }
  s.sched = std::move(sched);
  s.svc.scheduler = name;
  CallUpdate(s, SchedEvent::kInit, nullptr);
  return true;
}

void Director::CallUpdate(Slot& s, SchedEvent ev, const Dest* d) {
  std::string e;
  if (s.sched && !s.sched->Update(s.svc, ev, d, &e))
    warnings_.push_back(
        fmt::format("director {}: {} ({}): {}", index_, s.svc.key.ToString(), s.svc.scheduler, e));
}

void Director::Repoint(Slot& s) {
  for (size_t i = 0; i < s.svc.dests.size(); ++i) table_.SetDest(s.dest_ids[i], &s.svc.dests[i]);
}

bool Director::Load(const IpvsConfig& config, std::string* err) {
  for (const Service& svc : config.services) {
    auto slot = std::make_unique<Slot>();
    slot->svc = svc;
    int index = static_cast<int>(slots_.size());
    for (Dest& d : slot->svc.dests) {
      d.active_conns = d.inactive_conns = 0;
      d.overloaded = false;
      slot->dest_ids.push_back(ids_->Get(index, d.ep));
    }
    Repoint(*slot);
    std::string name = opts_.sched_override.empty() ? svc.scheduler : opts_.sched_override;
    if (!Bind(*slot, name, err)) return false;
    slots_.push_back(std::move(slot));
  }
  return true;
}

int Director::FindService(const ServiceKey& key) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (!slots_[i]->deleted && slots_[i]->svc.key == key) return static_cast<int>(i);
  return -1;
}

namespace {

// Endpoint equality without the memcmp call of the defaulted operator.
inline bool SameEndpoint(const Endpoint& a, const Endpoint& b) {
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.addr.bytes.data(), 8);
  std::memcpy(&a1, a.addr.bytes.data() + 8, 8);
  std::memcpy(&b0, b.addr.bytes.data(), 8);
  std::memcpy(&b1, b.addr.bytes.data() + 8, 8);
  return a.port == b.port && a.addr.family == b.addr.family && ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

}  // namespace

int Director::ServiceOf(const FlowKey& key) {
  auto matches = [&key](const Slot& s) {
    return !s.deleted && s.svc.key.fwmark == 0 && s.svc.key.proto == key.proto &&
           SameEndpoint(s.svc.key.vip, key.vip);
  };
  if (last_svc_ >= 0 && matches(*slots_[last_svc_])) return last_svc_;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (matches(*slots_[i])) {
      last_svc_ = static_cast<int>(i);
      return last_svc_;
    }
  }
  return -1;
}

FlowOutcome Director::Handle(const TraceFlow& flow, uint64_t h) {
  FlowOutcome out;
  out.director = index_;
  int svc = ServiceOf(flow.key);
  if (svc < 0) return out;
  out.svc = svc;
  uint32_t idx = table_.Find(flow.key, h);
  if (idx != ConnTable::kNone) {
    if (opts_.reuse_closed_tcp && table_.ClosedTcp(idx)) {
      table_.Remove(idx, flow.start);
    } else {
      out.reused = true;
      out.started = table_.Reuse(idx, flow.start, flow.duration);
      out.dest_id = table_.at(idx).dest_id;
      return out;
    }
  }
  Slot& s = *slots_[svc];
  int d = s.sched->Schedule(s.svc, flow.key);
  if (d < 0 || d >= static_cast<int>(s.svc.dests.size())) return out;
  out.dest_id = s.dest_ids[d];
  out.started = true;
  table_.Insert(flow.key, h, static_cast<uint16_t>(svc), out.dest_id, flow.start, flow.duration);
  return out;
}

bool Director::Adopt(const Conn& c, const FlowKey& key, double now, bool synced) {
  if (c.svc >= slots_.size() || slots_[c.svc]->deleted) return false;
  Slot& s = *slots_[c.svc];
  uint32_t idx = table_.Find(key, c.hash);
  if (idx != ConnTable::kNone) {
    // An older entry of the same 5-tuple is still here: the packet uses it.
    if (table_.at(idx).dest_id != c.dest_id) return false;
    table_.Reuse(idx, now, c.flow_end - now);
    return true;
  }
  if (!synced) {
    int d = s.sched->Schedule(s.svc, key);
    if (d < 0 || d >= static_cast<int>(s.dest_ids.size()) || s.dest_ids[d] != c.dest_id)
      return false;
  } else if (!table_.dest(c.dest_id)) {
    return false;
  }
  table_.Insert(key, c.hash, c.svc, c.dest_id, now, c.flow_end - now);
  return true;
}

uint64_t Director::Drop(int svc, uint32_t dest_id, double now) {
  uint64_t broken = 0;
  table_.ForEach([&](uint32_t i) {
    const Conn& c = table_.at(i);
    if (c.svc != svc || (dest_id != kNoDest && c.dest_id != dest_id)) return;
    if (c.in_progress) ++broken;
    table_.Remove(i, now);
  });
  return broken;
}

bool Director::AddService(const Service& svc, std::string* err) {
  auto slot = std::make_unique<Slot>();
  slot->svc = svc;
  slot->svc.dests.clear();
  std::string name = opts_.sched_override.empty() ? svc.scheduler : opts_.sched_override;
  if (!Bind(*slot, name, err)) return false;
  slots_.push_back(std::move(slot));
  return true;
}

bool Director::EditService(Slot& s, const Service& edit, std::string* err) {
  std::string bound = s.svc.scheduler;
  ApplyServiceEdit(&s.svc, edit);
  s.svc.scheduler = bound;  // Bind() below sets it if it changes
  std::string name = opts_.sched_override.empty() ? edit.scheduler : opts_.sched_override;
  // As ip_vs_edit_service: only a different scheduler is rebound; a flags
  // change is not called back (schedulers read svc.flags).
  if (name != s.svc.scheduler) return Bind(s, name, err);
  return true;
}

uint64_t Director::DelService(int svc, double now) {
  Slot& s = *slots_[svc];
  uint64_t broken = Drop(svc, kNoDest, now);
  for (uint32_t id : s.dest_ids) table_.SetDest(id, nullptr);
  s.deleted = true;
  s.sched.reset();
  s.svc.dests.clear();
  s.dest_ids.clear();
  if (last_svc_ == svc) last_svc_ = -1;
  return broken;
}

bool Director::EditDest(int svc, const TimelineEvent& ev, uint64_t* broken, std::string* err) {
  using K = TimelineEvent::Kind;
  Slot& s = *slots_[svc];
  char cmd = ev.kind == K::kAddDest ? 'a' : ev.kind == K::kEditDest ? 'e' : 'd';
  int i = s.svc.Find(ev.dest.ep);
  uint32_t gone_id = i >= 0 ? s.dest_ids[i] : kNoDest;
  Dest gone = i >= 0 ? s.svc.dests[i] : Dest();
  if (!ApplyDestEdit(&s.svc, cmd, ev.dest, DestInsert::kHead, &i, err)) return false;
  if (cmd == 'a') {
    s.dest_ids.insert(s.dest_ids.begin() + i, ids_->Get(svc, ev.dest.ep));
    Repoint(s);
    CallUpdate(s, SchedEvent::kAddDest, &s.svc.dests[i]);
  } else if (cmd == 'e') {
    CallUpdate(s, SchedEvent::kUpdDest, &s.svc.dests[i]);
  } else {
    table_.SetDest(gone_id, nullptr);
    s.dest_ids.erase(s.dest_ids.begin() + i);
    Repoint(s);
    CallUpdate(s, SchedEvent::kDelDest, &gone);
    // expire_nodest_conn: entries of the dest are dropped; flows still in
    // progress break.
    *broken = Drop(svc, gone_id, ev.time);
  }
  return true;
}

bool Director::Apply(const TimelineEvent& ev, uint64_t* broken, std::string* err) {
  using K = TimelineEvent::Kind;
  *broken = 0;
  int svc = FindService(ev.svc.key);
  std::string e;
  bool ok = true;
  if (ev.kind == K::kAddService) {
    if (svc >= 0)
      e = fmt::format("service {} already exists", ev.svc.key.ToString());
    else
      ok = AddService(ev.svc, &e);
  } else if (svc < 0) {
    e = fmt::format("no service {}", ev.svc.key.ToString());
  } else if (ev.kind == K::kEditService) {
    ok = EditService(*slots_[svc], ev.svc, &e);
  } else if (ev.kind == K::kDelService) {
    *broken = DelService(svc, ev.time);
  } else if (ev.kind == K::kAddDest || ev.kind == K::kEditDest || ev.kind == K::kDelDest) {
    ok = EditDest(svc, ev, broken, &e);
  } else {
    e = "not a service event";
  }
  if (ok && e.empty()) return true;
  *err = fmt::format("{}: {}", ev.where.empty() ? "timeline" : ev.where, e);
  return false;
}

void Director::Crash(double now) {
  table_.Clear(now);
  up_ = false;
}

bool Director::Boot(std::string* err) {
  for (auto& slot : slots_) {
    if (slot->deleted) continue;
    if (!Bind(*slot, slot->svc.scheduler, err)) return false;
  }
  up_ = true;
  return true;
}

}  // namespace ipvs_sim
