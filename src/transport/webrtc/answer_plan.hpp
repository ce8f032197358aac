#pragma once
// What framewire will answer to a WHEP offer, decided before any GStreamer object exists:
// which m-section carries the video, which payload type of the branch's codec (H.264, VP8,
// VP9 or AV1) and its RTX to send with,
// and which sections are rejected (audio until framewire has audio, data channels, extra
// video sections). Pure functions.

#include <optional>
#include <string>
#include <vector>

#include "transport/webrtc/h264_profile.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

// What the branch sends.
struct ServerVideoCodec {
  ProfileLevelId profile_level_id;  // from the stream's SPS, or the configured profile
  int packetization_mode = 1;       // rtph264pay fragments (FU-A): mode 1 only
  std::string encoding = "H264";    // the rtpmap name: "H264", "VP8", "VP9", "AV1"
};

// The client's payload type for the branch's codec (named for H.264, which came first; VP8,
// VP9 and AV1 fill the same fields).
struct H264Choice {
  int payload_type = -1;
  std::string fmtp;                     // the client's parameters, answered verbatim
  std::optional<int> rtx_payload_type;  // the client's rtx for it, if offered
  std::vector<std::string> rtcp_fbs;    // the client's feedback for it ("nack", "nack pli")
  bool exact_profile = false;           // the client's profile equals the stream's
  std::string encoding = "H264";        // the rtpmap name, as ServerVideoCodec::encoding
};

// What the audio bus carries, as RTP names it ("OPUS"/48000/2, "PCMU"/8000/1, ...).
struct ServerAudioCodec {
  std::string encoding = "OPUS";
  int clock_rate = 48000;
  int channels = 2;
};

// The offer's audio section framewire sends into, and the client's payload type for the codec.
struct AudioChoice {
  std::size_t index = 0;
  std::string mid;
  int payload_type = -1;
  ServerAudioCodec codec;
  bool send = true;      // the server's audio goes out on it
  bool receive = false;  // the viewer's microphone comes in on it (microphone_plan.hpp)
  // The offer's id for the abs-capture-time header extension in this section
  // (header_extensions.hpp); when set and the server sends here, the answer accepts it and
  // every audio packet carries its frame's capture time.
  std::optional<int> abs_capture_time_id;
};

struct AnswerPlan {
  std::size_t video_index = 0;  // m-section that carries the video
  std::string video_mid;
  H264Choice codec;
  std::vector<std::size_t> rejected;  // m-sections answered with port 0
  // The offer's id for the playout-delay header extension (header_extensions.hpp); when set,
  // the answer accepts it and every packet carries it. Cleared when the setting is off.
  std::optional<int> playout_delay_id;
  // The offer's id for the abs-capture-time header extension: every video packet carries its
  // frame's capture time (the page's A/V offset, docs/protocol.md "Sound and picture").
  std::optional<int> abs_capture_time_id;
  // Audio, when the server has some and the offer has a receiving audio section in the video's
  // BUNDLE group that takes its codec; otherwise every audio section is rejected.
  std::optional<AudioChoice> audio;
};

// Which class of error, so the HTTP layer can pick the status.
enum class PlanError {
  kNone,
  kMalformed,      // 400: the SDP is not a usable WebRTC offer (no ICE credentials, ...)
  kNoVideo,        // 422: no video m-section the server could send to
  kNoCommonCodec,  // 422: video, but no codec the server can send
};

struct PlanResult {
  std::optional<AnswerPlan> plan;
  PlanError error = PlanError::kNone;
  std::string reason;
};

// Picks the H.264 payload type of `section` that fits `server` best: packetization-mode 1
// required; the client's profile must be able to decode the stream's; an exact profile match
// wins, then level-asymmetry-allowed or a level at least the stream's; ties go to the client's
// order of preference. Returns nothing and fills `why_not` (the offered codecs) when none fit.
std::optional<H264Choice> chooseH264(const MediaSection& section, const ServerVideoCodec& server,
                                     std::string* why_not);

// VP8, VP9 or AV1 (`encoding`): the client's first payload type of that name at 90 kHz (VP9 and
// AV1: profile 0, the only one framewire encodes, or no profile given).
std::optional<H264Choice> chooseByName(const MediaSection& section, const std::string& encoding,
                                       std::string* why_not);

// Plans the answer for a whole offer.
PlanResult planAnswer(const SessionDescription& offer, const ServerVideoCodec& server);

// The offer's first RTP audio section that `usable` accepts, bundled with `video_mid`, and its
// first payload type of `codec` (encoding and clock rate).
std::optional<AudioChoice> firstBundledAudio(const SessionDescription& offer,
                                             const std::string& video_mid,
                                             const ServerAudioCodec& codec,
                                             bool (*usable)(const MediaSection&));
// The offer's first audio section that receives, is bundled with `video_mid` and offers
// `codec`.
std::optional<AudioChoice> chooseAudio(const SessionDescription& offer,
                                       const std::string& video_mid,
                                       const ServerAudioCodec& codec);
// Adds audio to a planned answer (the section is then no longer rejected) when the offer
// takes the server's audio codec; leaves the plan as it is otherwise.
void planAudio(AnswerPlan& plan, const SessionDescription& offer, const ServerAudioCodec& codec);

// "VP8, VP9, H264 (packetization-mode=0, 42001f), AV1": a section's codecs for error messages.
std::string describeCodecs(const MediaSection& section);

}  // namespace framewire::transport::webrtc
