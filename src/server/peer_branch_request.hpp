#pragma once
// The body of POST /api/peers/<id>/branch (docs/protocol.md#branch-switching): a JSON object
// with "branch" (a branch id) and/or "auto" (true/false: the peer's automatic switching), and
// the ?auto= query of POST /whep. Pure parsing, unit-tested with mutated bodies.

#include <optional>
#include <string>
#include <string_view>

namespace framewire::server {

struct PeerBranchRequest {
  std::optional<std::string> branch;
  std::optional<bool> auto_branch;
};

// Throws std::invalid_argument with the reason (not JSON, unknown key, wrong type, nothing
// asked for).
PeerBranchRequest parsePeerBranchRequest(std::string_view body);

// "1"/"true"/"on" → true, "0"/"false"/"off" → false, "" → nullopt; anything else throws
// std::invalid_argument.
std::optional<bool> parseAutoQuery(std::string_view value);

}  // namespace framewire::server
