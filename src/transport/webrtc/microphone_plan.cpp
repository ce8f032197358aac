#include "transport/webrtc/microphone_plan.hpp"

#include <strings.h>

#include <algorithm>
#include <cstdlib>

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
  const auto bundle = offer.bundleMids();
  const auto bundled = [&](const std::string& mid) {
    return !mid.empty() && std::find(bundle.begin(), bundle.end(), mid) != bundle.end();
  };
  if (!bundled(plan.video_mid)) return;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const auto& section = offer.media[i];
    if (section.media != "audio" || !section.isRtp() || !clientSends(section) ||
        !bundled(section.mid)) {
      continue;
    }
    for (const auto& format : section.formats) {
      const int pt = std::atoi(format.c_str());
      const auto it = section.rtpmaps.find(pt);
      if (it == section.rtpmaps.end()) continue;
      if (strcasecmp(it->second.encoding.c_str(), "opus") != 0 || it->second.clock_rate != 48000) {
        continue;
      }
      AudioChoice choice;
      choice.index = i;
      choice.mid = section.mid;
      choice.payload_type = pt;
      choice.codec = ServerAudioCodec{"OPUS", 48000, 2};
      choice.send = false;
      choice.receive = true;
      plan.audio = choice;
      std::erase(plan.rejected, i);
      return;
    }
  }
}

const char* answerDirection(const AudioChoice& audio) {
  if (audio.send && audio.receive) return "sendrecv";
  return audio.receive ? "recvonly" : "sendonly";
}

}  // namespace framewire::transport::webrtc
