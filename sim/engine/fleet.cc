// SPDX-License-Identifier: GPL-2.0
#include "fleet.h"

#include <fmt/core.h>

#include <algorithm>

namespace ipvs_sim {

Fleet::Fleet(const FleetOptions& opts, FleetObserver* observer) : opts_(opts), observer_(observer) {
  int n = std::max(1, opts_.directors);
  for (int i = 0; i < n; ++i) {
    directors_.push_back(std::make_unique<Director>(i, opts_.director, &ids_, observer_));
    live_.push_back(i);
  }
  if (opts_.ecmp_buckets == 0) opts_.ecmp_buckets = 1;
  buckets_.resize(opts_.ecmp_buckets);
  for (size_t b = 0; b < buckets_.size(); ++b) buckets_[b] = static_cast<int>(b % n);
}

bool Fleet::Load(const IpvsConfig& config, std::string* err) {
  for (auto& d : directors_)
    if (!d->Load(config, err)) return false;
  return true;
}

int Fleet::Pick(const FlowKey&, uint64_t hash) const {
  if (directors_.size() == 1) return live_.empty() ? -1 : 0;
  if (live_.empty()) return -1;
  uint64_t h32 = hash >> 32;
  if (opts_.ecmp == EcmpMode::kResilient) return buckets_[h32 % buckets_.size()];
  return live_[(h32 * live_.size()) >> 32];
}

void Fleet::Prefetch(const FlowKey& key, uint64_t h) const {
  int t = Pick(key, h);
  if (t >= 0) directors_[t]->table().Prefetch(h);
}

void Fleet::Advance(double now) {
  for (auto& d : directors_)
    if (d->up()) d->Advance(now);
}

FlowOutcome Fleet::Handle(const TraceFlow& flow, uint64_t hash) {
  if (directors_.size() == 1) {
    Director& d = *directors_[0];
    if (!d.up()) return FlowOutcome{.director = -1};
    d.Advance(flow.start);
    return d.Handle(flow, hash);
  }
  Advance(flow.start);
  int t = Pick(flow.key, hash);
  if (t < 0) return FlowOutcome{.director = -1};
  return directors_[t]->Handle(flow, hash);
}

void Fleet::Remap() {
  if (opts_.ecmp != EcmpMode::kResilient || live_.empty()) return;
  size_t n = directors_.size();
  std::vector<size_t> count(n, 0);
  std::vector<bool> up(n, false);
  for (int i : live_) up[i] = true;
  for (int o : buckets_)
    if (up[o]) ++count[o];
  auto fewest = [&]() {
    int best = live_[0];
    for (int i : live_)
      if (count[i] < count[best]) best = i;
    return best;
  };
  // Orphaned buckets go to the survivors with the fewest.
  for (int& o : buckets_) {
    if (up[o]) continue;
    o = fewest();
    ++count[o];
  }
  // Then buckets move from the fullest to the emptiest until balanced.
  for (;;) {
    int lo = fewest();
    int hi = live_[0];
    for (int i : live_)
      if (count[i] > count[hi]) hi = i;
    if (count[hi] <= count[lo] + 1) break;
    for (int& o : buckets_) {
      if (o == hi) {
        o = lo;
        --count[hi];
        ++count[lo];
        break;
      }
    }
  }
}

void Fleet::Migrate(double now, FleetEventOutcome* out) {
  for (auto& dp : directors_) {
    Director& s = *dp;
    if (!s.up()) continue;
    s.Advance(now);
    s.table().ForEach([&](uint32_t i) {
      const Conn& c = s.table().at(i);
      if (!c.in_progress) return;
      FlowKey key = s.table().key(i);
      int t = Pick(key, c.hash);
      if (t == s.index()) return;
      Conn copy = c;
      ++out->moved;
      s.table().Remove(i, now);
      if (t >= 0) {
        directors_[t]->Advance(now);
        if (directors_[t]->Adopt(copy, key, now, opts_.sync)) {
          ++out->survived;
          if (observer_) observer_->OnFlowMoved(now, copy);
          return;
        }
      }
      ++out->broken;
      if (out->broken_by_svc.size() <= copy.svc) out->broken_by_svc.resize(copy.svc + 1);
      ++out->broken_by_svc[copy.svc];
    });
  }
}

bool Fleet::Apply(const TimelineEvent& ev, FleetEventOutcome* out, std::string* err) {
  using K = TimelineEvent::Kind;
  *out = FleetEventOutcome();
  if (ev.kind == K::kDirectorDown || ev.kind == K::kDirectorUp) {
    if (ev.director < 0 || ev.director >= size()) {
      *err = fmt::format("{}: no director {} (the fleet has {}, numbered from 0)", ev.where,
                         ev.director, size());
      return false;
    }
    Director& d = *directors_[ev.director];
    auto it = std::find(live_.begin(), live_.end(), ev.director);
    if (ev.kind == K::kDirectorDown) {
      if (!d.up()) return true;
      live_.erase(it);
      Remap();
      Migrate(ev.time, out);  // d is still up: its flows move out first
      d.Crash(ev.time);
    } else {
      if (d.up()) return true;
      if (!d.Boot(err)) return false;
      live_.insert(std::upper_bound(live_.begin(), live_.end(), ev.director), ev.director);
      Remap();
      Migrate(ev.time, out);
    }
    return true;
  }
  Advance(ev.time);
  for (auto& d : directors_) {
    uint64_t broken = 0;
    if (!d->Apply(ev, &broken, err)) return false;
    if (d->up()) {
      out->broken += broken;
      out->templates_broken += d->templates_broken();
      out->kept += d->kept();
    }
  }
  return true;
}

std::vector<std::string> Fleet::TakeWarnings() {
  std::vector<std::string> all;
  for (auto& d : directors_) {
    for (auto& w : d->warnings()) all.push_back(std::move(w));
    d->warnings().clear();
  }
  return all;
}

}  // namespace ipvs_sim
