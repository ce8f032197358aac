// The file source: loops, is paced in real time, and its own size becomes the stream's size
// (the encoders follow it) when --size is not given.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/clock.hpp"
#include "media/media_engine.hpp"
#include "source_helpers.hpp"

namespace framewire::media {
namespace {

using namespace std::chrono_literals;

std::string tempFile(const std::string& name) {
  char dir[] = "/tmp/fw-file-test-XXXXXX";
  const char* made = mkdtemp(dir);
  return std::string(made ? made : "/tmp") + "/" + name;
}

TEST(FileSource, LoopsInRealTimeAndStreamTakesItsSize) {
  const std::string path = tempFile("clip.mp4");
  ASSERT_TRUE(testing::makeVideoFile(path, 1.0, 320, 240, 30));  // a 1 s clip
  config::Config c;
  c.source = "file";
  c.source_settings.file = path;
  c.width = 640;  // not given on the "command line": the file's 320x240 wins
  c.height = 360;
  c.fps = 30;
  c.linger_seconds = 5;
  MediaEngine engine(c);
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  ASSERT_TRUE(testing::pollUntil([&] { return engine.state().frames_captured > 0; }, 5s));
  const auto captured0 = engine.state().frames_captured;
  const auto t0 = core::steadyMicros();
  const auto frames = testing::collectFor(*subscription, 3500ms);
  const double seconds = (core::steadyMicros() - t0) / 1e6;
  const auto state = engine.state();
  const double fps = (state.frames_captured - captured0) / seconds;
  std::printf("[ measure ] file source: %.1f fps captured over %.1f s of a 1 s clip\n", fps,
              seconds);
  // Real time: about 30 fps, never as fast as the decoder can go (hundreds of fps for this
  // clip); looped: still going after 3 s. The lower bound is loose: a busy machine may lag.
  EXPECT_GT(fps, 10.0);
  EXPECT_LT(fps, 40.0);
  EXPECT_EQ(state.signal, "live") << state.signal_reason;
  EXPECT_EQ(state.signal_losses, 0u) << "the loop showed NO SIGNAL";
  EXPECT_EQ(state.width, 320);
  EXPECT_EQ(state.height, 240);
  // The encoder was rebuilt at the file's size: frames say so, and the first one after
  // the change is an IDR (a new SPS for decoders).
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back()->width, 320);
  EXPECT_EQ(frames.back()->height, 240);
  engine.h264Bus().unsubscribe(subscription);
  engine.stop();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(FileSource, MissingFileFailsAtConstruction) {
  config::Config c;
  c.source = "file";
  c.source_settings.file = "/nonexistent/framewire.mp4";
  EXPECT_THROW(MediaEngine engine(c), std::runtime_error);
}

}  // namespace
}  // namespace framewire::media
