// SPDX-License-Identifier: GPL-2.0
#include "config_load.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "ipvsadm_list.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

struct Name {
  ConfigFormat format;
  const char* name;
};
constexpr Name kNames[] = {{ConfigFormat::kAuto, "auto"},
                           {ConfigFormat::kRules, "rules"},
                           {ConfigFormat::kList, "list"},
                           {ConfigFormat::kListNosort, "list-nosort"},
                           {ConfigFormat::kKeepalived, "keepalived"}};

}  // namespace

bool ParseConfigFormat(const std::string& name, ConfigFormat* out) {
  for (const Name& n : kNames) {
    if (name == n.name) {
      *out = n.format;
      return true;
    }
  }
  return false;
}

const char* ConfigFormatName(ConfigFormat f) {
  for (const Name& n : kNames)
    if (n.format == f) return n.name;
  return "?";
}

std::vector<std::string> ConfigFormatNames() {
  std::vector<std::string> out;
  for (const Name& n : kNames) out.emplace_back(n.name);
  return out;
}

ConfigFormat DetectConfigFormat(const std::string& text) {
  if (LooksLikeKeepalived(text)) return ConfigFormat::kKeepalived;
  if (LooksLikeIpvsadmList(text)) return ConfigFormat::kList;
  return ConfigFormat::kRules;
}

bool LoadConfigText(const std::string& text, const std::string& name, const std::string& dir,
                    ConfigFormat format, const KeepalivedOptions& kopts, LoadedConfig* out,
                    std::string* err) {
  LoadedConfig lc;
  lc.format = format == ConfigFormat::kAuto ? DetectConfigFormat(text) : format;
  bool ok = false;
  switch (lc.format) {
    case ConfigFormat::kKeepalived:
      ok = ParseKeepalivedConfigText(text, name, dir, kopts, &lc.config, &lc.warnings, err);
      break;
    case ConfigFormat::kList:
    case ConfigFormat::kListNosort:
      ok = ParseIpvsadmList(text, name, lc.format == ConfigFormat::kList, &lc.config, &lc.warnings,
                            err);
      break;
    default:
      ok = ParseIpvsadmConfigText(text, name, &lc.config, err);
      break;
  }
  if (!ok) return false;
  *out = std::move(lc);
  return true;
}

bool LoadConfig(const std::string& path, ConfigFormat format, const KeepalivedOptions& kopts,
                LoadedConfig* out, std::string* err) {
  std::string text;
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!ReadWholeFile(path, &text, err)) {
    return false;
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (path == "-" || parent.empty()) parent = ".";
  std::string dir = parent.string();
  return LoadConfigText(text, path, dir, format, kopts, out, err);
}

}  // namespace ipvs_sim
