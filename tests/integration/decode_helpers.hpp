#pragma once
// Test helpers: decode encoded frames with real GStreamer decoders and read the latency stamp
// back from the decoded luma plane.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/encoded_frame.hpp"

namespace framewire::testing {

struct DecodedPicture {
  std::int64_t pts_ns = 0;
  int width = 0;
  int height = 0;
  std::optional<std::uint64_t> stamp;  // the latency stamp's value, when it reads back
};

// `caps` describes the input (e.g. "video/x-h264,stream-format=byte-stream,alignment=au"),
// `decoder` the decoding chain (e.g. "h264parse ! avdec_h264"). Frames are pushed with their
// pts_ns; every decoded picture comes back in I420.
std::vector<DecodedPicture> decode(const std::vector<core::FramePtr>& frames,
                                   const std::string& caps, const std::string& decoder);

std::vector<DecodedPicture> decodeH264(const std::vector<core::FramePtr>& frames);
std::vector<DecodedPicture> decodeJpeg(const std::vector<core::FramePtr>& frames);

// NAL unit types of an Annex-B access unit, in order.
std::vector<int> nalTypes(const core::EncodedFrame& frame);

}  // namespace framewire::testing
