// SPDX-License-Identifier: GPL-2.0
// Persistence templates of one director, as ip_vs_sched_persist keeps them.
//
// A persistent service (-p) schedules a client only when it has no valid
// template; the template then pins every later connection of the client
// (its address masked by -M) to the same dest. The key is
//   <protocol, client & netmask, VIP, vport>
// with vport 0 for a port-zero service and for FTP (21), and for a fwmark
// service <IPPROTO_IP, client & netmask, the mark, 0>, so one template
// covers every port of the mark.
//
// Lifetime (ip_vs_conn_put / ip_vs_conn_expire): every connection the
// template controls restarts its timer at now + timeout, where timeout is
// -p at first. When the timer fires while connections it controls are
// still in the table, the template waits again, now for 60 s, and from then
// on its timeout is 60 s. It is freed when the timer fires with nothing
// left to control.
//
// Validity (ip_vs_check_template): a template whose dest is gone from its
// service, or has weight 0 while expire_quiescent_template is set, is
// invalid; the lookup that finds it unhashes it for good (the client is
// scheduled afresh and gets a new template) while it stays allocated until
// its timer, holding the connections it controls.
//
// Memory: one entry per template, in a pool with a free list, an index
// hash map and a lazy min-heap of expiry times (one heap entry per live
// template). Thread safety: none; a director's replay thread owns it.
#ifndef IPVS_SCHED_SIM_PERSISTENCE_H_
#define IPVS_SCHED_SIM_PERSISTENCE_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "net.h"
#include "service.h"

namespace ipvs_sim {

// What identifies a template. proto is 0 (IPPROTO_IP) for fwmark services,
// whose vaddr holds the mark as an IPv4 address.
struct TemplateKey {
  uint8_t proto = 0;
  Family family = Family::kV4;
  std::array<uint8_t, 16> client{};
  std::array<uint8_t, 16> vaddr{};
  uint16_t vport = 0;

  bool operator==(const TemplateKey&) const = default;
};

struct TemplateKeyHash {
  size_t operator()(const TemplateKey& k) const;
};

// The template key of a new connection @key to persistent service @svc.
TemplateKey MakeTemplateKey(const Service& svc, const FlowKey& key);

class TemplateTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr double kExpireLater = 60;  // ip_vs_conn_expire's 60*HZ

  // The hashed (findable) template of @key, or kNone.
  uint32_t Find(const TemplateKey& key) const;
  // A new template of service @svc pinning to @dest_id, its timer at
  // now + @timeout. REQUIRES: Find(key) == kNone.
  uint32_t Create(const TemplateKey& key, uint16_t svc, uint32_t dest_id, double now,
                  double timeout);
  // A connection it controls was created at @now: one more controlled
  // connection, timer restarted.
  void Control(uint32_t idx, double now);
  // A controlled connection left the table.
  void Release(uint32_t idx);
  // ip_vs_check_template failed: never found again.
  void Unhash(uint32_t idx);

  // Fires timers due at or before @now. @on_free(dest_id) is called for
  // each template freed (to uncount it from its dest).
  template <typename F>
  void Advance(double now, F on_free);

  // The time of the earliest pending timer; false if none.
  bool NextTime(double* t) const {
    if (heap_.empty()) return false;
    *t = heap_.front().time;
    return true;
  }

  uint32_t dest_id(uint32_t idx) const { return pool_[idx].dest_id; }
  uint16_t svc(uint32_t idx) const { return pool_[idx].svc; }
  bool hashed(uint32_t idx) const { return pool_[idx].hashed; }
  size_t size() const { return live_; }
  // Calls fn(idx) for every hashed template.
  template <typename F>
  void ForEachHashed(F fn) const {
    for (uint32_t i = 0; i < pool_.size(); ++i)
      if (pool_[i].live && pool_[i].hashed) fn(i);
  }
  // Forgets every template (director reboot).
  void Clear();

 private:
  struct Entry {
    TemplateKey key;
    double expires = 0;
    double timeout = 0;
    uint32_t n_control = 0;
    uint32_t dest_id = 0;
    uint32_t gen = 0;
    uint32_t next = kNone;
    uint16_t svc = 0;
    bool live = false;
    bool hashed = false;
  };
  struct Timer {
    double time;
    uint32_t idx;
    uint32_t gen;
  };
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const { return a.time > b.time; }
  };
  void Push(uint32_t idx);
  void Free(uint32_t idx);

  std::vector<Entry> pool_;
  std::unordered_map<TemplateKey, uint32_t, TemplateKeyHash> index_;
  std::vector<Timer> heap_;
  uint32_t free_ = kNone;
  size_t live_ = 0;
};

template <typename F>
void TemplateTable::Advance(double now, F on_free) {
  while (!heap_.empty() && heap_.front().time <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    Timer t = heap_.back();
    heap_.pop_back();
    Entry& e = pool_[t.idx];
    if (!e.live || e.gen != t.gen) continue;
    if (e.expires > t.time) {  // restarted since: wait for the new time
      Push(t.idx);
      continue;
    }
    if (e.n_control > 0) {  // expire_later
      e.timeout = kExpireLater;
      e.expires = t.time + kExpireLater;
      Push(t.idx);
      continue;
    }
    on_free(e.dest_id);
    Free(t.idx);
  }
}

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_PERSISTENCE_H_
