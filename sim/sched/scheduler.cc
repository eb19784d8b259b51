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
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace ipvs_sim {

namespace {

// One of our modules, its parameters already in the wmh_* fields.
std::unique_ptr<Scheduler> MakeOurs(TableKind kind, const SchedulerOptions& opts,
                                    std::string* err) {
  if (wmh_table_size_check(opts.wmh_table_size) != 0) {
    *err = fmt::format("{}: table size {} refused: it must be a prime in [{}, {}]", KindName(kind),
                       opts.wmh_table_size, WMH_TABLE_SIZE_MIN, WMH_TABLE_SIZE_MAX);
    return nullptr;
  }
  return std::make_unique<WmhScheduler>(opts, kind);
}

std::unique_ptr<Scheduler> MakeWmh(const SchedulerOptions& opts, std::string* err) {
  return MakeOurs(TableKind::kWmh, opts, err);
}

std::unique_ptr<Scheduler> MakeHrw(const SchedulerOptions& opts, std::string* err) {
  return MakeOurs(TableKind::kHrw, HrwOptions(opts), err);
}

std::unique_ptr<Scheduler> MakeChbl(const SchedulerOptions& opts, std::string* err) {
  return MakeOurs(TableKind::kChbl, ChblOptions(opts), err);
}

std::unique_ptr<Scheduler> MakeMh(const SchedulerOptions& opts, std::string* err) {
  if (MhScheduler::TableSizeFor(opts.mh_tab_index) == 0) {
    *err = fmt::format("mh: table index {} refused: CONFIG_IP_VS_MH_TAB_INDEX is 8..17",
                       opts.mh_tab_index);
    return nullptr;
  }
  return std::make_unique<MhScheduler>(opts.mh_tab_index);
}

std::unique_ptr<Scheduler> MakeSh(const SchedulerOptions& opts, std::string* err) {
  if (opts.sh_tab_bits < 1 || opts.sh_tab_bits > 20) {
    *err = fmt::format("sh: table bits {} refused: CONFIG_IP_VS_SH_TAB_BITS is 1..20",
                       opts.sh_tab_bits);
    return nullptr;
  }
  return std::make_unique<ShScheduler>(opts.sh_tab_bits);
}

template <typename T>
std::unique_ptr<Scheduler> Make(const SchedulerOptions&, std::string*) {
  return std::make_unique<T>();
}

struct SchedulerEntry {
  const char* name;
  std::unique_ptr<Scheduler> (*make)(const SchedulerOptions& opts, std::string* err);
  const char* help;
};

// Every scheduler, ours first: the one list MakeScheduler, SchedulerNames
// and SchedulerHelp read.
constexpr SchedulerEntry kSchedulers[] = {
    {"wmh", MakeWmh, "weighted maglev-style hashing (ip_vs_wmh)"},
    {"hrw", MakeHrw, "weighted rendezvous hashing, minimal disruption (ip_vs_hrw)"},
    {"chbl", MakeChbl, "consistent hashing with bounded loads (ip_vs_chbl)"},
    {"rr", Make<RrScheduler>, "round robin"},
    {"wrr", Make<WrrScheduler>, "weighted round robin"},
    {"lc", Make<LcScheduler>, "least connections"},
    {"wlc", Make<WlcScheduler>, "weighted least connections (ipvsadm's default)"},
    {"lblc", Make<LblcScheduler>, "locality-based least connections"},
    {"lblcr", Make<LblcrScheduler>, "locality-based least connections with replication"},
    {"dh", Make<DhScheduler>, "destination hashing"},
    {"sh", MakeSh, "source hashing"},
    {"sed", Make<SedScheduler>, "shortest expected delay"},
    {"nq", Make<NqScheduler>, "never queue"},
    {"fo", Make<FoScheduler>, "weighted failover"},
    {"ovf", Make<OvfScheduler>, "weighted overflow"},
    {"mh", MakeMh, "maglev hashing (in-tree ip_vs_mh)"},
    {"twos", Make<TwosScheduler>, "weighted random twos choice"},
};

}  // namespace

namespace {

// @opts with another module's parameters in the wmh_* fields, which the
// shared glue (WmhScheduler) reads; no served tables (ip_vs_wmh's export
// holds none of the other modules' tables).
SchedulerOptions AsWmhFields(const SchedulerOptions& opts, uint32_t table_size,
                             const wmh_hash_key& key, bool port_hash, bool overflow) {
  SchedulerOptions o = opts;
  o.wmh_table_size = table_size;
  o.wmh_key = key;
  o.wmh_port_hash = port_hash;
  o.wmh_overflow = overflow;
  o.wmh_served = nullptr;
  return o;
}

}  // namespace

SchedulerOptions HrwOptions(const SchedulerOptions& opts) {
  return AsWmhFields(opts, opts.hrw_table_size, opts.hrw_key, opts.hrw_port_hash,
                     opts.hrw_overflow);
}

SchedulerOptions ChblOptions(const SchedulerOptions& opts) {
  return AsWmhFields(opts, opts.chbl_table_size, opts.chbl_key, opts.chbl_port_hash,
                     opts.chbl_overflow);
}

std::vector<std::string> SchedulerNames() {
  std::vector<std::string> names;
  for (const SchedulerEntry& e : kSchedulers) names.emplace_back(e.name);
  return names;
}

std::string SchedulerHelp() {
  std::string out = "Schedulers (-s):\n";
  for (const SchedulerEntry& e : kSchedulers) out += fmt::format("  {:<6} {}\n", e.name, e.help);
  return out;
}

bool IsWmhSchedName(std::string_view name) {
  return wmh_sched_name_index(std::string(name).c_str()) >= 0;
}

std::string SchedulerServedBy(std::string_view name, const SchedulerOptions& opts) {
  if (name == opts.wmh_sched_name)
    return name == "wmh" ? "ip_vs_wmh" : fmt::format("ip_vs_wmh (sched_name={})", name);
  if (name == "hrw" || name == "chbl") return fmt::format("ip_vs_{}", name);
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
  // Under sched_name=mh or sh the wmh code serves that name.
  if (name == opts.wmh_sched_name) return MakeWmh(opts, err);
  for (const SchedulerEntry& e : kSchedulers)
    if (name == e.name) return e.make(opts, err);
  *err = fmt::format("unknown scheduler '{}' (known: {})", name, fmt::join(SchedulerNames(), ", "));
  return nullptr;
}

}  // namespace ipvs_sim
