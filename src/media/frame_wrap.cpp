#include "media/frame_wrap.hpp"

namespace framewire::media {
namespace {

struct MappedBuffer {
  GstBuffer* buffer = nullptr;
  GstMapInfo map{};

  MappedBuffer() = default;
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  ~MappedBuffer() {
    gst_buffer_unmap(buffer, &map);
    gst_buffer_unref(buffer);
  }
};

}  // namespace

std::shared_ptr<core::EncodedFrame> wrapBuffer(GstBuffer* buffer) {
  if (buffer == nullptr) return nullptr;
  GstMapInfo map{};
  // Mapping a multi-memory buffer merges it once; encoders here produce one memory per AU.
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return nullptr;
  auto mapped = std::make_shared<MappedBuffer>();
  mapped->buffer = gst_buffer_ref(buffer);
  mapped->map = map;
  auto frame = std::make_shared<core::EncodedFrame>();
  frame->data = mapped->map.data;
  frame->size = mapped->map.size;
  frame->owner = std::move(mapped);
  return frame;
}

}  // namespace framewire::media
