// The YAML config (every setting's parser, and the branches' expressions through them).
// Only ConfigError may come out: anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/branch_settings.hpp"
#include "config/config.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return 0;
  framewire::config::Config config;
  try {
    framewire::config::applyYaml(config, std::string(reinterpret_cast<const char*>(data), size),
                                 "fuzz.yaml");
    // The branches' expressions (muParser) are evaluated when the media engine starts.
    const framewire::config::SourceShape shape{config.width, config.height, config.fps};
    for (const auto& branch : config.branches) {
      try {
        (void)framewire::config::evaluateBranch(branch, shape, config.bitrate_kbps, config.gop);
      } catch (const framewire::config::ConfigError&) {
      }
    }
  } catch (const framewire::config::ConfigError&) {
  }
  return 0;
}
