// V4L2 mode selection: the closest size first, then a rate that reaches the request, then the
// cheapest format (H.264 pass-through, raw, MJPEG).

#include "media/sources/v4l2_mode.hpp"

#include <gtest/gtest.h>

namespace framewire::media {
namespace {

V4l2Mode raw(const char* f, int w, int h, int fps) { return {V4l2Kind::kRaw, f, w, h, fps}; }
V4l2Mode mjpeg(int w, int h, int fps) { return {V4l2Kind::kMjpeg, "", w, h, fps}; }
V4l2Mode h264(int w, int h, int fps) { return {V4l2Kind::kH264, "", w, h, fps}; }

// A typical UVC camera: YUYV only at low rates for big sizes, MJPEG fast at every size.
const std::vector<V4l2Mode> kCamera = {
    raw("YUY2", 640, 480, 30),  raw("YUY2", 1280, 720, 10), raw("YUY2", 1920, 1080, 5),
    mjpeg(640, 480, 30),        mjpeg(1280, 720, 30),       mjpeg(1920, 1080, 30),
};

TEST(V4l2Mode, NoModesNoChoice) { EXPECT_FALSE(chooseV4l2Mode({}, {1280, 720, 30})); }

TEST(V4l2Mode, ExactSizeAndRateWins) {
  auto m = chooseV4l2Mode(kCamera, {640, 480, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, V4l2Kind::kRaw);  // raw beats MJPEG at equal size and rate
  EXPECT_EQ(describeV4l2Mode(*m), "YUY2 640x480@30");
}

TEST(V4l2Mode, RateDecidesBetweenFormatsOfTheSameSize) {
  auto m = chooseV4l2Mode(kCamera, {1280, 720, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(describeV4l2Mode(*m), "MJPEG 1280x720@30");  // YUYV gives only 10 fps there
  m = chooseV4l2Mode(kCamera, {1280, 720, 10});
  EXPECT_EQ(describeV4l2Mode(*m), "YUY2 1280x720@10");
}

TEST(V4l2Mode, ClosestSizeWhenTheRequestIsNotOffered) {
  auto m = chooseV4l2Mode(kCamera, {1366, 768, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->width, 1280);
  EXPECT_EQ(m->height, 720);
  m = chooseV4l2Mode(kCamera, {3840, 2160, 30});
  EXPECT_EQ(m->width, 1920);
}

TEST(V4l2Mode, H264PassThroughPreferredAtEqualSizeAndRate) {
  auto modes = kCamera;
  modes.push_back(h264(1920, 1080, 30));
  auto m = chooseV4l2Mode(modes, {1920, 1080, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, V4l2Kind::kH264);
  // ...but never at the cost of the size.
  m = chooseV4l2Mode(modes, {1280, 720, 30});
  EXPECT_EQ(m->kind, V4l2Kind::kMjpeg);
}

TEST(V4l2Mode, RateAboveTheRequestBeatsBelow) {
  const std::vector<V4l2Mode> grabber = {raw("NV12", 1920, 1080, 25), raw("NV12", 1920, 1080, 60)};
  auto m = chooseV4l2Mode(grabber, {1920, 1080, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->fps, 60);
  m = chooseV4l2Mode(grabber, {1920, 1080, 25});
  EXPECT_EQ(m->fps, 25);
}

TEST(V4l2Mode, BrokenModesAreIgnored) {
  auto m = chooseV4l2Mode({raw("YUY2", 0, 0, 30), raw("YUY2", 640, 480, 0), mjpeg(320, 240, 15)},
                          {1280, 720, 30});
  ASSERT_TRUE(m);
  EXPECT_EQ(describeV4l2Mode(*m), "MJPEG 320x240@15");
}

}  // namespace
}  // namespace framewire::media
