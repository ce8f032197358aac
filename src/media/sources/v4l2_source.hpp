#pragma once
#include "media/sources/source_spec.hpp"

namespace framewire::media {

SourceSpec v4l2Source(const config::Config& config);

}  // namespace framewire::media
