#pragma once
#include "media/sources/source_spec.hpp"

namespace framewire::media {

SourceSpec stdinSource(const config::Config& config);

}  // namespace framewire::media
