#include "source_helpers.hpp"

#include <fcntl.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace framewire::testing {

StdinPipe::StdinPipe() {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  saved_stdin_ = dup(0);
  dup2(fds[0], 0);
  close(fds[0]);
  write_fd_ = fds[1];
}

StdinPipe::~StdinPipe() {
  closeInput();
  if (saved_stdin_ >= 0) {
    dup2(saved_stdin_, 0);
    close(saved_stdin_);
  }
}

bool StdinPipe::write(const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(write_fd_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void StdinPipe::closeInput() {
  if (write_fd_ >= 0) close(write_fd_);
  write_fd_ = -1;
}

namespace {

std::vector<std::vector<std::uint8_t>> pullAll(const std::string& description) {
  gst_init(nullptr, nullptr);
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (pipeline == nullptr || error != nullptr) throw std::runtime_error("bad test pipeline");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  std::vector<std::vector<std::uint8_t>> out;
  while (GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      out.emplace_back(map.data, map.data + map.size);
      gst_buffer_unmap(buffer, &map);
    }
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return out;
}

}  // namespace

std::vector<std::vector<std::uint8_t>> makeH264AccessUnits(int count, int width, int height,
                                                           int gop) {
  auto aus = pullAll(
      "videotestsrc num-buffers=" + std::to_string(count) + " pattern=ball ! video/x-raw,width=" +
      std::to_string(width) + ",height=" + std::to_string(height) +
      ",framerate=30/1 ! x264enc tune=zerolatency bframes=0 key-int-max=" + std::to_string(gop) +
      " ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au "
      "! h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au "
      "! appsink name=sink sync=false");
  // Without the access unit delimiter h264parse puts first: what a producer like ffmpeg
  // sends (framewire's own h264parse adds one and takes it off again).
  for (auto& au : aus) {
    if (au.size() > 8 && au[0] == 0 && au[1] == 0 && au[2] == 0 && au[3] == 1 &&
        (au[4] & 0x1f) == 9) {
      for (std::size_t i = 5; i + 3 < au.size(); ++i) {
        if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 0 && au[i + 3] == 1) {
          au.erase(au.begin(), au.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
    }
  }
  return aus;
}

std::vector<std::uint8_t> makeI420Frame(int width, int height, std::uint8_t luma) {
  const std::size_t y = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> frame(y + y / 2, 128);
  std::fill(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(y), luma);
  return frame;
}

bool makeVideoFile(const std::string& path, double seconds, int width, int height, int fps) {
  const int frames = static_cast<int>(seconds * fps);
  const std::string description =
      "videotestsrc num-buffers=" + std::to_string(frames) + " ! video/x-raw,width=" +
      std::to_string(width) + ",height=" + std::to_string(height) +
      ",framerate=" + std::to_string(fps) +
      "/1 ! x264enc tune=zerolatency bframes=0 ! mp4mux ! filesink location=\"" + path + "\"";
  gst_init(nullptr, nullptr);
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (pipeline == nullptr || error != nullptr) return false;
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(
      bus, 30 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ok = msg != nullptr && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return ok;
}

std::vector<core::FramePtr> collectFor(bus::Subscription& subscription,
                                       std::chrono::milliseconds duration) {
  std::vector<core::FramePtr> frames;
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    while (auto frame = subscription.pop()) frames.push_back(frame);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return frames;
}

bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace framewire::testing

namespace framewire::testing {

int jpegLumaAt(const core::EncodedFrame& jpeg, int x, int y) {
  gst_init(nullptr, nullptr);
  GstElement* pipeline = gst_parse_launch(
      "appsrc name=src caps=image/jpeg ! jpegdec ! videoconvert ! video/x-raw,format=GRAY8 "
      "! appsink name=sink sync=false",
      nullptr);
  if (pipeline == nullptr) return -1;
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBuffer* buffer = gst_buffer_new_memdup(jpeg.data, jpeg.size);
  gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  int luma = -1;
  if (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND)) {
    GstStructure* s = gst_caps_get_structure(gst_sample_get_caps(sample), 0);
    int width = 0;
    gst_structure_get_int(s, "width", &width);
    const int stride = (width + 3) & ~3;
    GstMapInfo map;
    GstBuffer* out = gst_sample_get_buffer(sample);
    if (gst_buffer_map(out, &map, GST_MAP_READ)) {
      const std::size_t at = static_cast<std::size_t>(y) * stride + x;
      if (at < map.size) luma = map.data[at];
      gst_buffer_unmap(out, &map);
    }
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return luma;
}

}  // namespace framewire::testing
