#pragma once
// The "audio" member of /api/state (docs/protocol.md): source, codec, whether capture runs,
// why not, frame counts and the capture → socket delay of recent audio frames.

#include <nlohmann/json.hpp>

namespace framewire::media {
class AudioEngine;
}

namespace framewire::server {

nlohmann::json audioStateJson(media::AudioEngine& audio);

}  // namespace framewire::server
