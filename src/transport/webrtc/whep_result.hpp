#pragma once
// What a WHEP request gets back, independent of the HTTP library that sends it.

#include <string>
#include <utility>
#include <vector>

namespace framewire::transport::webrtc {

struct WhepResult {
  int status = 500;
  // In order; a name may repeat (several Link headers).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // the SDP answer, or JSON {"error": "..."}

  // The value of the first header called `name` (case-sensitive), or "".
  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

// A JSON answer: `status`, Content-Type application/json and `json_text` as the body.
WhepResult jsonResult(int status, std::string json_text);
// `{"error": reason}` with `status`: every refusal a WHEP or peer request gets.
WhepResult errorResult(int status, const std::string& reason);

}  // namespace framewire::transport::webrtc
