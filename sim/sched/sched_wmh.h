// SPDX-License-Identifier: GPL-2.0
// wmh and hrw in the simulator: the shared C core (kmod/wmh_table.c,
// hrw_table.c, wmh_lookup.c) driven exactly as kmod/ip_vs_wmh_main.c drives
// it for either module. Nothing of the algorithms lives here: only the glue
// (dest keys, weights, flow message, flags, dest states) is repeated, and it
// must stay in step with the module. The two differ only in how a table is
// built; lookups, fallback and flags are the same code.
#ifndef IPVS_SCHED_SIM_SCHED_WMH_H_
#define IPVS_SCHED_SIM_SCHED_WMH_H_

#include <string>
#include <string_view>
#include <vector>

#include "hrw_table.h"
#include "sched_util.h"
#include "scheduler.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace ipvs_sim {

// How a table is built: weighted Maglev (ip_vs_wmh) or weighted rendezvous
// (ip_vs_hrw, rebuilt incrementally from the previous table as the module
// does; the result is the full build's, bit for bit).
enum class TableKind { kWmh, kHrw };

class WmhScheduler : public Scheduler {
 public:
  // Uses opts.wmh_table_size, wmh_key, wmh_port_hash, wmh_overflow: for
  // kHrw, MakeScheduler puts the hrw_* settings there.
  // REQUIRES: wmh_table_size_check(opts.wmh_table_size) == 0.
  explicit WmhScheduler(const SchedulerOptions& opts, TableKind kind = TableKind::kWmh);
  ~WmhScheduler() override;
  WmhScheduler(const WmhScheduler&) = delete;
  WmhScheduler& operator=(const WmhScheduler&) = delete;

  std::string_view name() const override { return kind_ == TableKind::kHrw ? "hrw" : "wmh"; }

  // Builds a new table from svc.dests (key from family, address, port in
  // network order; weight max(last_weight, 0)). When the build fails the
  // previous table keeps serving, its removed dests counted as down; a
  // failed kInit leaves no table, and every flow then gets no dest.
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;

  // Hashes the client address (and the client port with flag-2 or
  // wmh_port_hash) and looks it up; flag-1 or wmh_overflow allows overflow.
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // The table in use, or nullptr before the first successful build. Its
  // spec indices refer to built_for().
  const wmh_table* table() const { return has_table_ ? &table_ : nullptr; }
  const std::vector<DestRef>& built_for() const { return refs_; }

 private:
  static wmh_dest_state DestState(const void* ctx, u32 index);
  // Builds the table of @spec into *fresh as the module would: hrw from
  // the table in use unless @first (init_service, where the module has none).
  int BuildTable(const std::vector<wmh_dest_spec>& spec, bool first, wmh_table* fresh) const;
  // Recomputes current_ from refs_ against the service as it is now.
  void MapToService(const Service& svc);

  SchedulerOptions opts_;
  TableKind kind_;
  bool has_table_ = false;
  wmh_table table_{};
  std::vector<wmh_dest_spec> specs_;  // what table_ was built from
  std::vector<DestRef> refs_;         // spec index -> dest the table was built for
  // spec index -> index in svc.dests as of the last Update (-1: removed).
  // Schedule() trusts it while svc.dests has the size it had then, as the
  // kernel trusts the dest pointers its table holds; otherwise it resolves
  // each dest by endpoint.
  std::vector<int> current_;
  size_t mapped_size_ = 0;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_WMH_H_
