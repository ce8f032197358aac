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

void planMicrophone(AnswerPlan& plan, const SessionDescription& offer, std::string* declined) {
  if (plan.audio) {
    if (plan.audio->index < offer.media.size() && clientSends(offer.media[plan.audio->index])) {
      plan.audio->receive = true;
    }
    return;
  }
  std::optional<AudioChoice> choice;
  for (const auto& codec : kMicrophoneCodecs) {
    choice = firstBundledAudio(offer, plan.video_mid, codec, clientSends);
    if (choice) break;
  }
  if (!choice) {
    if (declined) {
      for (const auto& section : offer.media) {
        if (section.media != "audio" || !section.isRtp() || !clientSends(section)) continue;
        *declined = "the viewer's microphone offers " + describeCodecs(section) +
                    "; framewire plays Opus, G.722, PCMU or PCMA: its audio section is "
                    "declined";
        break;
      }
    }
    return;
  }
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
