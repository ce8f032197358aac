#include "server/peer_branch_request.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace framewire::server {

PeerBranchRequest parsePeerBranchRequest(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) throw std::invalid_argument("the body is not valid JSON");
  if (!doc.is_object()) throw std::invalid_argument("the body must be a JSON object");
  PeerBranchRequest request;
  for (const auto& [key, value] : doc.items()) {
    if (key == "branch") {
      if (!value.is_string()) throw std::invalid_argument("branch: must be a string");
      const auto branch = value.get<std::string>();
      if (branch.empty() || branch.size() > 64) {
        throw std::invalid_argument("branch: must be 1 to 64 characters");
      }
      request.branch = branch;
    } else if (key == "auto") {
      if (!value.is_boolean()) throw std::invalid_argument("auto: must be true or false");
      request.auto_branch = value.get<bool>();
    } else {
      throw std::invalid_argument("unknown key \"" + key + "\" (valid: branch, auto)");
    }
  }
  if (!request.branch && !request.auto_branch) {
    throw std::invalid_argument("nothing asked for: give \"branch\" and/or \"auto\"");
  }
  return request;
}

std::optional<bool> parseAutoQuery(std::string_view value) {
  if (value.empty()) return std::nullopt;
  if (value == "1" || value == "true" || value == "on") return true;
  if (value == "0" || value == "false" || value == "off") return false;
  throw std::invalid_argument("auto: must be 0 or 1");
}

}  // namespace framewire::server
