#pragma once
// The /api/state document (docs/protocol.md): source, branches with rates and per-stage
// latency, streaming clients, uptime, version.

#include <string>

#include "transport/client_registry.hpp"

namespace framewire::media {
class MediaEngine;
}

namespace framewire::server {

std::string stateJson(media::MediaEngine& media, const transport::ClientRegistry& clients,
                      double uptime_s);

// "2024-05-01T12:00:00.123Z" for a wall-clock time in µs since the Unix epoch.
std::string isoTime(std::int64_t wall_us);

}  // namespace framewire::server
