#pragma once
// Cutting an H.264 Annex-B byte stream into access units without touching a byte, and reading
// the picture size from an SPS. No GStreamer here.
//
// h264parse would do the cutting, but it rewrites what it passes on (every start code becomes
// 4 bytes, a delimiter is added), and a stdin pass-through promises viewers the producer's own
// bytes. Concatenating the access units emitted gives back the input exactly.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace framewire::media {

class AccessUnitSplitter {
 public:
  using Emit = std::function<void(std::span<const std::uint8_t> access_unit)>;

  // Appends input; calls `emit` for each access unit completed by it. An access unit is
  // complete when the first NAL unit of the next one arrives (a delimiter, SPS, PPS, SEI, or a
  // slice with first_mb_in_slice 0 after a slice), as in h264parse: one frame of delay.
  void push(std::span<const std::uint8_t> bytes, const Emit& emit);
  // End of input: the access unit in progress, if it has a slice.
  void flush(const Emit& emit);
  void reset();

  // Input held that belongs to no emitted access unit yet.
  std::size_t pending() const { return buf_.size(); }

  // An access unit may not grow past this (garbage input): what was gathered is dropped.
  static constexpr std::size_t kMaxAccessUnitBytes = 16u << 20;

 private:
  std::vector<std::uint8_t> buf_;  // the access unit being gathered, from its first byte
  std::size_t scanned_ = 0;        // start codes before this offset were handled
  bool slice_seen_ = false;        // buf_ holds a slice
};

struct PictureSize {
  int width = 0;
  int height = 0;
};

// The cropped picture size from the first SPS in the access unit, or nothing when it has
// none or the SPS cannot be read.
std::optional<PictureSize> spsPictureSize(std::span<const std::uint8_t> access_unit);

}  // namespace framewire::media
