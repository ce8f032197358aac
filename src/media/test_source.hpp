#pragma once
// The gst-launch description of the configured source, ending in raw I420 video at the
// configured size and rate (the capture pipeline appends its appsink).

#include <string>
#include <vector>

#include "config/config.hpp"

namespace framewire::media {

// Throws std::runtime_error for a source this build cannot capture yet.
std::string sourceDescription(const config::Config& config);

// The elements sourceDescription() needs for `config`, to check before anything starts.
std::vector<std::string> sourceElements(const config::Config& config);

}  // namespace framewire::media
