#pragma once
#include "media/sources/source_spec.hpp"

namespace framewire::media {

SourceSpec fileSource(const config::Config& config);

}  // namespace framewire::media
