#pragma once
// WhepService: WebRTC playback through WHEP (draft-ietf-wish-whep), independent of the HTTP
// library. The HTTP layer maps
//   POST   /whep[?branch=<id>]  → postAsync() (or post())
//   PATCH  /whep/<id>           → patch()
//   DELETE /whep/<id>           → remove()
//   OPTIONS /whep               → options() (plus the HTTP layer's own CORS headers)
// and sends the WhepResult as is (status, headers in order, body).
//
// Statuses: 201 answer (Content-Type application/sdp, Location /whep/<id>, ETag, one Link
// rel="ice-server" per configured server); 400 malformed SDP or fragment; 404 unknown
// resource or branch; 412 If-Match does not match; 413 offer larger than max_offer_bytes;
// 415 wrong content type; 422 an offer framewire cannot serve (no video m-section, or no
// common codec: the reason names both sides' codecs; ICE restart in PATCH); 503 too many
// peers; 500 webrtcbin failed. 204 for PATCH, 200 for DELETE. Errors carry JSON
// {"error": "<reason>"}.
//
// Threads: every method may be called from any thread. postAsync() returns at once and calls
// `done` later on the service's control thread (do not block in it: post to your own
// executor). post(), patch() and remove() wait for the control thread: post() for up to the
// gathering timeout (2 s by default), the others for milliseconds; never call them from a
// network I/O thread that must stay responsive, and never from inside `done`.
// stats() only reads a snapshot and never waits.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bus/frame_bus.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/microphone_settings.hpp"
#include "transport/webrtc/branch_policy.hpp"
#include "transport/webrtc/webrtc_config.hpp"
#include "transport/webrtc/whep_result.hpp"

namespace framewire::transport::webrtc {

class PeerSession;
class MicrophonePlayer;
class SerialExecutor;

class WhepService {
 public:
  // Resolves "?branch=" to its H.264 bus; nullptr for unknown branches. Called on the
  // control thread.
  using BusLookup = std::function<bus::FrameBus*(std::string_view branch)>;
  // A branch a WHEP viewer may be served from: its id, its codec as the rtpmap names it
  // ("H264", "VP8", "VP9", "AV1") and its bus.
  struct Branch {
    std::string id;
    std::string encoding;
    bus::FrameBus* bus = nullptr;
    // How heavy the branch is (width × height × fps, then bitrate): automatic switching moves
    // a viewer to the next lighter / heavier branch of its codec (branch_policy.hpp).
    std::int64_t pixel_rate = 0;
    int bitrate_kbps = 0;
  };
  // "?branch=" → that branch alone (empty: unknown); no branch ("") → every branch a browser
  // can decode, in order (the first is the default). The offer is served from the first
  // whose codec it accepts. Called on the control thread.
  using BranchLookup = std::function<std::vector<Branch>(std::string_view branch)>;
  // Peer events for /ws/events: {"type":"webrtc_peer_joined"|"webrtc_peer_left", "id", ...}.
  // Called on the control thread.
  using EventListener = std::function<void(const nlohmann::json& event)>;

  // Calls gst_init if needed. Starts the control and feed threads.
  WhepService(WebRtcConfig config, BusLookup buses);  // one H.264 branch, "main"
  WhepService(WebRtcConfig config, BranchLookup branches);
  ~WhepService();  // stop()
  WhepService(const WhepService&) = delete;
  WhepService& operator=(const WhepService&) = delete;

  // `auto_branch`: this viewer's automatic branch switching (?auto=0|1); unset: the config's.
  void postAsync(std::string_view content_type, std::string_view body, std::string_view branch,
                 std::string_view client_addr, std::function<void(WhepResult)> done,
                 std::optional<bool> auto_branch = std::nullopt);
  WhepResult post(std::string_view content_type, std::string_view body, std::string_view branch,
                  std::string_view client_addr);
  WhepResult patch(std::string_view id, std::string_view content_type, std::string_view body,
                   std::string_view if_match);
  WhepResult remove(std::string_view id);
  // POST /api/peers/<id>/branch (whep_branch_switch.cpp): moves a peer to `branch` (same codec;
  // it keeps its connection) and/or turns its automatic switching on or off. A manual switch
  // turns automatic switching off unless `auto_branch` says otherwise. 200 with JSON {"id",
  // "branch", "switching_to", "auto_branch"}; 404 unknown peer or branch; 409 another codec.
  WhepResult switchPeerBranch(std::string_view id, std::optional<std::string> branch,
                              std::optional<bool> auto_branch);
  // 204 with Accept-Post: application/sdp and the Link headers.
  WhepResult options() const;

  // {"peers": [{"id","branch","remote","state","bytes_sent","packets_sent","nacks_received",
  //   "plis_received","firs_received","keyframe_requests","frames_sent","rtt_ms","loss",
  //   "packets_lost","jitter_ms","connected_ms"}], "max_peers": N}
  nlohmann::json stats() const;
  std::size_t peerCount() const;

  void setEventListener(EventListener listener);
  // Audio for offers with an audio section that takes `codec` (docs/protocol.md). Call before
  // the first POST; null (the default): every audio section is rejected.
  void setAudio(bus::FrameBus* bus, ServerAudioCodec codec, int frame_ms);
  // The viewer's microphone (docs/config.md, `microphone`): answers of allowed viewers take it
  // (sendrecv or recvonly audio) and it plays into the PulseAudio sink. Call before the first
  // POST; without it every answer's audio is sendonly. Its state joins stats() as
  // "microphone".
  void setMicrophone(MicrophoneSettings settings);
  // Closes every peer and stops the threads. Idempotent.
  void stop();

 private:
  void handlePost(std::string content_type, std::string body, std::string branch,
                  std::string client_addr, std::function<void(WhepResult)> done,
                  std::optional<bool> auto_branch);
  void removePeer(const std::string& id, const std::string& reason);
  void schedulePoll();
  void publishStats();
  // whep_branch_switch.cpp: one automatic-switching step per poll, and the switch itself.
  void adaptBranches();
  struct Entry;
  std::string startSwitch(const std::string& id, Entry& entry, const std::string& to,
                          const std::string& reason);
  void onPeerSwitched(const std::string& id, const std::string& from, const std::string& to);
  void emit(const nlohmann::json& event);

  const WebRtcConfig config_;
  bus::FrameBus* audio_bus_ = nullptr;  // set once before the first POST
  ServerAudioCodec audio_codec_;
  int audio_frame_ms_ = 10;
  std::shared_ptr<MicrophonePlayer> microphone_;  // set once before the first POST; or null
  const BranchLookup branches_;

  // Owned by the control thread only.
  struct Entry {
    std::shared_ptr<PeerSession> peer;
    std::string etag;
    bool auto_branch = true;
    BranchPolicy policy;
    std::string pending_reason;  // why the pending switch was asked for
    std::string branch_reason;   // why the peer is on its branch ("" = where it joined)
    std::uint64_t branch_switches = 0;
    std::int64_t lost_before = 0;  // the previous poll's counters, for the interval loss
    std::uint64_t sent_before = 0;
  };
  std::map<std::string, Entry, std::less<>> peers_;

  mutable std::mutex mutex_;  // guards the fields below
  nlohmann::json stats_snapshot_;
  std::size_t peer_count_ = 0;
  EventListener listener_;
  bool stopped_ = false;

  // Declared last: destroyed (joined) first, while everything above is still alive.
  std::unique_ptr<SerialExecutor> feed_;
  std::unique_ptr<SerialExecutor> control_;
};

// The path prefix of WHEP resources in Location headers.
inline constexpr std::string_view kWhepResourcePrefix = "/whep/";

}  // namespace framewire::transport::webrtc
