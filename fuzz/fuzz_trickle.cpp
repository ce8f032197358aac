// A trickle PATCH body (application/trickle-ice-sdpfrag) and the candidate lines in it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/webrtc/sdp_rewrite.hpp"

using namespace framewire::transport::webrtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = parseTrickleFragment(text);
  if (result.fragment) {
    for (const auto& candidate : result.fragment->candidates) {
      (void)parseCandidate(candidate.candidate);
      (void)isMdnsCandidate(candidate.candidate);
      (void)replaceCandidateAddress(candidate.candidate, "127.0.0.1");
    }
  }
  (void)parseCandidate(text);
  (void)isMdnsCandidate(text);
  return 0;
}
