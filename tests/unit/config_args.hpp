// Config from command-line arguments, for the settings tests: load() parses them as
// `framewire ARGS...` would; errorOf() returns the ConfigError's text ("" when they load).
#pragma once

#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"

namespace framewire::config::test_args {

inline Config load(std::vector<std::string> args) {
  args.insert(args.begin(), "framewire");
  return loadConfig(args).config;
}

inline std::string errorOf(std::vector<std::string> args) {
  try {
    load(std::move(args));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace framewire::config::test_args
