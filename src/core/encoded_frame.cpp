#include "core/encoded_frame.hpp"

#include <vector>

namespace framewire::core {

std::string_view codecName(Codec codec) {
  switch (codec) {
    case Codec::kH264: return "h264";
    case Codec::kJpeg: return "jpeg";
    case Codec::kH265: return "h265";
    case Codec::kVp8: return "vp8";
    case Codec::kVp9: return "vp9";
    case Codec::kAv1: return "av1";
    case Codec::kOpus: return "opus";
    case Codec::kPcmu: return "pcmu";
    case Codec::kPcma: return "pcma";
    case Codec::kG722: return "g722";
  }
  return "unknown";
}

FramePtr makeOwnedFrame(std::span<const std::uint8_t> bytes, Codec codec, bool keyframe) {
  auto storage = std::make_shared<std::vector<std::uint8_t>>(bytes.begin(), bytes.end());
  auto frame = std::make_shared<EncodedFrame>();
  frame->data = storage->data();
  frame->size = storage->size();
  frame->owner = storage;
  frame->codec = codec;
  frame->keyframe = keyframe;
  return frame;
}

}  // namespace framewire::core
