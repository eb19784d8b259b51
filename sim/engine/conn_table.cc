// SPDX-License-Identifier: GPL-2.0
#include "conn_table.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ipvs_sim {

namespace {

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t Mix(uint64_t a, uint64_t b) {
  __uint128_t m = static_cast<__uint128_t>(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

}  // namespace

// floor(t / kSlotWidth): kSlotWidth is a power of two, so the product by its
// inverse is exact, and the truncation is corrected for negative values.
inline int64_t ConnTable::SlotOf(double t) {
  double x = t * (1 / kSlotWidth);
  int64_t i = static_cast<int64_t>(x);
  return i - (static_cast<double>(i) > x);
}

uint64_t HashFlowKey(const FlowKey& k) {
  const uint8_t* c = k.client.addr.bytes.data();
  const uint8_t* v = k.vip.addr.bytes.data();
  uint64_t tail =
      (static_cast<uint64_t>(k.client.port) << 32) | (static_cast<uint64_t>(k.vip.port) << 16) |
      (static_cast<uint64_t>(k.proto) << 8) | (static_cast<uint64_t>(k.client.addr.family) << 4) |
      static_cast<uint64_t>(k.vip.addr.family);
  uint64_t h = Mix(Load64(c), Load64(c + 8));
  h = Mix(h ^ Load64(v), Load64(v + 8) ^ tail);
  return h;
}

ConnTable::ConnTable(const ConnTimeouts& timeouts) : timeouts_(timeouts) {
  slots_.assign(1024, Slot{0, kNone});
  mask_ = slots_.size() - 1;
  wheel_.resize(kWheelSlots);
}

void ConnTable::SetDest(uint32_t dest_id, Dest* d) {
  if (dest_id >= dests_.size()) dests_.resize(dest_id + 1, nullptr);
  dests_[dest_id] = d;
}

ConnTable::Packed ConnTable::Pack(const FlowKey& key) {
  const uint8_t* c = key.client.addr.bytes.data();
  const uint8_t* v = key.vip.addr.bytes.data();
  uint64_t proto = static_cast<uint64_t>(key.proto) << 32;
  bool v4 = key.client.addr.family == Family::kV4 && key.vip.addr.family == Family::kV4 &&
            (Load32(c + 4) | Load64(c + 8) | Load32(v + 4) | Load64(v + 8)) == 0;
  if (!v4) return Packed{0, proto | uint64_t{1} << 40};
  uint32_t ca, va;
  std::memcpy(&ca, c, 4);
  std::memcpy(&va, v, 4);
  return Packed{ca | static_cast<uint64_t>(va) << 32,
                key.client.port | static_cast<uint64_t>(key.vip.port) << 16 | proto};
}

bool ConnTable::Same(uint32_t idx, const FlowKey& key, const Packed& p) const {
  const Conn& c = pool_[idx];
  if (c.k0 != p.k0 || c.k1 != p.k1) return false;
  return !c.wide() || wide_[idx] == key;
}

FlowKey ConnTable::key(uint32_t idx) const {
  const Conn& c = pool_[idx];
  if (c.wide()) return wide_[idx];
  FlowKey k;
  k.proto = c.proto();
  uint32_t ca = static_cast<uint32_t>(c.k0), va = static_cast<uint32_t>(c.k0 >> 32);
  std::memcpy(k.client.addr.bytes.data(), &ca, 4);
  std::memcpy(k.vip.addr.bytes.data(), &va, 4);
  k.client.addr.family = k.vip.addr.family = Family::kV4;
  k.client.port = static_cast<uint16_t>(c.k1);
  k.vip.port = static_cast<uint16_t>(c.k1 >> 16);
  return k;
}

double ConnTable::Timeout(const Conn& c) const {
  switch (c.proto()) {
    case Proto::kTcp:
      return timeouts_.tcp_flows_close ? timeouts_.tcp_fin : timeouts_.tcp_established;
    case Proto::kUdp:
      return timeouts_.udp;
    case Proto::kSctp:
      return timeouts_.sctp;
  }
  return timeouts_.udp;
}

void ConnTable::Bind(Conn& c) {
  if (Dest* d = dest(c.dest_id)) CountConnIn(d, c.active);
}

void ConnTable::Unbind(Conn& c) {
  if (Dest* d = dest(c.dest_id)) CountConnOut(d, c.active);
}

inline void ConnTable::EndFlow(Conn& c, double now) {
  c.in_progress = false;
  if (c.active && timeouts_.tcp_flows_close) {
    Dest* d = dest(c.dest_id);
    if (d) {
      if (d->active_conns) --d->active_conns;
      ++d->inactive_conns;
    }
    c.active = false;
  }
  if (observer_) observer_->OnFlowEnd(now, c);
}

inline void ConnTable::PushTimer(uint32_t idx, const Conn& c) {
  Timer t{c.deadline, idx, c.gen};
  int64_t slot = SlotOf(t.time);
  if (slot <= cur_) {
    near_.push_back(t);
    std::push_heap(near_.begin(), near_.end(), Later());
  } else {
    wheel_[static_cast<uint64_t>(slot) & (kWheelSlots - 1)].push_back(t);
    ++pending_;
  }
}

inline void ConnTable::Fire(const Timer& t) {
  Conn& c = pool_[t.idx];
  if (!c.live || c.gen != t.gen || t.time > c.deadline) return;  // stale
  if (t.time < c.deadline) {                                     // extended by a reuse
    PushTimer(t.idx, c);
    return;
  }
  if (c.in_progress) {
    EndFlow(c, c.flow_end);
    c.deadline = c.flow_end + Timeout(c);
    PushTimer(t.idx, c);
  } else {
    Unbind(c);
    Free(t.idx);
  }
}

// Makes the next non-empty slot up to @target current. False if none.
bool ConnTable::NextSlot(int64_t target) {
  while (cur_ < target) {
    if (pending_ == 0) {
      cur_ = target;
      return false;
    }
    if (cur_ == INT64_MIN || target - cur_ > static_cast<int64_t>(kWheelSlots)) {
      // First call or a long gap: jump to the earliest pending timer.
      int64_t earliest = target;
      for (const auto& v : wheel_)
        for (const Timer& t : v) earliest = std::min(earliest, SlotOf(t.time));
      cur_ = earliest;
    } else {
      ++cur_;
    }
    std::vector<Timer>& v = wheel_[static_cast<uint64_t>(cur_) & (kWheelSlots - 1)];
    if (v.empty()) continue;
    spill_.clear();
    for (const Timer& t : v) {
      if (SlotOf(t.time) <= cur_)
        near_.push_back(t);
      else
        spill_.push_back(t);  // a later lap of the wheel
    }
    pending_ -= v.size() - spill_.size();
    // Leave the slot with only its later-lap timers and free the rest of
    // its buffer: buffers kept (or swapped) from slot to slot would end up
    // giving every one of the wheel's slots its peak capacity, memory then
    // growing with the length of the replay instead of the live
    // connections.
    if (spill_.empty()) {
      std::vector<Timer>().swap(v);
    } else {
      v.assign(spill_.begin(), spill_.end());
      v.shrink_to_fit();
      spill_.clear();
    }
    if (!near_.empty()) {
      std::make_heap(near_.begin(), near_.end(), Later());
      return true;
    }
  }
  return false;
}

size_t ConnTable::timer_capacity() const {
  size_t n = near_.capacity() + spill_.capacity();
  for (const auto& v : wheel_) n += v.capacity();
  return n;
}

void ConnTable::Advance(double now) {
  int64_t target = SlotOf(now);
  for (;;) {
    while (!near_.empty() && near_.front().time <= now) {
      Timer t = HeapPopTop(near_, Later());
      // The next timers are at the top of the heap: start loading their
      // entries while this one fires.
      for (size_t k = 0; k < 3 && k < near_.size(); ++k) __builtin_prefetch(&pool_[near_[k].idx]);
      Fire(t);
    }
    if (!near_.empty()) return;  // the rest of the current slot is later
    if (!NextSlot(target)) return;
  }
}

uint32_t ConnTable::Find(const FlowKey& key, uint64_t hash) const {
  uint32_t lo = static_cast<uint32_t>(hash);
  Packed p{0, 0};
  bool packed = false;
  for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.idx == kNone) return kNone;
    if (s.hash_lo != lo) continue;
    if (!packed) {
      p = Pack(key);
      packed = true;
    }
    if (Same(s.idx, key, p)) return s.idx;
  }
}

void ConnTable::Link(uint32_t idx) {
  uint64_t h = pool_[idx].hash;
  uint64_t i = h & mask_;
  while (slots_[i].idx != kNone) i = (i + 1) & mask_;
  slots_[i] = Slot{static_cast<uint32_t>(h), idx};
}

void ConnTable::Unlink(uint32_t idx) {
  uint64_t i = pool_[idx].hash & mask_;
  while (slots_[i].idx != idx) i = (i + 1) & mask_;
  // Backward-shift deletion: pull up later members of the probe run whose
  // home is not between the hole and themselves.
  for (uint64_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
    if (slots_[j].idx == kNone) break;
    uint64_t home = slots_[j].hash_lo & mask_;
    bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{0, kNone};
}

// Rehashes from the old index in slot order, which needs only hash_lo: an
// entry of old home h lands near h or h + old size, so both tables are
// walked almost sequentially and the pool is not touched.
void ConnTable::Grow() {
  std::vector<Slot, BigAllocator<Slot>> old(slots_.size() * 2, Slot{0, kNone});
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& o : old) {
    if (o.idx == kNone) continue;
    uint64_t i = o.hash_lo & mask_;
    while (slots_[i].idx != kNone) i = (i + 1) & mask_;
    slots_[i] = o;
  }
}

uint32_t ConnTable::Insert(const FlowKey& key, uint64_t hash, uint16_t svc, uint32_t dest_id,
                           double start, double duration) {
  uint32_t idx;
  if (free_ != kNone) {
    idx = free_;
    free_ = pool_[idx].next;
  } else {
    idx = static_cast<uint32_t>(pool_.size());
    pool_.emplace_back();
  }
  Conn& c = pool_[idx];
  Packed p = Pack(key);
  c.k0 = p.k0;
  c.k1 = p.k1;
  if (c.wide()) {
    if (wide_.size() <= idx) wide_.resize(pool_.size());
    wide_[idx] = key;
  }
  c.hash = hash;
  c.flow_end = start + std::max(0.0, duration);
  c.deadline = c.flow_end;
  c.dest_id = dest_id;
  c.svc = svc;
  c.in_progress = true;
  c.active = key.proto == Proto::kTcp;
  c.live = true;
  Bind(c);
  ++live_;
  if (live_ * 2 > slots_.size()) Grow();
  Link(idx);
  PushTimer(idx, c);
  pool_.PrefetchForWrite(free_ != kNone ? free_ : pool_.size());  // the next Insert's entry
  return idx;
}

bool ConnTable::Reuse(uint32_t idx, double now, double duration) {
  Conn& c = pool_[idx];
  double end = now + std::max(0.0, duration);
  bool was_ended = !c.in_progress;
  c.flow_end = std::max(was_ended ? now : c.flow_end, end);
  if (was_ended) {
    c.in_progress = true;
    c.deadline = c.flow_end;  // earlier than the pending expiry
    PushTimer(idx, c);
  } else {
    c.deadline = c.flow_end;  // the pending timer re-pushes itself
  }
  return was_ended;
}

bool ConnTable::Closed(uint32_t idx) const {
  const Conn& c = pool_[idx];
  if (c.in_progress) return false;
  if (c.proto() == Proto::kTcp) return timeouts_.tcp_flows_close;
  return c.proto() == Proto::kSctp;
}

double ConnTable::IdleTimeout(Proto proto) const {
  switch (proto) {
    case Proto::kTcp:
      return timeouts_.tcp_established;
    case Proto::kUdp:
      return timeouts_.udp;
    case Proto::kSctp:
      return timeouts_.sctp;
  }
  return timeouts_.udp;
}

void ConnTable::Orphan(uint32_t idx, double now) {
  Conn& c = pool_[idx];
  if (!c.in_progress) return;
  c.in_progress = false;
  c.flow_end = now;
  if (observer_) observer_->OnFlowEnd(now, c);
  c.deadline = now + IdleTimeout(c.proto());
  // The pending timer (at the old flow end) re-arms itself if it is
  // earlier, and is dropped as stale if later: push one for the new time.
  PushTimer(idx, c);
}

void ConnTable::Remove(uint32_t idx, double now) {
  Conn& c = pool_[idx];
  if (c.in_progress) {
    c.in_progress = false;
    c.flow_end = now;
    if (observer_) observer_->OnFlowEnd(now, c);
  }
  Unbind(c);
  Free(idx);
}

void ConnTable::Free(uint32_t idx) {
  Unlink(idx);
  Conn& c = pool_[idx];
  if (c.tmpl != TemplateTable::kNone) {
    if (templates_) templates_->Release(c.tmpl);
    c.tmpl = TemplateTable::kNone;
  }
  c.live = false;
  ++c.gen;
  c.next = free_;
  free_ = idx;
  --live_;
}

void ConnTable::Clear(double now) {
  ForEach([&](uint32_t i) { Remove(i, now); });
  near_.clear();
  for (auto& v : wheel_) v.clear();
  pending_ = 0;
}

}  // namespace ipvs_sim
