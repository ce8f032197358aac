#pragma once
#include "media/sources/source_spec.hpp"

namespace framewire::media {

SourceSpec x11Source(const config::Config& config);

}  // namespace framewire::media
