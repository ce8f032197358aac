#include "config/config_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = [] {
    std::vector<Setting> t;
    addGeneralSettings(t);
    addSourceSettings(t);
    addWebRtcSettings(t);
    addSecuritySettings(t);
    addLimitSettings(t);
    addTlsSettings(t);
    addRecordSettings(t);
    addAudioSettings(t);
    return t;
  }();
  return table;
}

const Setting* findSetting(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  for (const auto& s : settings()) {
    if (s.info.key == key) return &s;
  }
  return nullptr;
}

std::string knownKeys() {
  std::vector<std::string> keys;
  for (const auto& s : settings()) keys.push_back(s.info.key);
  return fmt::format("{}", fmt::join(keys, ", "));
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("--config: cannot read '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void applyYaml(Config& config, const std::string& yaml_text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: not valid YAML at line {}, column {}: {}", origin,
                                  e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) {
    throw ConfigError(fmt::format("{}: must be a map of settings (key: value)", origin));
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>("");
    if (key == "branches") {
      applyBranchesYaml(config, entry.second, origin);
      continue;
    }
    const Setting* setting = findSetting(key);
    if (setting == nullptr) {
      throw ConfigError(
          fmt::format("{}: unknown key '{}': valid keys are {}", origin, key, knownKeys()));
    }
    const std::string where = fmt::format("{} in {}", setting->info.key, origin);
    if (setting->clear && entry.second.IsSequence()) {
      setting->clear(config);
      for (const auto& item : entry.second) {
        if (!item.IsScalar()) {
          throw ConfigError(fmt::format("{}: each item must be a single value", where));
        }
        setting->apply(config, where, item.Scalar());
      }
      continue;
    }
    if (!entry.second.IsScalar()) {
      throw ConfigError(fmt::format("{}: must be a single value, not a list or map", where));
    }
    if (setting->clear) setting->clear(config);
    setting->apply(config, where, entry.second.Scalar());
  }
}

std::vector<SettingInfo> settingsTable() {
  std::vector<SettingInfo> out;
  for (const auto& s : settings()) out.push_back(s.info);
  return out;
}

LoadResult loadConfig(const std::vector<std::string>& args) {
  LoadResult result;
  CLI::App app{
      "framewire: a low-latency live video server (WebCodecs Direct H.264, MJPEG, "
      "snapshots)",
      "framewire"};
  app.set_version_flag("--version", "framewire 0.1.0");
  app.get_formatter()->column_width(34);

  std::string config_path;
  app.add_option("--config", config_path, "YAML file with the same settings (flags win)");
  // Answered by main before the settings are read (it needs GStreamer); listed for --help.
  bool list_encoders = false;
  app.add_flag("--list-encoders", list_encoders,
               "print the encoders of this machine (and why one is unavailable), then exit");
  // Every flag is read as text (a list setting: one text per use) and parsed by its setting,
  // so flags and YAML share one parser and one error message.
  std::map<std::string, std::vector<std::string>> flag_values;
  for (const auto& s : settings()) {
    std::string help = s.info.help;
    if (!s.info.default_value.empty()) help += fmt::format(" [default: {}]", s.info.default_value);
    if (s.clear) help += " (repeatable)";
    auto* option = app.add_option("--" + s.info.key, flag_values[s.info.key], help)
                       ->type_name(s.info.placeholder);
    if (s.clear) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
          ->expected(1)
          ->allow_extra_args(false);
    } else {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->expected(1);
    }
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  if (!reversed.empty()) reversed.pop_back();  // the program name
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    result.exit_now = true;
    result.output = app.help();
    return result;
  } catch (const CLI::CallForVersion&) {
    result.exit_now = true;
    result.output = "framewire 0.1.0\n";
    return result;
  } catch (const CLI::ParseError& e) {
    throw ConfigError(fmt::format("command line: {} (see framewire --help)", e.what()));
  }

  if (!config_path.empty()) applyYaml(result.config, readFile(config_path), config_path);
  for (const auto& s : settings()) {
    auto* option = app.get_option("--" + s.info.key);
    if (option->count() == 0) continue;
    if (s.clear) s.clear(result.config);
    for (const auto& value : flag_values[s.info.key])
      s.apply(result.config, "--" + s.info.key, value);
  }
  validateBranches(result.config);  // flags may have changed the size the branches follow
  return result;
}

}  // namespace framewire::config
