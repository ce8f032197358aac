#include "config/config_loader.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "config/config_error.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

using Setter = std::function<void(Config&, const std::string& where, const std::string& value)>;

struct Setting {
  SettingInfo info;
  Setter apply;
};

std::string toString(double value) { return fmt::format("{:g}", value); }

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = [] {
    const Config d;
    std::vector<Setting> t;
    t.push_back({{"listen", "HOST:PORT", "address to serve on (port 0 picks a free port)",
                  fmt::format("{}:{}", d.listen_host, d.listen_port)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   std::tie(c.listen_host, c.listen_port) = parseListen(w, v);
                 }});
    t.push_back({{"source", "NAME", "picture source: test", d.source},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.source = parseChoice(w, v, {"test"});
                 }});
    t.push_back({{"size", "WxH", "picture size", fmt::format("{}x{}", d.width, d.height)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   std::tie(c.width, c.height) = parseSize(w, v);
                 }});
    t.push_back({{"fps", "N", "frames per second, 1 to 240", std::to_string(d.fps)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.fps = static_cast<int>(parseInteger(w, v, 1, 240));
                 }});
    t.push_back({{"bitrate", "KBPS", "H.264 bitrate in kbit/s, 100 to 100000",
                  std::to_string(d.bitrate_kbps)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.bitrate_kbps = static_cast<int>(parseInteger(w, v, 100, 100000));
                 }});
    t.push_back({{"gop", "FRAMES",
                  "frames between keyframes; 0 = keyframes only on request (joins, losses)",
                  std::to_string(d.gop)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.gop = static_cast<int>(parseInteger(w, v, 0, 100000));
                 }});
    t.push_back({{"preset", "NAME", "x264 speed preset", d.preset},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.preset = parseChoice(w, v,
                                          {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                           "medium", "slow", "slower", "veryslow"});
                 }});
    t.push_back({{"profile", "NAME", "H.264 profile", d.profile},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.profile = parseChoice(w, v, {"constrained-baseline", "baseline", "main",
                                                  "high"});
                 }});
    t.push_back({{"jpeg-quality", "Q", "JPEG quality for MJPEG and snapshots, 1 to 100",
                  std::to_string(d.jpeg_quality)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.jpeg_quality = static_cast<int>(parseInteger(w, v, 1, 100));
                 }});
    t.push_back({{"jpeg-fps", "N", "most JPEG pictures per second, 1 to 120",
                  std::to_string(d.jpeg_fps)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.jpeg_fps = static_cast<int>(parseInteger(w, v, 1, 120));
                 }});
    t.push_back({{"linger", "SECONDS",
                  "keep capturing this long after the last viewer leaves, 0 to 3600",
                  toString(d.linger_seconds)},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.linger_seconds = parseNumber(w, v, 0, 3600);
                 }});
    t.push_back({{"log-level", "LEVEL", "trace, debug, info, warn, error or off", d.log_level},
                 [](Config& c, const std::string& w, const std::string& v) {
                   c.log_level =
                       parseChoice(w, v, {"trace", "debug", "info", "warn", "error", "off"});
                 }});
    t.push_back({{"web-dir", "DIR", "directory of the web UI (default: the built-in one)", ""},
                 [](Config& c, const std::string& w, const std::string& v) {
                   std::error_code ec;
                   if (!std::filesystem::is_regular_file(std::filesystem::path(v) / "index.html",
                                                         ec)) {
                     throw ConfigError(fmt::format(
                         "{}: '{}' is not valid: must be a directory holding index.html", w, v));
                   }
                   c.web_dir = v;
                 }});
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
    const Setting* setting = findSetting(key);
    if (setting == nullptr) {
      throw ConfigError(fmt::format("{}: unknown key '{}': valid keys are {}", origin, key,
                                    knownKeys()));
    }
    const std::string where = fmt::format("{} in {}", setting->info.key, origin);
    if (!entry.second.IsScalar()) {
      throw ConfigError(fmt::format("{}: must be a single value, not a list or map", where));
    }
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
  CLI::App app{"framewire: a low-latency live video server (WebCodecs Direct H.264, MJPEG, "
               "snapshots)",
               "framewire"};
  app.set_version_flag("--version", "framewire 0.1.0");
  app.get_formatter()->column_width(34);

  std::string config_path;
  app.add_option("--config", config_path, "YAML file with the same settings (flags win)");
  std::map<std::string, std::string> flag_values;
  for (const auto& s : settings()) {
    std::string help = s.info.help;
    if (!s.info.default_value.empty()) help += fmt::format(" [default: {}]", s.info.default_value);
    app.add_option("--" + s.info.key, flag_values[s.info.key], help)
        ->type_name(s.info.placeholder);
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
    if (option->count() > 0) {
      s.apply(result.config, "--" + s.info.key, flag_values[s.info.key]);
    }
  }
  return result;
}

}  // namespace framewire::config
