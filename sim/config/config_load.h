// SPDX-License-Identifier: GPL-2.0
// --config for every subcommand: detects which of the three formats a file
// is in (or takes --config-format) and hands it to its parser, all of which
// produce an IpvsConfig.
//   rules        ipvsadm -Sn / ipvsadm -R rules, ipvs-snapshot output
//                (ipvsadm_config.h)
//   list         ipvsadm -Ln output; sorted, so real-server order is unknown
//                and a warning names the mh/sh services (ipvsadm_list.h)
//   list-nosort  ipvsadm -Ln --nosort output: list order, head first
//   keepalived   keepalived.conf (keepalived_config.h)
// Detection (auto) reads the content, never the file name: keepalived
// keywords (virtual_server, global_defs, vrrp_*, include ...) make it
// keepalived; a first line like ipvsadm -L's header, service or "->" line
// makes it list (sorted: the text cannot show --nosort); anything else is
// rules.
#ifndef IPVS_SCHED_SIM_CONFIG_LOAD_H_
#define IPVS_SCHED_SIM_CONFIG_LOAD_H_

#include <string>
#include <vector>

#include "ipvsadm_config.h"
#include "keepalived_config.h"

namespace ipvs_sim {

enum class ConfigFormat { kAuto, kRules, kList, kListNosort, kKeepalived };

// "auto", "rules", "list", "list-nosort", "keepalived".
bool ParseConfigFormat(const std::string& name, ConfigFormat* out);
const char* ConfigFormatName(ConfigFormat f);
// The values ParseConfigFormat accepts.
std::vector<std::string> ConfigFormatNames();

// The format of @text (never kAuto).
ConfigFormat DetectConfigFormat(const std::string& text);

struct LoadedConfig {
  IpvsConfig config;
  ConfigFormat format = ConfigFormat::kRules;  // the one used
  std::vector<std::string> warnings;           // "file:line: ..." or "file: ..."
};

// Reads @path ("-": stdin) in @format. False with *err = "file:line: ..."
// (or "file: cannot open").
bool LoadConfig(const std::string& path, ConfigFormat format, const KeepalivedOptions& kopts,
                LoadedConfig* out, std::string* err);

// Same for @text named @name; keepalived includes resolve against @dir.
bool LoadConfigText(const std::string& text, const std::string& name, const std::string& dir,
                    ConfigFormat format, const KeepalivedOptions& kopts, LoadedConfig* out,
                    std::string* err);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_CONFIG_LOAD_H_
