// media::Pipeline forwards a running pipeline's errors and end of stream to its callback, the
// path by which the capture and the branches learn they must restart.

#include "media/pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

namespace framewire::media {
namespace {

using namespace std::chrono_literals;

TEST(Pipeline, ForwardsEndOfStream) {
  gst_init(nullptr, nullptr);
  std::promise<std::string> reason;
  auto future = reason.get_future();
  std::atomic<bool> told{false};
  Pipeline pipeline("eos-test", "videotestsrc num-buffers=3 ! fakesink sync=false",
                    [&](const std::string& r) {
                      if (!told.exchange(true)) reason.set_value(r);
                    });
  ASSERT_TRUE(pipeline.play());
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get(), "end of stream");
}

TEST(Pipeline, ForwardsRuntimeErrors) {
  gst_init(nullptr, nullptr);
  std::promise<std::string> reason;
  auto future = reason.get_future();
  std::atomic<bool> told{false};
  Pipeline pipeline("error-test", "videotestsrc is-live=true ! fakesink name=sink",
                    [&](const std::string& r) {
                      if (!told.exchange(true)) reason.set_value(r);
                    });
  ASSERT_TRUE(pipeline.play());
  // What an element posts when it fails (a device unplugged, a write error...).
  GstPtr<GstElement> sink = pipeline.element("sink");
  GError* error = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, "unplugged");
  gst_element_post_message(sink.get(),
                           gst_message_new_error(GST_OBJECT(sink.get()), error, "test"));
  g_error_free(error);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_NE(future.get().find("unplugged"), std::string::npos);
}

TEST(Pipeline, BadDescriptionThrows) {
  gst_init(nullptr, nullptr);
  EXPECT_THROW(Pipeline("bad", "videotestsrc ! no-such-element-here", {}), std::runtime_error);
}

}  // namespace
}  // namespace framewire::media
