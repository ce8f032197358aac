#include "transport/webrtc/whep_result.hpp"

#include <nlohmann/json.hpp>

namespace framewire::transport::webrtc {

WhepResult jsonResult(int status, std::string json_text) {
  WhepResult r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(json_text);
  return r;
}

WhepResult errorResult(int status, const std::string& reason) {
  return jsonResult(status, nlohmann::json{{"error", reason}}.dump());
}

}  // namespace framewire::transport::webrtc
