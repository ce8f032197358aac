#pragma once
// Whether a WHEP answer takes the viewer's microphone, and on which audio section. Pure.
//
// Called only for viewers allowed to send one (docs/config.md, `microphone`):
// - the server's audio is already planned on a section the offer also sends on (a=sendrecv):
//   that section receives too (one transceiver both ways, the same payload type and codec);
// - no server audio planned (audio-source none, the offer's audio section only sends, or it
//   does not offer the server's codec): the offer's first audio section in the video's BUNDLE
//   group that sends a codec the microphone player decodes becomes a receive-only track. The
//   codec: Opus if offered, else G.722, PCMU, PCMA (kMicrophoneCodecs, in that order).
// Otherwise the plan is left as it is (the answer then says sendonly, or rejects the section);
// when the offer sends audio in none of those codecs, `declined` (if given) says so.

#include <string>

#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

// What the microphone player decodes (microphone_player.cpp), best first.
inline const ServerAudioCodec kMicrophoneCodecs[] = {
    {"OPUS", 48000, 2}, {"G722", 8000, 1}, {"PCMU", 8000, 1}, {"PCMA", 8000, 1}};

void planMicrophone(AnswerPlan& plan, const SessionDescription& offer,
                    std::string* declined = nullptr);

// The direction framewire answers an audio section with, from its side ("sendonly",
// "recvonly", "sendrecv").
const char* answerDirection(const AudioChoice& audio);

}  // namespace framewire::transport::webrtc
