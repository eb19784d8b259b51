// SPDX-License-Identifier: GPL-2.0
// The connection table of one director, modelled on IPVS's ip_vs_conn table:
// a flow sticks to the dest it was scheduled to until it ends plus the
// protocol's timeout, and every dest counts its active and inactive entries,
// which lc, wlc, sed, nq, ovf and friends read.
//
// Life of an entry (TCP):  in progress (ESTABLISHED, counted active)
//                       -> flow end: closed (FIN/TIME_WAIT, counted inactive)
//                       -> end + tcp_fin: expired, unbound, freed.
// With tcp_flows_close off (traces whose flows were cut rather than closed)
// a TCP entry stays active until end + tcp_established instead.
// UDP and SCTP entries count as inactive all along (IPVS counts only TCP
// ESTABLISHED as active) and expire at end + udp / sctp.
//
// Overload follows ip_vs_bind_dest / ip_vs_unbind_dest (CountConnIn/Out in
// service.h): set when the entries reach u_threshold, cleared when they
// fall below the lower threshold (-y, or u - u/4).
//
// Memory: entries live in a pool with a free list, indexed by an open-
// addressing hash table (linear probing, backward-shift deletion, load at
// most 1/2). State changes are timers on a timing wheel of kWheelSlots slots
// of kSlotWidth seconds; the slot being served is a small binary heap, so
// timers fire in exact time order. Stale timers (entry freed or extended)
// are dropped or re-armed lazily when they come up. Nothing stays allocated
// per flow after it expires and the hot path does no heap allocation once
// the vectors have grown.
//
// Thread safety: none; one replay thread owns a table.
#ifndef IPVS_SCHED_SIM_CONN_TABLE_H_
#define IPVS_SCHED_SIM_CONN_TABLE_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "net.h"
#include "persistence.h"
#include "service.h"

namespace ipvs_sim {

// Timeouts in seconds (ipvsadm --set tcp tcpfin udp; sysctl for sctp).
struct ConnTimeouts {
  double tcp_established = 900;
  double tcp_fin = 120;
  double udp = 300;
  double sctp = 300;
  // Flows of the trace end with a FIN (true) or just stop (false).
  bool tcp_flows_close = true;
};

// A fast, well-mixed hash of a flow key (not the scheduler's hash).
uint64_t HashFlowKey(const FlowKey& key);

// An allocator for the table's big arrays: from 2 MiB up, memory is
// 2 MiB-aligned and advised for transparent huge pages, which saves most
// page faults and TLB misses of the random accesses into them.
template <typename T>
struct BigAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;

  BigAllocator() = default;
  template <typename U>
  BigAllocator(const BigAllocator<U>&) {}

  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return std::allocator<T>().allocate(n);
    size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHuge)
      std::allocator<T>().deallocate(p, n);
    else
      std::free(p);
  }
  template <typename U>
  bool operator==(const BigAllocator<U>&) const {
    return true;
  }
};

// One entry, one cache line. The flow key is packed when both addresses
// are IPv4 (k0: client and vip address bytes, k1: ports, protocol); any
// other key lives in the table's side array (wide, see ConnTable::key()).
struct alignas(64) Conn {
  uint64_t hash = 0;
  double flow_end = 0;  // when the flow's last packet passes
  double deadline = 0;  // next state change: flow_end, then expiry
  uint64_t k0 = 0;
  uint64_t k1 = 0;  // client port | vip port << 16 | proto << 32 | wide << 40
  uint32_t dest_id = 0;
  uint32_t gen = 0;   // bumped when the slot is freed
  uint32_t next = 0;  // free list
  uint16_t svc = 0;   // service index in the director
  bool in_progress = false;
  bool active = false;  // counted in Dest.active_conns (else inactive)
  bool live = false;
  uint32_t tmpl = UINT32_MAX;  // the persistence template controlling it

  Proto proto() const { return static_cast<Proto>((k1 >> 32) & 0xff); }
  bool wide() const { return (k1 >> 40) & 1; }
};
static_assert(sizeof(Conn) == 64);

// std::pop_heap(h.begin(), h.end(), later) then h.pop_back(), returning the
// popped top: the same moves as libstdc++'s __pop_heap/__adjust_heap/
// __push_heap, so the heap ends up identical element for element (ties
// included), but the child is chosen without a branch and the
// grandchildren are prefetched. REQUIRES: !h.empty().
template <typename T, typename Later>
T HeapPopTop(std::vector<T>& h, Later later) {
  T top = h.front();
  T value = h.back();
  h.pop_back();
  ptrdiff_t len = static_cast<ptrdiff_t>(h.size());
  if (len == 0) return top;
  T* first = h.data();
  ptrdiff_t hole = 0;
  ptrdiff_t child = 0;
  while (child < (len - 1) / 2) {
    child = 2 * (child + 1);
    if (2 * child + 1 < len) __builtin_prefetch(first + 2 * child + 1);  // no pointer past the end
    child -= later(first[child], first[child - 1]) ? 1 : 0;
    first[hole] = first[child];
    hole = child;
  }
  if ((len & 1) == 0 && child == (len - 2) / 2) {
    child = 2 * (child + 1);
    first[hole] = first[child - 1];
    hole = child - 1;
  }
  ptrdiff_t parent = (hole - 1) / 2;
  while (hole > 0 && later(first[parent], value)) {
    first[hole] = first[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  first[hole] = value;
  return top;
}

// The entries, in 2 MiB chunks (huge pages) that never move: growing
// copies nothing and touches every page once.
class ConnPool {
 public:
  static constexpr uint32_t kChunkBits = 15;  // 32768 entries, 2 MiB
  static constexpr uint32_t kChunk = uint32_t{1} << kChunkBits;

  ConnPool() = default;
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;
  ~ConnPool() {
    for (Conn* c : chunks_) BigAllocator<Conn>().deallocate(c, kChunk);
  }

  Conn& operator[](uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const Conn& operator[](uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  uint32_t size() const { return size_; }
  // Starts loading entry @i for writing, if its chunk exists.
  void PrefetchForWrite(uint32_t i) const {
    if ((i >> kChunkBits) < chunks_.size()) __builtin_prefetch(&(*this)[i], 1);
  }
  // Appends a default entry.
  void emplace_back() {
    if ((size_ >> kChunkBits) == chunks_.size())
      chunks_.push_back(BigAllocator<Conn>().allocate(kChunk));
    new (&(*this)[size_]) Conn();
    ++size_;
  }

 private:
  std::vector<Conn*> chunks_;
  uint32_t size_ = 0;
};

// Told about flow starts/ends so that metrics can follow concurrency.
class ConnObserver {
 public:
  virtual ~ConnObserver() = default;
  // The flow of @c stopped at @now (its end, or a removal while in progress).
  virtual void OnFlowEnd(double now, const Conn& c) = 0;
};

class ConnTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit ConnTable(const ConnTimeouts& timeouts);
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Where entries bound to @dest_id count their connections. nullptr when
  // the dest is gone; the pointer must stay valid until the next call for
  // the same id (the director re-points after every change of svc.dests).
  void SetDest(uint32_t dest_id, Dest* dest);
  Dest* dest(uint32_t dest_id) const { return dest_id < dests_.size() ? dests_[dest_id] : nullptr; }

  void set_observer(ConnObserver* o) { observer_ = o; }
  // Templates that entries may be controlled by: an entry freed releases
  // its template (ip_vs_control_del).
  void set_templates(TemplateTable* t) { templates_ = t; }
  // Entry @idx is controlled by template @tmpl.
  void set_control(uint32_t idx, uint32_t tmpl) { pool_[idx].tmpl = tmpl; }

  // Runs every state change due at or before @now (flow ends, expiries).
  // REQUIRES: @now is not before the previous call.
  void Advance(double now);

  // Starts loading the index slot where Find(key, hash) will look first.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }

  // The live entry of @key or kNone. @hash is HashFlowKey(key).
  uint32_t Find(const FlowKey& key, uint64_t hash) const;

  // Adds an entry bound to @dest_id for a flow [start, start+duration) and
  // counts it. REQUIRES: no live entry for key.
  uint32_t Insert(const FlowKey& key, uint64_t hash, uint16_t svc, uint32_t dest_id, double start,
                  double duration);

  // A new flow with the 5-tuple of live entry @idx arrives at @now and runs
  // for @duration: the entry is kept (same dest), extended, and is in
  // progress again. Returns true if it was not in progress before.
  bool Reuse(uint32_t idx, double now, double duration);

  // Drops entry @idx now (no dest, director failover, rescheduling of a
  // closed TCP entry); unbinds it and tells the observer if it was in
  // progress.
  void Remove(uint32_t idx, double now);

  // True for a TCP entry whose flow has closed (TIME_WAIT, or FIN_WAIT
  // where the director sees only the client's half) or an SCTP entry whose
  // flow has ended (CLOSED): conn_reuse_mode decides whether a new
  // connection on its 5-tuple is scheduled afresh.
  bool Closed(uint32_t idx) const;

  // The dest of entry @idx left its service at @now: the entry stays (the
  // kernel drops packets on it and does not restart its timer) and expires
  // @timeout after the last packet it passed, which for a flow in progress
  // is now (the flow stops: the observer is told). A closed entry keeps its
  // timer.
  void Orphan(uint32_t idx, double now);
  // Timeout of an established (or UDP/SCTP) entry of @proto.
  double IdleTimeout(Proto proto) const;

  const Conn& at(uint32_t idx) const { return pool_[idx]; }
  // The flow key of entry @idx.
  FlowKey key(uint32_t idx) const;
  size_t size() const { return live_; }
  // Timers the wheel has room for, spare capacity included: memory that
  // must follow the live connections, not the length of the replay.
  size_t timer_capacity() const;

  // Calls fn(idx) for every live entry. fn may Remove(idx) the entry it is
  // given but must not insert.
  template <typename F>
  void ForEach(F fn) {
    for (uint32_t i = 0; i < pool_.size(); ++i)
      if (pool_[i].live) fn(i);
  }

  // Removes every entry (director reboot); observer told for in-progress ones.
  void Clear(double now);

 private:
  struct Timer {
    double time;
    uint32_t idx;
    uint32_t gen;
  };
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const { return a.time > b.time; }
  };
  struct Slot {
    uint32_t hash_lo;  // low 32 bits of the key's hash
    uint32_t idx;      // pool index, kNone when empty
  };
  static constexpr double kSlotWidth = 0.25;    // a power of two (SlotOf)
  static constexpr size_t kWheelSlots = 16384;  // 4096 s ahead without wrapping

  struct Packed {
    uint64_t k0, k1;
  };
  static Packed Pack(const FlowKey& key);
  bool Same(uint32_t idx, const FlowKey& key, const Packed& p) const;
  static int64_t SlotOf(double t);
  double Timeout(const Conn& c) const;
  void Bind(Conn& c);
  void Unbind(Conn& c);
  void EndFlow(Conn& c, double now);
  void Free(uint32_t idx);
  void PushTimer(uint32_t idx, const Conn& c);
  void Fire(const Timer& t);
  bool NextSlot(int64_t target);
  void Link(uint32_t idx);
  void Unlink(uint32_t idx);
  void Grow();

  ConnTimeouts timeouts_;
  ConnPool pool_;
  std::vector<Slot, BigAllocator<Slot>> slots_;  // power of two
  std::vector<FlowKey> wide_;                    // keys of wide entries, by index
  uint64_t mask_ = 0;
  uint32_t free_ = kNone;
  size_t live_ = 0;
  std::vector<std::vector<Timer>> wheel_;
  std::vector<Timer> near_;  // heap of the timers of slot cur_
  std::vector<Timer> spill_;
  int64_t cur_ = INT64_MIN;  // absolute slot number served by near_
  size_t pending_ = 0;       // timers on the wheel (not in near_)
  std::vector<Dest*> dests_;
  ConnObserver* observer_ = nullptr;
  TemplateTable* templates_ = nullptr;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_CONN_TABLE_H_
