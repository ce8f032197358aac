#pragma once
// The body of POST /api/settings (docs/protocol.md#live-settings): a JSON object with
// "branch" (optional: the default branch) and any of "bitrate" (kbit/s), "fps", "gop",
// "width", "height", "jpeg_quality". Pure parsing, unit-tested with mutated bodies.

#include <string_view>

#include "media/encoders/branch_control.hpp"

namespace framewire::server {

// Throws std::invalid_argument with the reason (unknown key, not an integer, nothing to change).
media::SettingsRequest parseSettingsRequest(std::string_view body);

}  // namespace framewire::server
