#pragma once
// One setting: its key (also the flag name), how it reads its text value into Config.
// Settings are grouped by area in settings_<area>.cpp; config_loader.cpp lists the groups.

#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/config_loader.hpp"

namespace YAML {
class Node;
}

namespace framewire::config {

// Reads `value` into the config, or throws ConfigError naming `where` (the key and its origin).
using Setter = std::function<void(Config&, const std::string& where, const std::string& value)>;

struct Setting {
  SettingInfo info;
  Setter apply;
  // A list setting: YAML takes a sequence (or one value), the flag may be repeated; `apply`
  // is called once per item, in order, after the list is cleared by `clear`.
  std::function<void(Config&)> clear = {};
};

void addGeneralSettings(std::vector<Setting>& table);
void addSourceSettings(std::vector<Setting>& table);
void addWebRtcSettings(std::vector<Setting>& table);

// `branches:` is a list of maps, not a flag: the YAML reader hands it over whole.
void applyBranchesYaml(Config& config, const YAML::Node& node, const std::string& origin);
// Evaluates every branch against the final size and fps (after flags); throws ConfigError.
void validateBranches(const Config& config);
void addSecuritySettings(std::vector<Setting>& table);
void addLimitSettings(std::vector<Setting>& table);
void addTlsSettings(std::vector<Setting>& table);
void addRecordSettings(std::vector<Setting>& table);
void addAudioSettings(std::vector<Setting>& table);

}  // namespace framewire::config
