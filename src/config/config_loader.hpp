#pragma once
// Builds a Config from the command line and an optional YAML file (--config FILE).
// Order: defaults, then the file, then flags. YAML keys are the flag names without dashes
// ("jpeg-quality" or "jpeg_quality"). Every problem throws ConfigError with one line naming
// the key, the value and what is valid.

#include <string>
#include <vector>

#include "config/config.hpp"

namespace framewire::config {

struct LoadResult {
  Config config;
  bool exit_now = false;  // --help or --version was answered
  int exit_code = 0;
  std::string output;     // text to print when exit_now (help, version)
};

LoadResult loadConfig(const std::vector<std::string>& args);  // args[0] is the program name

// Applies a YAML document's text (tests use this directly). `origin` names it in messages.
void applyYaml(Config& config, const std::string& yaml_text, const std::string& origin);

// The settings table, for docs and --help: key, placeholder and help text.
struct SettingInfo {
  std::string key;
  std::string placeholder;
  std::string help;
  std::string default_value;
};
std::vector<SettingInfo> settingsTable();

}  // namespace framewire::config
