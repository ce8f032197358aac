#pragma once
// Live settings and branch lookup (docs/protocol.md#live-settings):
//   GET  /api/settings  each encoded branch's current settings and the default branch;
//   POST /api/settings  change a branch's bitrate / fps / GOP / size and the JPEG quality;
//                       400 with the reason for a refused value, 404 for an unknown branch;
//                       every change goes out as "settings_changed" on /ws/events.

#include <string_view>
#include <vector>

#include "net/router.hpp"
#include "server/routes.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::bus {
class FrameBus;
}

namespace framewire::server {

void addSettingsRoutes(net::Router& router, RouteContext& context);

// The bus of the H.264 branch a WHEP viewer asked for ("" or "main": the default branch, when
// no branch is called main); null when unknown or not H.264 (WebRTC carries H.264 only).
bus::FrameBus* whepBusFor(media::MediaEngine& media, std::string_view branch);

// The branches a WHEP viewer may get (WhepService::BranchLookup): "?branch=" names one (""
// when unknown or not a browser codec: h264, vp8, vp9, av1); no branch: all of those, the
// default branch first.
std::vector<transport::webrtc::WhepService::Branch> whepBranchesFor(media::MediaEngine& media,
                                                                    std::string_view branch);

}  // namespace framewire::server
