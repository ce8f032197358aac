#pragma once
// The baseline: one dedicated pipeline per viewer, nothing shared, no bus, no server code.
//   videotestsrc (the same picture as framewire's test source) → latency stamp (framewire's
//   own writer) → x264enc (framewire's settings) → rtph264pay → webrtcbin
// It answers one WHEP offer. Encode time per frame is measured on x264enc's pads, so the
// bench can show x264's own cost at these settings (the floor).

#include <gst/gst.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace framewire::bench {

struct BaselineSettings {
  int width = 1280;
  int height = 720;
  int fps = 60;
  int bitrate_kbps = 4000;
  int gop = 0;  // 0 = keyframes only on request
  std::string preset = "ultrafast";
};

class BaselinePeer {
 public:
  explicit BaselinePeer(const BaselineSettings& settings);
  ~BaselinePeer();
  BaselinePeer(const BaselinePeer&) = delete;
  BaselinePeer& operator=(const BaselinePeer&) = delete;

  // Builds and starts the pipeline for this offer; returns the answer SDP, or "" with *error.
  std::string answer(const std::string& offer_sdp, std::string* error);

  // Encode times (µs) of the most recent frames, oldest first.
  std::vector<std::int64_t> encodeTimes();
  // Frames into and out of x264 so far.
  std::pair<std::uint64_t, std::uint64_t> frameCounts();

 private:
  static GstPadProbeReturn onStampProbe(GstPad* pad, GstPadProbeInfo* info, gpointer);
  static GstPadProbeReturn onEncoderIn(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn onEncoderOut(GstPad*, GstPadProbeInfo* info, gpointer self);

  BaselineSettings settings_;
  GstElement* pipeline_ = nullptr;
  GstElement* webrtcbin_ = nullptr;
  std::mutex mutex_;
  std::vector<std::pair<GstClockTime, std::int64_t>>
      in_flight_;                        // (pts, steady µs in), oldest first
  std::vector<std::int64_t> encode_us_;  // ring of recent times
  size_t next_ = 0;
  std::uint64_t frames_in_ = 0;
  std::uint64_t frames_out_ = 0;
};

}  // namespace framewire::bench
