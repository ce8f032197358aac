// Recorder against real GStreamer: the test source encoded by the media engine, written to
// fragmented MP4 and read back with ffprobe (frame count, first frame a keyframe, segments).

#include "record/recorder.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/media_engine.hpp"
#include "record/recording_files.hpp"

namespace framewire::record {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

config::Config smallConfig() {
  config::Config config;
  config.width = 320;
  config.height = 240;
  config.fps = 30;
  config.bitrate_kbps = 800;
  config.gop = 0;
  config.linger_seconds = 0.5;
  return config;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// ffprobe's counted video frames of `file` (decodes every frame), or -1.
long countFrames(const fs::path& file) {
  const auto out = run("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                       "stream=nb_read_frames -of csv=p=0 '" + file.string() + "'");
  try {
    return std::stol(out);
  } catch (...) {
    return -1;
  }
}

struct Events {
  std::mutex mutex;
  std::vector<nlohmann::json> list;
  EventSink sink() {
    return [this](const nlohmann::json& event) {
      std::lock_guard lock(mutex);
      list.push_back(event);
    };
  }
  std::vector<std::string> types() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(e.value("type", ""));
    return out;
  }
};

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fw-record-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    engine_ = std::make_unique<media::MediaEngine>(smallConfig());
    engine_->start();
  }
  void TearDown() override {
    engine_->stop();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<media::MediaEngine> engine_;
};

TEST_F(RecorderTest, WritesEveryFrameItReceivedStartingOnAKeyframe) {
  Events events;
  RecorderOptions options;
  options.dir = dir_;
  Recorder recorder(engine_->h264Bus(), options, events.sink());
  ASSERT_EQ(recorder.start(), "");
  EXPECT_EQ(recorder.start(), "already recording");
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(recorder.stop());
  EXPECT_FALSE(recorder.stop());

  const auto state = recorder.state();
  const auto frames = state["frames"].get<std::uint64_t>();
  std::printf("recorded %llu frames, %llu bytes, dropped %llu\n",
              static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(state["bytes"].get<std::uint64_t>()),
              static_cast<unsigned long long>(state["dropped"].get<std::uint64_t>()));
  EXPECT_GT(frames, 30u);
  EXPECT_EQ(state["dropped"].get<std::uint64_t>(), 0u);

  const auto files = listRecordings(dir_);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(countFrames(dir_ / files[0].name), static_cast<long>(frames));
  const auto first = run("ffprobe -v error -select_streams v:0 -read_intervals %+#1 "
                         "-show_entries frame=key_frame -of csv=p=0 '" +
                         (dir_ / files[0].name).string() + "'");
  EXPECT_EQ(first.substr(0, 1), "1") << first;
  const auto types = events.types();
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0], "record_started");
  EXPECT_EQ(types[1], "record_stopped");
}

TEST_F(RecorderTest, CutsSegmentsAtKeyframesAndKeepsTheRetentionCount) {
  Events events;
  RecorderOptions options;
  options.dir = dir_;
  options.segment_seconds = 1;
  options.max_files = 2;
  Recorder recorder(engine_->h264Bus(), options, events.sink());
  ASSERT_EQ(recorder.start(), "");
  std::this_thread::sleep_for(4500ms);
  ASSERT_TRUE(recorder.stop());
  const auto files = listRecordings(dir_);
  EXPECT_EQ(files.size(), 2u);
  EXPECT_GE(recorder.state()["files"].get<int>(), 3);
  for (const auto& file : files) EXPECT_GT(countFrames(dir_ / file.name), 0) << file.name;
}

TEST_F(RecorderTest, AnUnwritableDirectoryIsRefusedWithAReason) {
  RecorderOptions options;
  options.dir = "/proc/framewire-cannot-write-here";
  Recorder recorder(engine_->h264Bus(), options, [](const nlohmann::json&) {});
  const auto error = recorder.start();
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
  EXPECT_FALSE(recorder.active());
}

}  // namespace
}  // namespace framewire::record
