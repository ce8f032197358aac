// A WHEP offer: SDP parsing, the answer plan, the offer rewritten for webrtcbin, serialising.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"
#include "transport/webrtc/sdp_session.hpp"

using namespace framewire::transport::webrtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parseSdp(text);
  if (!parsed.description) return 0;
  const auto& offer = *parsed.description;
  (void)serializeSdp(offer);
  ServerVideoCodec server;
  server.profile_level_id = parseProfileLevelId("42e01f").value_or(ProfileLevelId{});
  const auto plan = planAnswer(offer, server);
  for (const auto& section : offer.media) {
    (void)describeCodecs(section);
    (void)serializeSection(section);
  }
  if (plan.plan) (void)agentOffer(offer, *plan.plan);
  return 0;
}
