#include "transport/mjpeg/mjpeg_framing.hpp"

#include <gtest/gtest.h>

namespace framewire::transport::mjpeg {
namespace {

TEST(MjpegFraming, HeadAnnouncesMultipartAndOpensTheFirstPart) {
  const std::string head = streamHead();
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(head.find("Content-Type: multipart/x-mixed-replace;boundary=" + std::string(kBoundary) +
                      "\r\n"),
            std::string::npos);
  EXPECT_NE(head.find("Cache-Control: no-store"), std::string::npos);
  const std::string ending = "\r\n\r\n--" + std::string(kBoundary) + "\r\n";
  ASSERT_GE(head.size(), ending.size());
  EXPECT_EQ(head.substr(head.size() - ending.size()), ending);
}

TEST(MjpegFraming, PartHeaderHasTypeLengthAndTimestamp) {
  EXPECT_EQ(partHeader(1234, 1'700'000'000'000'042),
            "Content-Type: image/jpeg\r\nContent-Length: 1234\r\n"
            "X-Timestamp: 1700000000.000042\r\n\r\n");
}

TEST(MjpegFraming, TrailerClosesThePartWithTheNextBoundary) {
  EXPECT_EQ(partTrailer(), "\r\n--" + std::string(kBoundary) + "\r\n");
}

TEST(MjpegFraming, TimestampFormatting) {
  EXPECT_EQ(formatTimestamp(0), "0.000000");
  EXPECT_EQ(formatTimestamp(1'500'000), "1.500000");
  EXPECT_EQ(formatTimestamp(-5), "0.000000");
}

}  // namespace
}  // namespace framewire::transport::mjpeg
