// SPDX-License-Identifier: GPL-2.0
#include "director.h"

#include <fmt/core.h>

#include <cstring>

namespace ipvs_sim {

Director::Director(int index, const DirectorOptions& opts, DestIds* ids, ConnObserver* observer)
    : index_(index), opts_(opts), ids_(ids), table_(opts.timeouts) {
  table_.set_observer(observer);
  table_.set_templates(&templates_);
}

void Director::Advance(double now) {
  // Templates wait for the entries they control: run the entries' timers
  // up to each template timer before it fires.
  auto uncount = [this](uint32_t dest_id) {
    Dest* d = table_.dest(dest_id);
    if (d && d->persist_conns) --d->persist_conns;
  };
  double t;
  while (templates_.NextTime(&t) && t <= now) {
    table_.Advance(t);
    templates_.Advance(t, uncount);
  }
  table_.Advance(now);
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
  if (s.sched && !s.sched->Update(s.svc, ev, d, &e) && !e.empty())
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
    port_zero_ |= svc.key.fwmark == 0 && svc.key.vip.port == 0;
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

int Director::ServiceOf(const FlowKey& key, uint32_t mark) {
  if (mark) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = *slots_[i];
      if (!s.deleted && s.svc.key.fwmark == mark && s.svc.key.fwmark_family == key.vip.addr.family)
        return static_cast<int>(i);
    }
  }
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
  if (!port_zero_) return -1;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = *slots_[i];
    if (!s.deleted && s.svc.key.fwmark == 0 && s.svc.key.proto == key.proto &&
        s.svc.key.vip.port == 0 && s.svc.key.vip.addr == key.vip.addr)
      return static_cast<int>(i);
  }
  return -1;
}

uint32_t Director::Pick(int svc, const FlowKey& key, double now, uint32_t* tmpl, bool* persisted) {
  Slot& s = *slots_[svc];
  *tmpl = TemplateTable::kNone;
  *persisted = false;
  TemplateKey tk;
  if (s.svc.persistence) {
    tk = MakeTemplateKey(s.svc, key);
    uint32_t t = templates_.Find(tk);
    if (t != TemplateTable::kNone) {
      uint32_t id = templates_.dest_id(t);
      const Dest* d = table_.dest(id);
      // ip_vs_check_template: the dest must be in its service and, under
      // expire_quiescent_template, not at weight 0.
      if (d && !(opts_.sysctls.expire_quiescent_template && d->weight == 0)) {
        *tmpl = t;
        *persisted = true;
        return id;
      }
      templates_.Unhash(t);
    }
  } else if (s.svc.key.fwmark == 0 && key.vip.port != s.svc.key.vip.port) {
    return kNoDest;  // port zero only supported in persistent services
  }
  int d = s.sched->Schedule(s.svc, key);
  if (d < 0 || d >= static_cast<int>(s.svc.dests.size())) return kNoDest;
  uint32_t id = s.dest_ids[d];
  if (s.svc.persistence) {
    *tmpl = templates_.Create(tk, static_cast<uint16_t>(svc), id, now, s.svc.persistence);
    ++s.svc.dests[d].persist_conns;
  }
  return id;
}

uint32_t Director::Enter(const FlowKey& key, uint64_t hash, int svc, uint32_t dest_id,
                         uint32_t tmpl, double start, double duration) {
  uint32_t idx = table_.Insert(key, hash, static_cast<uint16_t>(svc), dest_id, start, duration);
  if (tmpl != TemplateTable::kNone) {
    table_.set_control(idx, tmpl);
    templates_.Control(tmpl, start);
  }
  return idx;
}

const Dest* Director::DestInfo(uint32_t dest_id) const {
  if (const Dest* d = table_.dest(dest_id)) return d;
  auto it = gone_.find(dest_id);
  return it == gone_.end() ? nullptr : &it->second;
}

bool Director::ReuseExpected(uint32_t idx, const Dest* info) const {
  const Conn& c = table_.at(idx);
  int mode = opts_.sysctls.conn_reuse_mode;
  // is_new_conn_expected: never for a controlled (persistent) entry.
  if (mode == 0 || c.tmpl != TemplateTable::kNone || !table_.Closed(idx)) return false;
  if (c.proto() != Proto::kTcp) return true;  // SCTP CLOSED
  // Under DR and tunnelling the director sees only the client's half and
  // the entry ends in FIN_WAIT (checked with bit 2); under NAT in TIME_WAIT.
  bool no_output = info && (info->forward == 'g' || info->forward == 'i');
  return !no_output || (mode & 2);
}

FlowOutcome Director::Handle(const TraceFlow& flow, uint64_t h) {
  FlowOutcome out;
  out.director = index_;
  uint32_t mark = opts_.marks ? opts_.marks->MarkOf(flow.key) : 0;
  int svc = ServiceOf(flow.key, mark);
  if (svc < 0) return out;
  out.svc = svc;
  uint32_t idx = table_.Find(flow.key, h);
  if (idx != ConnTable::kNone) {
    uint32_t id = table_.at(idx).dest_id;
    const Dest* info = DestInfo(id);
    // is_new_conn: a SYN or an INIT; a UDP datagram is not.
    bool is_new = flow.key.proto != Proto::kUdp;
    bool resched = is_new && ((opts_.sysctls.expire_nodest_conn && info && info->weight == 0) ||
                              ReuseExpected(idx, info));
    if (!resched && !table_.dest(id)) {
      // The server is not available: drop (the entry stays, its timer
      // is not restarted) or, under expire_nodest_conn, expire it.
      if (!opts_.sysctls.expire_nodest_conn) {
        out.dropped = true;
        out.stale_dest = id;
        return out;
      }
      resched = true;
    }
    if (resched) {
      table_.Remove(idx, flow.start);
    } else {
      out.reused = true;
      out.started = table_.Reuse(idx, flow.start, flow.duration);
      out.dest_id = id;
      return out;
    }
  }
  uint32_t tmpl;
  uint32_t id = Pick(svc, flow.key, flow.start, &tmpl, &out.persisted);
  out.persistent = slots_[svc]->svc.persistence != 0;
  if (id == kNoDest) return out;
  out.dest_id = id;
  out.started = true;
  Enter(flow.key, h, svc, id, tmpl, flow.start, flow.duration);
  if (!out.persisted) {
    out.scheduled = true;
    out.bounded = slots_[svc]->sched->last_bounded();
    out.load = PlacedLoad(*slots_[svc], id);
  }
  return out;
}

float Director::PlacedLoad(const Slot& s, uint32_t dest_id) const {
  uint64_t entries = 0, weight = 0, n = 0;
  const Dest* placed = nullptr;
  for (size_t i = 0; i < s.svc.dests.size(); ++i) {
    const Dest& d = s.svc.dests[i];
    if (s.dest_ids[i] == dest_id) placed = &d;
    if (d.weight <= 0) continue;
    entries += static_cast<uint64_t>(d.active_conns) + d.inactive_conns;
    weight += static_cast<uint64_t>(d.weight);
    ++n;
  }
  if (!placed || placed->weight <= 0 || entries < kLoadMinEntriesPerDest * n) return 0;
  double mine = static_cast<double>(placed->active_conns) + placed->inactive_conns;
  return static_cast<float>(mine * static_cast<double>(weight) /
                            (static_cast<double>(placed->weight) * static_cast<double>(entries)));
}

bool Director::Adopt(const Conn& c, const FlowKey& key, double now, bool synced) {
  if (c.svc >= slots_.size() || slots_[c.svc]->deleted) return false;
  Slot& s = *slots_[c.svc];
  uint32_t idx = table_.Find(key, c.hash);
  if (idx != ConnTable::kNone) {
    // An older entry of the same 5-tuple is still here: the packet uses it.
    if (table_.at(idx).dest_id != c.dest_id || !table_.dest(c.dest_id)) return false;
    table_.Reuse(idx, now, c.flow_end - now);
    return true;
  }
  uint32_t tmpl = TemplateTable::kNone;
  if (!synced) {
    // tcp_conn_schedule / sctp_conn_schedule: a mid-flow packet creates
    // an entry only when sloppy.
    if ((key.proto == Proto::kTcp && !opts_.sysctls.sloppy_tcp) ||
        (key.proto == Proto::kSctp && !opts_.sysctls.sloppy_sctp))
      return false;
    bool persisted;
    if (Pick(c.svc, key, now, &tmpl, &persisted) != c.dest_id) return false;
  } else {
    if (!table_.dest(c.dest_id)) return false;
    if (s.svc.persistence) {
      // The sync carries the template too.
      TemplateKey tk = MakeTemplateKey(s.svc, key);
      tmpl = templates_.Find(tk);
      if (tmpl == TemplateTable::kNone) {
        tmpl = templates_.Create(tk, c.svc, c.dest_id, now, s.svc.persistence);
        ++table_.dest(c.dest_id)->persist_conns;
      }
    }
  }
  Enter(key, c.hash, c.svc, c.dest_id, tmpl, now, c.flow_end - now);
  return true;
}

uint64_t Director::CountTemplates(uint32_t dest_id) const {
  uint64_t n = 0;
  templates_.ForEachHashed([&](uint32_t t) { n += templates_.dest_id(t) == dest_id; });
  return n;
}

uint64_t Director::OrphanDest(int svc, uint32_t dest_id, double now) {
  uint64_t broken = 0;
  std::vector<std::pair<FlowKey, Conn>> again;  // UDP flows scheduled afresh
  table_.ForEach([&](uint32_t i) {
    const Conn& c = table_.at(i);
    if (c.svc != svc || c.dest_id != dest_id) return;
    if (!c.in_progress) return;  // closed: keeps its timer
    ++broken;
    if (!opts_.sysctls.expire_nodest_conn) {
      table_.Orphan(i, now);
      return;
    }
    // The next packet expires the entry; a UDP one is scheduled afresh.
    if (c.proto() == Proto::kUdp) again.emplace_back(table_.key(i), c);
    table_.Remove(i, now);
  });
  for (const auto& [key, c] : again) {
    uint32_t tmpl;
    bool persisted;
    uint32_t id = Pick(svc, key, now, &tmpl, &persisted);
    if (id != kNoDest) Enter(key, c.hash, svc, id, tmpl, now, c.flow_end - now);
  }
  return broken;
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
  port_zero_ |= svc.key.fwmark == 0 && svc.key.vip.port == 0;
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
    uint32_t id = ids_->Get(svc, ev.dest.ep);
    gone_.erase(id);
    s.dest_ids.insert(s.dest_ids.begin() + i, id);
    Repoint(s);
    CallUpdate(s, SchedEvent::kAddDest, &s.svc.dests[i]);
  } else if (cmd == 'e') {
    uint32_t id = s.dest_ids[i];
    if (ev.dest.weight == 0 && gone.weight != 0) {
      if (opts_.sysctls.expire_quiescent_template) templates_broken_ = CountTemplates(id);
      table_.ForEach(
          [&](uint32_t c) { kept_ += table_.at(c).dest_id == id && table_.at(c).in_progress; });
    }
    CallUpdate(s, SchedEvent::kUpdDest, &s.svc.dests[i]);
  } else {
    templates_broken_ = CountTemplates(gone_id);
    table_.SetDest(gone_id, nullptr);
    gone_[gone_id] = gone;
    s.dest_ids.erase(s.dest_ids.begin() + i);
    Repoint(s);
    CallUpdate(s, SchedEvent::kDelDest, &gone);
    *broken = OrphanDest(svc, gone_id, ev.time);
  }
  return true;
}

bool Director::Apply(const TimelineEvent& ev, uint64_t* broken, std::string* err) {
  using K = TimelineEvent::Kind;
  *broken = 0;
  templates_broken_ = 0;
  kept_ = 0;
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
  templates_.Clear();
  gone_.clear();
  up_ = false;
}

bool Director::Boot(std::string* err) {
  // A director that boots loads its module afresh and builds its tables
  // from the rules: a served table (--export) described it before.
  opts_.sched.wmh_served.reset();
  for (auto& slot : slots_) {
    if (slot->deleted) continue;
    if (!Bind(*slot, slot->svc.scheduler, err)) return false;
  }
  up_ = true;
  return true;
}

}  // namespace ipvs_sim
