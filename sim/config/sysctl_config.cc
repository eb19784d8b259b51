// SPDX-License-Identifier: GPL-2.0
#include "sysctl_config.h"

#include <fmt/format.h>

#include <climits>
#include <cstdint>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

constexpr std::string_view kDotPrefix = "net.ipv4.vs.";
constexpr std::string_view kSlashPrefix = "net/ipv4/vs/";

enum class Kind {
  kInt,      // one int in [lo, hi] (proc_dointvec and its checked wrappers)
  kPair,     // sync_threshold: two ints, >= 0, first < second unless second is 0
  kULong,    // sync_qlen_max: one unsigned long (proc_doulongvec_minmax)
  kCpuList,  // est_cpulist: a cpulist, not checked here
};

struct SysctlInfo {
  const char* name;
  Kind kind;
  int64_t lo;
  int64_t hi;
  bool pow2;                // sync_ports: a power of 2
  bool quiet;               // the default depends on the machine: never warn
  int64_t def;              // the kernel's default (first value for kPair)
  int64_t def2;             // second default value (kPair)
  int IpvsSysctls::*field;  // where a modelled one goes, else nullptr
  // Why the simulator does not model it (nullptr for the modelled ones).
  const char* reason;
};

constexpr int64_t kIntMin = INT_MIN;
constexpr int64_t kIntMax = INT_MAX;

// Every net.ipv4.vs sysctl of Linux 6.12, in vs_vars[] order, then the
// schedulers' own. The ranges are those of each handler: proc_dointvec
// takes any int; proc_do_defense_mode 0..3; sync_version and sync_retries
// proc_dointvec_minmax 0..1 and 0..3; proc_do_sync_ports a power of 2;
// est_nice MIN_NICE..MAX_NICE; the _jiffies ones seconds as an int.
constexpr SysctlInfo kSysctls[] = {
    {"amemthresh", Kind::kInt, kIntMin, kIntMax, false, false, 1024, 0, nullptr,
     "memory defence: drop_entry, drop_packet and secure_tcp switch on when free memory "
     "falls below amemthresh pages, and the simulator has no memory pressure"},
    {"am_droprate", Kind::kInt, kIntMin, kIntMax, false, false, 10, 0, nullptr,
     "memory defence: the packet drop rate of drop_packet mode 3; the simulator drops no "
     "packets for memory"},
    {"drop_entry", Kind::kInt, 0, 3, false, false, 0, 0, nullptr,
     "memory defence: random connection entries are dropped when memory is low; the "
     "simulator never runs low, so no entry is dropped (mode 3 would drop them always)"},
    {"drop_packet", Kind::kInt, 0, 3, false, false, 0, 0, nullptr,
     "memory defence: 1/rate of the packets are dropped when memory is low; the simulator "
     "schedules every flow"},
    {"conntrack", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "netfilter conntrack entries for IPVS connections: the scheduling decisions are the "
     "same; with conntrack=1 a reused port's first SYN (conn_reuse_mode) is dropped and "
     "the client's retransmit rescheduled, a delay of one SYN timeout the simulator does "
     "not add"},
    {"secure_tcp", Kind::kInt, 0, 3, false, false, 0, 0, nullptr,
     "memory defence: the stricter secure TCP state table, used while the defence is on "
     "(always with 3); the simulator uses the normal state table and timeouts"},
    {"snat_reroute", Kind::kInt, kIntMin, kIntMax, false, false, 1, 0, nullptr,
     "routing of NAT replies by their new source: a packet path, not a scheduling "
     "decision"},
    {"sync_version", Kind::kInt, 0, 1, false, false, 1, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"sync_ports", Kind::kInt, 1, kIntMax, true, false, 1, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"sync_persist_mode", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "connection synchronisation of persistence templates: the simulator's directors share "
     "no connection state"},
    {"sync_qlen_max", Kind::kULong, 0, 0, false, true, 0, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"sync_sock_size", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"cache_bypass", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "packets that find no available real server are passed to their original "
     "destination (cache clusters); the simulator counts them as unscheduled"},
    {"expire_nodest_conn", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0,
     &IpvsSysctls::expire_nodest_conn, nullptr},
    {"sloppy_tcp", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, &IpvsSysctls::sloppy_tcp,
     nullptr},
    {"sloppy_sctp", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, &IpvsSysctls::sloppy_sctp,
     nullptr},
    {"expire_quiescent_template", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0,
     &IpvsSysctls::expire_quiescent_template, nullptr},
    {"sync_threshold", Kind::kPair, 0, kIntMax, false, false, 3, 50, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"sync_refresh_period", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"sync_retries", Kind::kInt, 0, 3, false, false, 0, 0, nullptr,
     "connection synchronisation: the simulator's directors share no connection state"},
    {"nat_icmp_send", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "ICMP errors for NAT replies without a connection: packets, not scheduling"},
    {"pmtu_disc", Kind::kInt, kIntMin, kIntMax, false, false, 1, 0, nullptr,
     "path MTU discovery on DR/TUN: packet sizes, not scheduling"},
    {"backup_only", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "a sync backup that does not direct: the simulator's directors always schedule (use "
     "director-down in a timeline)"},
    {"conn_reuse_mode", Kind::kInt, kIntMin, kIntMax, false, false, 1, 0,
     &IpvsSysctls::conn_reuse_mode, nullptr},
    {"schedule_icmp", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "scheduling of ICMP errors that match no connection: the simulator's flows are TCP, "
     "UDP and SCTP only"},
    {"ignore_tunneled", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "tunnelled packets left to the stack: the simulator's flows carry no tunnels"},
    {"run_estimation", Kind::kInt, kIntMin, kIntMax, false, false, 1, 0, nullptr,
     "the rate estimators (ipvsadm --rate) feed no scheduler: no effect on decisions"},
    {"est_cpulist", Kind::kCpuList, 0, 0, false, true, 0, 0, nullptr,
     "CPUs of the estimator kthreads: no effect on decisions"},
    {"est_nice", Kind::kInt, -20, 19, false, false, 0, 0, nullptr,
     "priority of the estimator kthreads: no effect on decisions"},
    {"debug_level", Kind::kInt, kIntMin, kIntMax, false, false, 0, 0, nullptr,
     "log verbosity (CONFIG_IP_VS_DEBUG): no effect on decisions"},
    {"lblc_expiration", Kind::kInt, kIntMin, kIntMax, false, false, 86400, 0, nullptr,
     "sim/sched/sched_lblc keeps lblc entries for the whole trace (no timers), which is "
     "the kernel's behaviour only for traces shorter than lblc_expiration"},
    {"lblcr_expiration", Kind::kInt, kIntMin, kIntMax, false, false, 86400, 0, nullptr,
     "sim/sched/sched_lblc keeps lblcr entries and sets for the whole trace (no timers), "
     "which is the kernel's behaviour only for traces shorter than lblcr_expiration"},
};

const SysctlInfo* FindSysctl(std::string_view name) {
  for (const SysctlInfo& s : kSysctls) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Strips the "net.ipv4.vs." or "net/ipv4/vs/" prefix; false if there is none.
bool StripPrefix(std::string_view* name) {
  if (name->starts_with(kDotPrefix) || name->starts_with(kSlashPrefix)) {
    name->remove_prefix(kDotPrefix.size());
    return true;
  }
  return false;
}

// A number as the kernel's proc_get_long() reads it (strtoul base 0 after
// an optional '-'), limited to decimal and 0x hex: *magnitude and *neg.
// False with *why on anything else, a leading-zero (octal) number included.
bool ParseKernelNumber(std::string_view s, uint64_t* magnitude, bool* neg, std::string* why) {
  *neg = false;
  if (s.starts_with('-')) {
    *neg = true;
    s.remove_prefix(1);
  }
  constexpr uint64_t kMax = uint64_t{1} << 63;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    if (ParseHex(s.substr(2), kMax, magnitude)) return true;
  } else if (s.size() > 1 && s.front() == '0' && IsDigits(s)) {
    *why = "a leading 0 is octal to the kernel; write the value in decimal";
    return false;
  } else if (ParseDecimal(s, kMax, magnitude)) {
    return true;
  } else if (IsDigits(s)) {
    *why = "out of the range of an int";
    return false;
  }
  *why = "not an integer";
  return false;
}

// One int value of @info: *out; false with *why.
bool ParseIntValue(std::string_view text, const SysctlInfo& info, int64_t* out, std::string* why) {
  uint64_t mag;
  bool neg;
  if (!ParseKernelNumber(text, &mag, &neg, why)) return false;
  // proc_dointvec: -2^31 .. 2^31-1; anything outside is EINVAL.
  if (mag > (neg ? uint64_t{1} << 31 : uint64_t{INT_MAX})) {
    *why = "out of the range of an int";
    return false;
  }
  int64_t v = neg ? -static_cast<int64_t>(mag) : static_cast<int64_t>(mag);
  if (v < info.lo || v > info.hi) {
    *why = fmt::format("out of range ({}..{})", info.lo, info.hi);
    return false;
  }
  if (info.pow2 && (v & (v - 1)) != 0) {
    *why = "not a power of 2";
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

bool SetIpvsSysctl(std::string_view assignment, const std::string& where, IpvsSysctls* out,
                   std::vector<std::string>* warnings, std::string* err) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    *err = fmt::format("{}: '{}' is not NAME=VALUE", where, Trim(assignment));
    return false;
  }
  std::string_view name = Trim(assignment.substr(0, eq));
  std::string_view value = Trim(assignment.substr(eq + 1));
  std::string_view bare = name;
  StripPrefix(&bare);
  const SysctlInfo* info = FindSysctl(bare);
  if (info == nullptr) {
    *err = fmt::format("{}: '{}' is not an IPVS sysctl (net.ipv4.vs.NAME, e.g. conn_reuse_mode)",
                       where, name);
    return false;
  }
  auto bad = [&](const std::string& why) {
    *err = fmt::format("{}: bad value '{}' for net.ipv4.vs.{}: {}", where, value, info->name, why);
    return false;
  };
  std::vector<std::string_view> words = SplitWords(value);
  std::string why;
  bool is_default = info->quiet;
  int64_t v = 0;
  switch (info->kind) {
    case Kind::kInt:
      if (words.size() != 1) return bad("one integer expected");
      if (!ParseIntValue(words[0], *info, &v, &why)) return bad(why);
      is_default = v == info->def;
      break;
    case Kind::kPair: {
      int64_t v2 = 0;
      if (words.size() != 2) return bad("two integers expected (threshold period)");
      if (!ParseIntValue(words[0], *info, &v, &why)) return bad(why);
      if (!ParseIntValue(words[1], *info, &v2, &why)) return bad(why);
      if (v2 != 0 && v >= v2) return bad("the threshold must be below the period (or period 0)");
      is_default = v == info->def && v2 == info->def2;
      break;
    }
    case Kind::kULong: {
      uint64_t mag;
      bool neg;
      if (words.size() != 1) return bad("one integer expected");
      if (!ParseKernelNumber(words[0], &mag, &neg, &why)) return bad(why);
      if (neg) return bad("negative");
      break;
    }
    case Kind::kCpuList:
      break;  // the kernel's cpulist_parse() is not repeated here
  }
  if (info->field != nullptr) {
    out->*(info->field) = static_cast<int>(v);
    return true;
  }
  if (!is_default) {
    warnings->push_back(fmt::format("{}: net.ipv4.vs.{} = {} is not modelled: {}", where,
                                    info->name, value, info->reason));
  }
  return true;
}

bool ParseIpvsSysctlText(std::string_view text, const std::string& name, IpvsSysctls* out,
                         std::vector<std::string>* warnings, std::string* err) {
  LineSplitter lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (!t.starts_with(kDotPrefix) && !t.starts_with(kSlashPrefix)) continue;
    if (!SetIpvsSysctl(t, fmt::format("{}:{}", name, lines.lineno()), out, warnings, err)) {
      return false;
    }
  }
  return true;
}

bool LoadIpvsSysctlFile(const std::string& path, IpvsSysctls* out,
                        std::vector<std::string>* warnings, std::string* err) {
  std::string text;
  if (!ReadWholeFile(path, &text, err)) return false;
  return ParseIpvsSysctlText(text, path, out, warnings, err);
}

}  // namespace ipvs_sim
