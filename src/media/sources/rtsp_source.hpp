#pragma once
#include "media/sources/source_spec.hpp"

namespace framewire::media {

SourceSpec rtspSource(const config::Config& config);

}  // namespace framewire::media
