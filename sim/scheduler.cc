// SPDX-License-Identifier: GPL-2.0
// MakeScheduler: the simulator's ipvsadm -s NAME.
#include "scheduler.h"

#include <fmt/format.h>

#include "sched_conn.h"
#include "sched_dh.h"
#include "sched_lblc.h"
#include "sched_mh.h"
#include "sched_rr.h"
#include "sched_sh.h"
#include "sched_wmh.h"
#include "wmh_table.h"

namespace ipvs_sim {

std::vector<std::string> SchedulerNames() {
  return {"wmh", "rr",  "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
          "sh",  "sed", "nq",  "fo", "ovf", "mh",   "twos"};
}

bool IsWmhSchedName(std::string_view name) { return name == "wmh" || name == "mh" || name == "sh"; }

std::string SchedulerServedBy(std::string_view name, const SchedulerOptions& opts) {
  if (name == opts.wmh_sched_name)
    return name == "wmh" ? "ip_vs_wmh" : fmt::format("ip_vs_wmh (sched_name={})", name);
  return fmt::format("the model of ip_vs_{}", name);
}

std::unique_ptr<Scheduler> MakeScheduler(std::string_view name, const SchedulerOptions& opts,
                                         std::string* err) {
  if (!IsWmhSchedName(opts.wmh_sched_name)) {
    *err =
        fmt::format("wmh: sched_name '{}' refused: it must be wmh, mh or sh", opts.wmh_sched_name);
    return nullptr;
  }
  if (name == "wmh" && opts.wmh_sched_name != "wmh") {
    // The kernel finds no "wmh" (request_module("ip_vs_wmh") loads nothing
    // new: the module is there under the other name); ipvsadm reports
    // "Scheduler or persistence engine not found".
    *err = fmt::format(
        "scheduler 'wmh' not found: ip_vs_wmh is registered as '{}' (sched_name={}); use -s {}",
        opts.wmh_sched_name, opts.wmh_sched_name, opts.wmh_sched_name);
    return nullptr;
  }
  if (name == opts.wmh_sched_name) {
    if (wmh_table_size_check(opts.wmh_table_size) != 0) {
      *err = fmt::format("wmh: table size {} refused: it must be a prime in [{}, {}]",
                         opts.wmh_table_size, WMH_TABLE_SIZE_MIN, WMH_TABLE_SIZE_MAX);
      return nullptr;
    }
    return std::make_unique<WmhScheduler>(opts);
  }
  if (name == "mh") {
    if (MhScheduler::TableSizeFor(opts.mh_tab_index) == 0) {
      *err = fmt::format("mh: table index {} refused: CONFIG_IP_VS_MH_TAB_INDEX is 8..17",
                         opts.mh_tab_index);
      return nullptr;
    }
    return std::make_unique<MhScheduler>(opts.mh_tab_index);
  }
  if (name == "sh") {
    if (opts.sh_tab_bits < 1 || opts.sh_tab_bits > 20) {
      *err = fmt::format("sh: table bits {} refused: CONFIG_IP_VS_SH_TAB_BITS is 1..20",
                         opts.sh_tab_bits);
      return nullptr;
    }
    return std::make_unique<ShScheduler>(opts.sh_tab_bits);
  }
  if (name == "dh") return std::make_unique<DhScheduler>();
  if (name == "rr") return std::make_unique<RrScheduler>();
  if (name == "wrr") return std::make_unique<WrrScheduler>();
  if (name == "lc") return std::make_unique<LcScheduler>();
  if (name == "wlc") return std::make_unique<WlcScheduler>();
  if (name == "sed") return std::make_unique<SedScheduler>();
  if (name == "nq") return std::make_unique<NqScheduler>();
  if (name == "fo") return std::make_unique<FoScheduler>();
  if (name == "ovf") return std::make_unique<OvfScheduler>();
  if (name == "twos") return std::make_unique<TwosScheduler>();
  if (name == "lblc") return std::make_unique<LblcScheduler>();
  if (name == "lblcr") return std::make_unique<LblcrScheduler>();
  *err = fmt::format("unknown scheduler '{}' (known: {})", name, fmt::join(SchedulerNames(), ", "));
  return nullptr;
}

}  // namespace ipvs_sim
