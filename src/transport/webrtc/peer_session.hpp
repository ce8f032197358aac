#pragma once
// One WHEP resource: its own small pipeline
//   appsrc (frames from a FrameBus subscription) ! rtph264pay ! webrtcbin
// negotiated from the client's offer as planned by planAnswer().
//
// Threads: every public method runs on the service's control executor. webrtcbin, the pads
// and the bus call back on GStreamer threads; those callbacks only post work to the control
// executor (holding a weak_ptr) or bump atomics, never block and never throw. Frames are
// pushed into appsrc on the feed executor. The peer subscribes to the bus when it answers, so
// the keyframe its join asked for is encoded while ICE and DTLS connect; drain() holds frames
// until then. The audio track lives in peer_audio.cpp, the viewer's microphone (and any other
// incoming stream) in peer_microphone.cpp.

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bus/frame_bus.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/capture_times.hpp"
#include "transport/webrtc/gst_ref.hpp"
#include "transport/webrtc/peer_stats.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"
#include "transport/webrtc/serial_executor.hpp"
#include "transport/webrtc/webrtc_config.hpp"

namespace framewire::transport::webrtc {

class MicrophonePlayer;

// The RTP payloader of a codec (answer_plan's encoding names: "H264", "VP8", "VP9", "AV1").
// AV1's, rtpav1pay, is not in GStreamer 1.22 itself (it comes with gst-plugins-rs).
const char* rtpPayloaderFor(const std::string& encoding);

struct PeerParams {
  std::string id;
  std::string branch;
  std::string remote;  // the client's address, for stats
  bus::FrameBus* bus = nullptr;
  bus::FrameBus* audio_bus = nullptr;  // set when plan.audio is: its frames feed the audio track
  int audio_frame_ms = 10;
  // Set when plan.audio->receive: the viewer's microphone goes there (peer_microphone.cpp).
  std::shared_ptr<MicrophonePlayer> microphone;
  SessionDescription offer;
  AnswerPlan plan;
  WebRtcConfig config;
};

class PeerSession : public std::enable_shared_from_this<PeerSession> {
 public:
  // answer (or error) once; the SDP answer includes the gathered candidates.
  using AnsweredFn = std::function<void(std::optional<std::string> answer, std::string error)>;
  // The peer is dead (ICE failed, timeouts, pipeline error): the owner should remove it.
  using DeadFn = std::function<void(std::string reason)>;

  PeerSession(PeerParams params, SerialExecutor& control, SerialExecutor& feed, DeadFn on_dead);
  ~PeerSession();
  PeerSession(const PeerSession&) = delete;
  PeerSession& operator=(const PeerSession&) = delete;

  void start(AnsweredFn answered);
  // Adds the client's trickled candidates. Returns false with a reason.
  bool addRemoteCandidates(const TrickleFragment& fragment, std::string* error);
  // Polls webrtcbin's stats and checks the connect / disconnect / RTCP timeouts.
  void poll();
  // Idempotent: releases the subscription and takes the pipeline to NULL.
  void close();

  // Branch switching (peer_branch_switch.cpp): moves the peer to another branch of the same
  // codec without touching webrtcbin or the payloader. It subscribes to `bus` (which asks that
  // branch for a keyframe) and keeps sending the old branch's frames until the new one's first
  // keyframe arrives; then the old subscription goes. A second call before that replaces the
  // pending switch. `switched` runs on the control executor when the switch is done.
  using SwitchedFn = std::function<void(const std::string& from, const std::string& to)>;
  void switchBranch(bus::FrameBus* bus, const std::string& branch);
  void setSwitchedListener(SwitchedFn switched) { switched_ = std::move(switched); }
  // Drops a pending switch whose branch sent no keyframe for `timeout_us`; returns its branch.
  std::optional<std::string> dropStaleSwitch(std::int64_t timeout_us);
  std::string branch() const { return branch_.empty() ? params_.branch : branch_; }
  std::string pendingBranch() const { return pending_branch_; }

  const PeerParams& params() const { return params_; }
  std::string state() const { return state_; }
  PeerStats stats() const { return stats_; }
  std::uint64_t keyframeRequests() const { return keyframe_requests_; }
  std::uint64_t framesSent() const { return frames_sent_.load(); }
  std::int64_t connectedAtUs() const { return connected_at_us_; }

 private:
  bool buildPipeline(std::string* error);
  bool negotiate(std::string* error);
  void finishAnswer();
  void onIceCandidate(unsigned mline, std::string candidate);
  void onGatheringState();
  void onIceConnectionState();
  void onConnectionState();
  void onKeyframeRequest();
  void onPipelineError(std::string message);
  void subscribe();
  void drain();  // feed executor
  std::int64_t runningFromCapture(GstElement* src, std::int64_t capture_us);  // feed executor
  bool buildAudio(std::string* error);
  void drainAudio();  // feed executor
  bool buildReceiveOnlyAudio(std::string* error);
  void watchIncomingStreams();
  void fail(const std::string& reason);
  bus::FrameBus* currentBus() const { return bus_.load(std::memory_order_acquire); }
  void takePendingAtKeyframe();  // feed executor
  void onSwitched(std::string to);

  static void connectSignals(PeerSession* self);

  PeerParams params_;
  SerialExecutor& control_;
  SerialExecutor& feed_;
  DeadFn on_dead_;

  ElementRef pipeline_;
  GstElement* appsrc_ = nullptr;     // owned by pipeline_
  GstElement* webrtcbin_ = nullptr;  // owned by pipeline_

  AnsweredFn answered_;
  std::vector<std::string> local_candidates_;
  bool answer_sent_ = false;
  bool closed_ = false;
  std::string state_ = "new";
  std::int64_t created_us_ = 0;
  std::int64_t connected_at_us_ = 0;
  std::int64_t disconnected_since_us_ = 0;
  std::shared_ptr<bus::Subscription> subscription_;
  PeerStats stats_;
  std::uint64_t keyframe_requests_ = 0;

  // Branch switching. The feed executor swaps subscription_ / bus_ for pending_ / pending_bus_
  // at the pending branch's first keyframe; switch_mutex_ keeps close() and a new switch out
  // of that swap.
  std::mutex switch_mutex_;
  std::atomic<bus::FrameBus*> bus_{nullptr};  // the branch frames come from (params_.bus first)
  std::shared_ptr<bus::Subscription> pending_;
  bus::FrameBus* pending_bus_ = nullptr;
  std::string pending_target_;  // pending_'s branch, for the feed executor's swap
  std::string branch_;          // control: the branch being sent ("" = params_.branch)
  std::string pending_branch_;  // control: the branch being switched to
  std::int64_t pending_since_us_ = 0;
  SwitchedFn switched_;

  // Touched from GStreamer / feed threads.
  std::atomic<std::int64_t> last_rtcp_us_{0};
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<bool> sending_{false};  // connected: drain() hands frames to webrtcbin
  // Feed-thread state: the offset from capture time to pipeline running time.
  std::int64_t pts_offset_ns_ = 0;
  bool pts_offset_set_ = false;
  GstClockTime last_pts_ = GST_CLOCK_TIME_NONE;
  // Each pushed frame's PTS → capture time, for the abs-capture-time probe on the payloader
  // (capture_time_probe.hpp); set when the answer carries the extension.
  std::shared_ptr<CaptureTimes> video_capture_times_;

  // Audio: its own appsrc into the same webrtcbin, its own subscription. Its PTS follow the
  // audio frames' own (sample-exact) spacing from an anchor on the video's capture mapping, so
  // RTCP sender reports put sound and picture on one timeline.
  GstElement* audio_src_ = nullptr;  // owned by pipeline_
  std::shared_ptr<bus::Subscription> audio_subscription_;
  std::int64_t audio_anchor_pts_ns_ = -1;    // pipeline PTS of the anchor frame
  std::int64_t audio_anchor_frame_ns_ = 0;   // that frame's own pts_ns
  GstClockTime last_audio_pts_ = GST_CLOCK_TIME_NONE;
  std::shared_ptr<CaptureTimes> audio_capture_times_;  // as video_capture_times_
  std::atomic<std::uint64_t> audio_frames_sent_{0};
};

}  // namespace framewire::transport::webrtc
