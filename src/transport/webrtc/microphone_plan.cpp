#include "transport/webrtc/microphone_plan.hpp"

#include <algorithm>

namespace framewire::transport::webrtc {
namespace {

// The client sends on it: sendrecv or sendonly, and not rejected (port 0 without bundle-only).
bool clientSends(const MediaSection& section) {
  const bool usable = section.port != 0 || section.attribute("bundle-only").has_value();
  return usable && (section.direction == "sendrecv" || section.direction == "sendonly");
}

}  // namespace

void planMicrophone(AnswerPlan& plan, const SessionDescription& offer) {
  if (plan.audio) {
    if (plan.audio->index < offer.media.size() && clientSends(offer.media[plan.audio->index])) {
      plan.audio->receive = true;
    }
    return;
  }
  auto choice = firstBundledAudio(offer, plan.video_mid, ServerAudioCodec{"OPUS", 48000, 2}, clientSends);
  if (!choice) return;
  choice->send = false;
  choice->receive = true;
  std::erase(plan.rejected, choice->index);
  plan.audio = std::move(choice);
}

const char* answerDirection(const AudioChoice& audio) {
  if (audio.send && audio.receive) return "sendrecv";
  return audio.receive ? "recvonly" : "sendonly";
}

}  // namespace framewire::transport::webrtc
