#pragma once
// The browser's part in the WebRTC tests: a second webrtcbin with a recvonly H.264
// transceiver (optionally an audio one too), which decodes what it receives
// (rtph264depay ! avdec_h264 ! fakesink) and counts decoded frames. Gathers on 127.0.0.1 only.

#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace framewire::test {

class WebRtcTestClient {
 public:
  explicit WebRtcTestClient(bool with_audio = false);
  ~WebRtcTestClient();
  WebRtcTestClient(const WebRtcTestClient&) = delete;
  WebRtcTestClient& operator=(const WebRtcTestClient&) = delete;

  std::string createOffer();  // sets it as local description
  bool setAnswer(const std::string& sdp);
  // The client's gathered candidates as an RFC 8840 fragment (for PATCH).
  std::string candidateFragment();
  // Asks the server for a keyframe the way a browser does: the decoder's upstream
  // force-key-unit becomes an RTCP PLI in rtpbin.
  void requestKeyframe();
  void stop();  // tears the pipeline down without telling the server (a vanished client)

  std::uint64_t framesDecoded() const { return decoded_.load(); }
  bool waitForFrames(std::uint64_t count, int timeout_ms) const;
  bool waitForGathering(int timeout_ms) const;

 private:
  static void onPadAdded(GstElement* webrtc, GstPad* pad, gpointer self);
  static void onCandidate(GstElement* webrtc, guint mline, gchar* candidate, gpointer self);

  GstElement* pipeline_ = nullptr;
  GstElement* webrtc_ = nullptr;
  GstElement* decode_sink_ = nullptr;  // fakesink, once linked
  std::atomic<std::uint64_t> decoded_{0};
  std::mutex mutex_;
  std::vector<std::string> candidates_;
  std::string ufrag_, pwd_, mid_;
};

}  // namespace framewire::test
