// SPDX-License-Identifier: GPL-2.0
// Shared pieces of the ipvs-sim subcommands: options every subcommand
// takes (scheduler load-time settings, connection timeouts, --quiet) and
// the registration functions of each subcommand.
#ifndef IPVS_SCHED_SIM_COMMON_CMD_H_
#define IPVS_SCHED_SIM_COMMON_CMD_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conn_table.h"
#include "ipvsadm_config.h"
#include "mark_map.h"
#include "replay.h"
#include "scheduler.h"
#include "sysctl_config.h"
#include "timeline.h"

namespace ipvs_sim {

struct GlobalOptions {
  SchedulerOptions sched;
  std::string wmh_key_hex;
  std::string hrw_key_hex;
  std::string chbl_key_hex;
  // --chbl-eps, --chbl-eps-flag3 as written (ip_vs_chbl's parameters).
  std::string chbl_eps_text;
  std::string chbl_eps_flag3_text;
  ConnTimeouts timeouts;
  bool tcp_no_close = false;
  bool quiet = false;
  // --sysctl-file, then each --sysctl in order, into sysctls.
  std::string sysctl_file;
  std::vector<std::string> sysctl_args;
  IpvsSysctls sysctls;
  // --marks FILE, loaded by FinishGlobalOptions.
  std::string marks_path;
  std::shared_ptr<MarkMap> marks;
};

// The director settings of @g (scheduler options, timeouts, sysctls,
// marks) into @d.
void SetDirectorOptions(const GlobalOptions& g, DirectorOptions* d);
// Warns (unless g.quiet) about fwmark services of @config that no flow
// can reach because no --marks were given.
void WarnUnreachable(const IpvsConfig& config, const GlobalOptions& g);

// Adds the load-time and timeout options to @app (the top level; they fall
// through from every subcommand).
void AddGlobalOptions(CLI::App* app, GlobalOptions* g);
// Checks and completes @g after parsing (the hash key). False with *err.
bool FinishGlobalOptions(GlobalOptions* g, std::string* err);

// --config and --config-format of a subcommand.
struct ConfigArgs {
  std::string path;
  std::string format = "auto";
  std::string keepalived_id;
};
// Adds -c/--config (required), --config-format and --keepalived-id to @c.
void AddConfigOptions(CLI::App* c, ConfigArgs* a);
// Loads the configuration; prints its warnings on stderr unless g.quiet.
// False with *err.
bool LoadConfigArgs(const ConfigArgs& a, const GlobalOptions& g, IpvsConfig* out, std::string* err);
// For the commands that replay flows: false with *err when the
// configuration at @path has no service and @timeline adds none (-A), so
// that no flow could be scheduled: an empty or truncated file, or one in
// another format than it was read as.
bool CheckSomeService(const std::string& path, const IpvsConfig& config,
                      const std::vector<TimelineEvent>& timeline, std::string* err);

// --export, --live and --keep-going (predict, compare, replay, whatif).
struct ServedArgs {
  std::string export_dir;
  bool live = false;
  bool keep_going = false;
};
void AddServedOptions(CLI::App* c, ServedArgs* a);
// With --export DIR or --live: reads the tables the kernel serves (a saved
// copy of /sys/kernel/debug/ip_vs_wmh, or this namespace's files there),
// checks them against g's table size and key, gives the dests of @config
// that are drained in the rules the last weight the export shows, and sets
// g->sched.wmh_served. Notes on stderr (unless g->quiet) for tables whose
// last rebuild failed. False with *err naming the file.
bool LoadServedArgs(const ServedArgs& a, GlobalOptions* g, IpvsConfig* config, std::string* err);
// Says, once per service of @config served by the wmh code (its own
// scheduler, or one of @schedulers when that replaces it), when it has more
// servers than slots (OutgrownMessage) on stderr, even under --quiet.
// Returns 1 when some service did and !a.keep_going, else 0.
int ReportOutgrown(const ServedArgs& a, const IpvsConfig& config, const GlobalOptions& g,
                   const std::vector<std::string>& schedulers);

// Reports flows that matched no service: per VIP on stderr (unless
// g.quiet), and with @strict as an error naming the VIPs. Returns the exit
// status to use: 0, or 1 under @strict when some flow matched nothing.
int ReportNoService(const RunResult& r, bool strict, const GlobalOptions& g);

// Each subcommand: registers itself on @app and sets *run to its body,
// called after parsing; the body returns the exit status.
using RunFn = std::function<int()>;
void SetupPredict(CLI::App* app, GlobalOptions* g, RunFn* run);
void SetupReplay(CLI::App* app, GlobalOptions* g, RunFn* run);
void SetupCompare(CLI::App* app, GlobalOptions* g, RunFn* run);
void SetupGenerate(CLI::App* app, GlobalOptions* g, RunFn* run);
void SetupBench(CLI::App* app, GlobalOptions* g, RunFn* run);
void SetupConfig(CLI::App* app, GlobalOptions* g, RunFn* run);

// Prints "@msg" on stderr (messages carry their own "file:line: ").
int Fail(const std::string& msg);

// Writes @text to stdout and flushes it: 0, or Fail("stdout: write error").
int WriteStdout(const std::string& text);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_COMMON_CMD_H_
