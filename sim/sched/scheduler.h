// SPDX-License-Identifier: GPL-2.0
// The scheduler interface of the simulator, shaped like the kernel's
// struct ip_vs_scheduler so that models can follow the kernel line by line.
#ifndef IPVS_SCHED_SIM_SCHEDULER_H_
#define IPVS_SCHED_SIM_SCHEDULER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chbl_load.h"
#include "hrw_table.h"
#include "net.h"
#include "service.h"
#include "wmh_served.h"
#include "wmh_siphash.h"
#include "wmh_table.h"

namespace ipvs_sim {

// Load-time settings of the schedulers (module parameters and kernel config).
struct SchedulerOptions {
  // ip_vs_wmh module parameters.
  // Defaults of the module (wmh_table.h), not copies of them.
  uint32_t wmh_table_size = WMH_TABLE_SIZE_DEFAULT;
  wmh_hash_key wmh_key = wmh_default_hash_key;
  bool wmh_port_hash = false;
  bool wmh_overflow = false;
  // Module parameter sched_name: the name ip_vs_wmh registers under, "wmh"
  // (default), "mh" or "sh". Under "mh"/"sh" the wmh code serves that name
  // (mh-port/sh-port are flag-2, port hashing; mh-fallback/sh-fallback are
  // flag-1, overflow: the same bits), the in-tree model of that name is not
  // available, and "wmh" is not found, as in a kernel where the module took
  // the other name.
  std::string wmh_sched_name = "wmh";
  // ip_vs_hrw module parameters: the same as ip_vs_wmh's, but sched_name,
  // set apart, as the two modules are loaded apart.
  uint32_t hrw_table_size = HRW_TABLE_SIZE_DEFAULT;
  wmh_hash_key hrw_key = wmh_default_hash_key;
  bool hrw_port_hash = false;
  bool hrw_overflow = false;
  // ip_vs_chbl module parameters: hrw's set, plus the load bounds in
  // thousandths (eps, and eps_flag3 for services with -b flag-3).
  uint32_t chbl_table_size = WMH_TABLE_SIZE_DEFAULT;
  wmh_hash_key chbl_key = wmh_default_hash_key;
  bool chbl_port_hash = false;
  bool chbl_overflow = false;
  uint32_t chbl_eps = CHBL_EPS_DEFAULT;
  uint32_t chbl_eps_flag3 = CHBL_EPS_FLAG3_DEFAULT;
  // The tables the kernel serves (--export, --live), or nullptr: a wmh
  // service that has one starts from it (WmhScheduler, kInit) instead of
  // building its own. Checked against wmh_table_size and wmh_key first
  // (CheckServedTables).
  std::shared_ptr<const WmhServedTables> wmh_served;
  // Debian kernel config: CONFIG_IP_VS_MH_TAB_INDEX=12 (4093 slots),
  // CONFIG_IP_VS_SH_TAB_BITS=8.
  int mh_tab_index = 12;
  int sh_tab_bits = 8;
};

// What just happened to the service, as the kernel callbacks tell it.
enum class SchedEvent {
  kInit,     // init_service: scheduler bound (service added or -E -s)
  kAddDest,  // add_dest: dest already at svc.dests[0] (list head)
  kDelDest,  // del_dest: dest already removed from svc.dests
  kUpdDest,  // upd_dest: weight/thresholds of an existing dest changed
};

// One scheduler bound to one service. Not thread-safe: a replay drives it
// from one thread, as the kernel serialises callbacks under its mutex (the
// packet path of stateful kernel schedulers is modelled as serial too).
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string_view name() const = 0;

  // Called after every change, with @svc already updated; @dest is the dest
  // concerned (nullptr for kInit). On failure returns false with *err set
  // (or empty when the failure repeats one already reported); the
  // scheduler keeps serving its previous state, as the kernel does.
  virtual bool Update(const Service& svc, SchedEvent event, const Dest* dest, std::string* err) = 0;

  // Chooses the dest for a new connection: an index into svc.dests, or -1
  // for "no destination available". May change internal state (rr cursor).
  virtual int Schedule(const Service& svc, const FlowKey& flow) = 0;

  // Whether the last Schedule() passed over the flow's first choice
  // because it was at a load bound (chbl); false for every other scheduler.
  virtual bool last_bounded() const { return false; }
};

// Creates the scheduler called @name (ipvsadm -s NAME), or returns nullptr
// with *err naming the known schedulers. The name opts.wmh_sched_name gets
// the wmh code (WmhScheduler).
std::unique_ptr<Scheduler> MakeScheduler(std::string_view name, const SchedulerOptions& opts,
                                         std::string* err);

// Every name MakeScheduler accepts with default options, ours first.
std::vector<std::string> SchedulerNames();

// One line per scheduler, "  name   what it is", under a heading, for the
// CLI's help.
std::string SchedulerHelp();

// The names ip_vs_wmh's sched_name accepts: wmh, mh, sh.
bool IsWmhSchedName(std::string_view name);

// Which code serves @name under @opts, for reports:
// "ip_vs_wmh", "ip_vs_wmh (sched_name=mh)" or "the model of ip_vs_rr".
std::string SchedulerServedBy(std::string_view name, const SchedulerOptions& opts);

// @opts with ip_vs_hrw's parameters in the wmh_* fields, which the shared
// glue (WmhScheduler) reads; no served tables.
SchedulerOptions HrwOptions(const SchedulerOptions& opts);
// The same for ip_vs_chbl's parameters.
SchedulerOptions ChblOptions(const SchedulerOptions& opts);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHEDULER_H_
