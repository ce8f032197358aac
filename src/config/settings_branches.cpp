// `branches:` (see branch_settings.hpp and docs/config.md#branches).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <muParser.h>

#include "config/branch_settings.hpp"
#include "config/config_error.hpp"
#include "config/setting.hpp"

namespace framewire::config {
namespace {

const std::vector<std::string> kBranchKeys{"id",  "codec", "encoder", "width",  "height",
                                           "fps", "bitrate", "gop",   "params", "pipeline"};
const std::vector<std::string> kCodecs{"h264", "h265", "vp8", "vp9", "av1"};

bool isIdentifier(const std::string& text) {
  if (text.empty() || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

int inRange(const std::string& where, const std::string& text, double value, int min, int max) {
  if (!std::isfinite(value)) {
    throw ConfigError(fmt::format("{}: '{}' is not a finite number", where, text));
  }
  const double rounded = std::round(value);
  if (rounded < min || rounded > max) {
    throw ConfigError(
        fmt::format("{}: '{}' gives {:g}, must be {} to {}", where, text, rounded, min, max));
  }
  return static_cast<int>(rounded);
}

std::string scalar(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) throw ConfigError(fmt::format("{}: must be a single value", where));
  return node.Scalar();
}

BranchConfig parseBranch(const YAML::Node& node, std::size_t index, const std::string& origin) {
  BranchConfig b;
  b.origin = origin;
  const std::string item = fmt::format("branches[{}] in {}", index, origin);
  if (!node.IsMap()) {
    throw ConfigError(fmt::format("{}: each branch must be a map (id: ..., codec: ...)", item));
  }
  const YAML::Node id = node["id"];
  if (!id) throw ConfigError(fmt::format("{}: id: missing (every branch needs an id)", item));
  b.id = scalar(id, item + ": id");
  if (!isIdentifier(b.id)) {
    throw ConfigError(fmt::format("{}: id: '{}' is not valid: 1 to 32 letters, digits, - or _",
                                  item, b.id));
  }
  if (b.id == "jpeg") {
    throw ConfigError(fmt::format("{}: id: 'jpeg' is the MJPEG branch's; pick another", item));
  }
  const std::string where = fmt::format("branch '{}' in {}", b.id, origin);
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>("");
    std::replace(key.begin(), key.end(), '_', '-');
    if (std::find(kBranchKeys.begin(), kBranchKeys.end(), key) == kBranchKeys.end()) {
      throw ConfigError(fmt::format("{}: unknown key '{}': valid keys are {}", where, key,
                                    fmt::join(kBranchKeys, ", ")));
    }
    const std::string at = where + ": " + key;
    if (key == "id") continue;
    if (key == "params") {
      if (!entry.second.IsMap()) {
        throw ConfigError(fmt::format("{}: must be a map of encoder properties", at));
      }
      for (const auto& p : entry.second) {
        const std::string name = p.first.as<std::string>("");
        b.params[name] = scalar(p.second, at + "." + name);
      }
      continue;
    }
    const std::string value = scalar(entry.second, at);
    if (key == "codec") {
      if (std::find(kCodecs.begin(), kCodecs.end(), value) == kCodecs.end()) {
        throw ConfigError(fmt::format("{}: '{}' is not valid: must be one of {}", at, value,
                                      fmt::join(kCodecs, ", ")));
      }
      b.codec = value;
    } else if (key == "encoder") {
      if (value != "auto" && !isIdentifier(value)) {
        throw ConfigError(fmt::format("{}: '{}' is not valid: auto or an element name", at, value));
      }
      b.encoder = value;
    } else if (key == "width") {
      b.width = value;
    } else if (key == "height") {
      b.height = value;
    } else if (key == "fps") {
      b.fps = value;
    } else if (key == "bitrate") {
      b.bitrate = value;
    } else if (key == "gop") {
      b.gop = value;
    } else if (key == "pipeline") {
      if (value.find("appsrc") != std::string::npos || value.find("appsink") != std::string::npos) {
        throw ConfigError(fmt::format(
            "{}: the encode part only: framewire adds the appsrc before and the appsink after",
            at));
      }
      b.pipeline = value;
    }
  }
  return b;
}

}  // namespace

double evaluateExpression(const std::string& where, const std::string& text,
                          const SourceShape& source) {
  if (text.empty()) throw ConfigError(fmt::format("{}: empty expression", where));
  try {
    mu::Parser parser;
    double width = source.width;
    double height = source.height;
    double fps = source.fps;
    parser.DefineVar("width", &width);
    parser.DefineVar("height", &height);
    parser.DefineVar("fps", &fps);
    parser.SetExpr(text);
    return parser.Eval();
  } catch (const mu::Parser::exception_type& e) {
    throw ConfigError(fmt::format("{}: '{}' is not a valid expression: {}", where, text,
                                  e.GetMsg()));
  }
}

BranchValues evaluateBranch(const BranchConfig& branch, const SourceShape& source,
                            int default_bitrate, int default_gop) {
  const std::string where = fmt::format("branch '{}'{}", branch.id,
                                        branch.origin.empty() ? "" : " in " + branch.origin);
  const auto eval = [&](const char* key, const std::string& text, int min, int max) {
    const std::string at = fmt::format("{}: {}", where, key);
    return inRange(at, text, evaluateExpression(at, text, source), min, max);
  };
  BranchValues v;
  v.width = eval("width", branch.width, 16, 7680) & ~1;
  v.height = eval("height", branch.height, 16, 4320) & ~1;
  v.fps = eval("fps", branch.fps, 1, 240);
  v.bitrate_kbps = branch.bitrate.empty() ? default_bitrate
                                          : eval("bitrate", branch.bitrate, 50, 200000);
  v.gop = branch.gop.empty() ? default_gop : eval("gop", branch.gop, 0, 100000);
  return v;
}

void applyBranchesYaml(Config& config, const YAML::Node& node, const std::string& origin) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(fmt::format(
        "branches in {}: must be a list of branches (- id: main\\n  codec: h264 ...)", origin));
  }
  std::vector<BranchConfig> branches;
  for (std::size_t i = 0; i < node.size(); ++i) {
    BranchConfig b = parseBranch(node[i], i, origin);
    for (const auto& other : branches) {
      if (other.id == b.id) {
        throw ConfigError(fmt::format("branch '{}' in {}: id: used twice", b.id, origin));
      }
    }
    branches.push_back(std::move(b));
  }
  config.branches = std::move(branches);
  validateBranches(config);
}

void validateBranches(const Config& config) {
  for (const auto& b : config.branches) {
    evaluateBranch(b, {config.width, config.height, config.fps}, config.bitrate_kbps, config.gop);
  }
}

}  // namespace framewire::config
