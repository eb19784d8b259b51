// SPDX-License-Identifier: GPL-2.0
#include "sched_rr.h"

#include "kernel_hash.h"

namespace ipvs_sim {

namespace {

bool RrAvailable(const Dest& d) { return !d.overloaded && d.weight > 0; }

}  // namespace

bool RrScheduler::Update(const Service& svc, SchedEvent event, const Dest* dest,
                         std::string* /*err*/) {
  if (event == SchedEvent::kInit) {
    cursor_.reset();
  } else if (event == SchedEvent::kDelDest && dest != nullptr && cursor_ &&
             cursor_->ep == dest->ep) {
    // ip_vs_rr_del_dest(): the unlinked dest's next->prev is now the dest
    // that stood before it, or the head.
    std::optional<DestRef> prev;
    for (const DestRef& r : order_) {
      if (r.ep == dest->ep) break;
      prev = r;
    }
    cursor_ = prev;
  }
  order_ = SnapshotDests(svc);
  return true;
}

int RrScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  const int n = static_cast<int>(svc.dests.size());
  int last = cursor_ ? ResolveDest(svc, *cursor_) : -1;
  // First pass: the dests after the cursor. Second pass (unless the cursor
  // is the head): from the first dest up to and including the cursor.
  int hit = -1;
  for (int i = last + 1; i < n && hit < 0; ++i)
    if (RrAvailable(svc.dests[i])) hit = i;
  for (int i = 0; hit < 0 && last >= 0 && i <= last; ++i)
    if (RrAvailable(svc.dests[i])) hit = i;
  if (hit < 0) return -1;
  cursor_ = DestRef{svc.dests[hit].ep, hit};
  return hit;
}

bool WrrScheduler::Update(const Service& svc, SchedEvent event, const Dest* /*dest*/,
                          std::string* /*err*/) {
  // ip_vs_wrr_gcd_weight() (1 when no weight is positive) and
  // ip_vs_wrr_max_weight().
  int g = 0;
  int max_weight = 0;
  for (const Dest& d : svc.dests) {
    if (d.weight > 0) g = g > 0 ? static_cast<int>(KernelGcd(d.weight, g)) : d.weight;
    if (d.weight > max_weight) max_weight = d.weight;
  }
  cursor_.reset();
  di_ = g ? g : 1;
  mw_ = max_weight - (di_ - 1);
  if (event == SchedEvent::kInit) {
    cw_ = mw_;
  } else if (cw_ > mw_ || cw_ == 0) {
    cw_ = mw_;
  } else if (di_ > 1) {
    cw_ = (cw_ / di_) * di_ + 1;
  }
  return true;
}

int WrrScheduler::CursorIndex(const Service& svc) const {
  return cursor_ ? ResolveDest(svc, *cursor_) : -1;
}

int WrrScheduler::Schedule(const Service& svc, const FlowKey& /*flow*/) {
  const int n = static_cast<int>(svc.dests.size());
  int d = CursorIndex(svc);  // -1 is the list head
  auto set_cursor = [&](int i) {
    if (i < 0)
      cursor_.reset();
    else
      cursor_ = DestRef{svc.dests[i].ep, i};
  };
  if (mw_ == 0) return -1;  // cursor stays where it was
  const int last = d;
  int stop = -2;  // no stop dest yet
  bool last_pass = false;
  bool restarted = false;
  // The kernel's loop ends by itself; the bound only guards the model.
  for (long guard = 0; guard < 4L * (mw_ / di_ + 2); ++guard) {
    for (d = d + 1; d < n; ++d) {
      const Dest& dest = svc.dests[d];
      if (!dest.overloaded && dest.weight >= cw_) {
        set_cursor(d);
        return d;
      }
      if (d == stop) {
        set_cursor(d);
        return -1;
      }
    }
    d = -1;  // walked back to the head
    cw_ -= di_;
    if (cw_ <= 0) {
      cw_ = mw_;
      // Stop when the last pass (every dest checked for weight >= 1) was
      // done, or when it started at the head and so covered every dest.
      if (last_pass || last == -1) {
        set_cursor(-1);
        return -1;
      }
      restarted = true;
    }
    last_pass = cw_ <= di_;
    if (last_pass && restarted && last != -1) stop = last;
  }
  set_cursor(-1);
  return -1;
}

}  // namespace ipvs_sim
