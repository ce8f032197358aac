#pragma once
// Whether a WHEP answer takes the viewer's microphone, and on which audio section. Pure.
//
// Called only for viewers allowed to send one (docs/config.md, `microphone`):
// - the server's audio is already planned on a section the offer also sends on (a=sendrecv):
//   that section receives too (one transceiver both ways, the same payload type and codec);
// - no server audio planned (audio-source none, or the offer's audio section only sends): the
//   offer's first audio section in the video's BUNDLE group that sends Opus (opus/48000/2)
//   becomes a receive-only track.
// Otherwise the plan is left as it is (the answer then says sendonly, or rejects the section).

#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

void planMicrophone(AnswerPlan& plan, const SessionDescription& offer);

// The direction framewire answers an audio section with, from its side ("sendonly",
// "recvonly", "sendrecv").
const char* answerDirection(const AudioChoice& audio);

}  // namespace framewire::transport::webrtc
