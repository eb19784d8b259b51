// SPDX-License-Identifier: GPL-2.0
// wmh, hrw and chbl in the simulator: the shared C core (kmod/wmh_table.c,
// hrw_table.c, wmh_lookup.c, chbl_load.c) driven exactly as
// kmod/ip_vs_wmh_main.c drives it for each module. Nothing of the
// algorithms lives here: only the glue (dest keys, weights, flow message,
// flags, dest states, connection counts) is repeated, and it must stay in
// step with the module. hrw differs in how a table is built, chbl in the
// load bound its lookup applies; lookups, fallback and flags are the same
// code.
#ifndef IPVS_SCHED_SIM_SCHED_WMH_H_
#define IPVS_SCHED_SIM_SCHED_WMH_H_

#include <string>
#include <string_view>
#include <vector>

#include "chbl_load.h"
#include "hrw_table.h"
#include "sched_util.h"
#include "scheduler.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace ipvs_sim {

// How a table is built: weighted Maglev (ip_vs_wmh) or weighted rendezvous
// (ip_vs_hrw, rebuilt incrementally from the previous table as the module
// does; the result is the full build's, bit for bit), or weighted Maglev
// with chbl's load bound on each lookup (ip_vs_chbl).
enum class TableKind { kWmh, kHrw, kChbl };

// The scheduler name of each kind: "wmh", "hrw", "chbl".
std::string_view KindName(TableKind kind);

class WmhScheduler : public Scheduler {
 public:
  // Uses opts.wmh_table_size, wmh_key, wmh_port_hash, wmh_overflow: for
  // kHrw and kChbl, MakeScheduler puts the hrw_* or chbl_* settings there;
  // kChbl also reads opts.chbl_eps and chbl_eps_flag3.
  // REQUIRES: wmh_table_size_check(opts.wmh_table_size) == 0.
  explicit WmhScheduler(const SchedulerOptions& opts, TableKind kind = TableKind::kWmh);
  ~WmhScheduler() override;
  WmhScheduler(const WmhScheduler&) = delete;
  WmhScheduler& operator=(const WmhScheduler&) = delete;

  std::string_view name() const override;

  // Builds a new table from svc.dests (key from family, address, port in
  // network order; weight max(last_weight, 0)). When the build fails (more
  // dests than slots: -ENOSPC) the previous table keeps serving, its
  // removed dests counted as down, and *err says why ("252 servers, 251
  // slots"), as the module does after add_dest, del_dest and upd_dest;
  // once said (or after a kInit that applied the model below), *err is
  // left empty for the failures that follow until a table of every dest
  // is built again.
  //
  // kInit starts a service as a configuration file builds it: with the
  // table opts.wmh_served has for svc.key if any (Adopt); otherwise as
  // ipvsadm -R does, dest by dest, each -a at the list head and each one a
  // rebuild, so that a service with more dests than slots is served by the
  // table built when the table_size-th dest was added: the table of the
  // first table_size dests in -R order, the last table_size of svc.dests
  // (OutgrownMessage says so). A kInit that fails otherwise leaves no
  // table, and every flow then gets no dest.
  bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) override;

  // Serves @t, a table read from the kernel's export, from now on: its
  // slots, its dests (matched to the service's by endpoint; one the
  // service no longer has counts as removed) and their order by key, as
  // the core builds it. False with *err naming t.file when its table size
  // or key fingerprint is not this scheduler's, or it is not a table the
  // core could have built (a slot past its dests, more dests than slots).
  bool Adopt(const WmhServedTable& t, std::string* err);

  // Hashes the client address (and the client port with flag-2 or
  // wmh_port_hash) and looks it up; flag-1 or wmh_overflow allows overflow.
  // kChbl counts the service's connections first (the dests' active and
  // inactive entries, as the kernel keeps them) and passes over dests at
  // the bound (eps, or eps_flag3 with flag-3).
  int Schedule(const Service& svc, const FlowKey& flow) override;

  // kChbl: new flows scheduled, and how many of them went past their first
  // choice (the slot's dest) because it was at the bound.
  uint64_t scheduled() const { return scheduled_; }
  uint64_t bounded() const { return bounded_; }
  bool last_bounded() const override { return last_bounded_; }

  // The table in use, or nullptr before the first successful build. Its
  // spec indices refer to built_for().
  const wmh_table* table() const { return has_table_ ? &table_ : nullptr; }
  const std::vector<DestRef>& built_for() const { return refs_; }

 private:
  static wmh_dest_state DestState(const void* ctx, u32 index);
  // Builds the table of @spec into *fresh as the module would: hrw from
  // the table in use unless @first (init_service, where the module has none).
  int BuildTable(const std::vector<wmh_dest_spec>& spec, bool first, wmh_table* fresh) const;
  // Builds from svc.dests[first..] (afresh when @init) and, on success,
  // serves it.
  int Build(const Service& svc, size_t first, bool init);
  // kChbl's lookup; @ctx is Schedule's LookupCtx.
  int ScheduleBounded(void* ctx, const u8* msg, u32 len, bool overflow);
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
  // The service has more dests than slots and that has been said.
  bool outgrown_said_ = false;
  uint64_t scheduled_ = 0, bounded_ = 0;
  bool last_bounded_ = false;
};

// When @svc (served by the wmh code) has more dests than opts.wmh_table_size
// slots: what the kernel does about it, once per service, e.g.
// "udp 10.0.40.5:53: 252 servers, 251 slots: the kernel keeps the table of
// the first 251 (raise table_size)", or, with a served table for it from
// opts.wmh_served, "... the kernel serves the table in FILE (raise
// table_size)". Empty otherwise.
std::string OutgrownMessage(const Service& svc, const SchedulerOptions& opts);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_WMH_H_
