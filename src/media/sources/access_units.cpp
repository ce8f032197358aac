#include "media/sources/access_units.hpp"

#include "core/h264_info.hpp"
#include "media/sources/h264_bits.hpp"

namespace framewire::media {
namespace {

bool isSlice(int type) { return type == 1 || type == 5; }

// NAL unit types that may only begin an access unit (7.4.1.2.3): delimiter, SEI, SPS, PPS,
// prefix NAL, subset SPS and the reserved 14..18 range.
bool beginsAccessUnit(int type) {
  return type == 6 || type == 7 || type == 8 || type == 9 || (type >= 14 && type <= 18);
}

}  // namespace

void AccessUnitSplitter::push(std::span<const std::uint8_t> bytes, const Emit& emit) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  std::size_t i = scanned_;
  // A start code at i needs i+3 (the NAL header) and, for a slice, i+4 (first_mb_in_slice's
  // first bit) to be decided on.
  while (i + 4 < buf_.size()) {
    if (buf_[i] != 0 || buf_[i + 1] != 0 || buf_[i + 2] != 1) {
      ++i;
      continue;
    }
    const int type = buf_[i + 3] & 0x1f;
    // ue(v) first_mb_in_slice is 0 exactly when its first bit is 1.
    const bool first_slice_of_picture = isSlice(type) && (buf_[i + 4] & 0x80) != 0;
    if (slice_seen_ && (beginsAccessUnit(type) || first_slice_of_picture)) {
      // A 4-byte start code's leading zero belongs to the NAL unit it introduces.
      const std::size_t cut = i > 0 && buf_[i - 1] == 0 ? i - 1 : i;
      if (cut > 0) emit(std::span<const std::uint8_t>(buf_.data(), cut));
      buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(cut));
      i -= cut;
      slice_seen_ = false;
    }
    if (isSlice(type)) slice_seen_ = true;
    i += 3;
  }
  scanned_ = i;
  if (buf_.size() > kMaxAccessUnitBytes) reset();
}

void AccessUnitSplitter::flush(const Emit& emit) {
  if (slice_seen_ && !buf_.empty()) emit(std::span<const std::uint8_t>(buf_.data(), buf_.size()));
  reset();
}

void AccessUnitSplitter::reset() {
  buf_.clear();
  scanned_ = 0;
  slice_seen_ = false;
}

std::optional<PictureSize> spsPictureSize(std::span<const std::uint8_t> access_unit) {
  for (const auto& nal : core::splitAnnexB(access_unit)) {
    if (nal.type != 7 || nal.bytes.size() < 4) continue;
    h264bits::BitReader r(h264bits::unescape(nal.bytes.subspan(1), 512));
    const auto profile = r.bits(8);
    if (!profile || !r.bits(16) || !r.ue()) return std::nullopt;  // flags, level, sps id
    unsigned chroma_format = 1;
    bool separate_planes = false;
    switch (*profile) {
      case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128:
      case 138: case 139: case 134: case 135: {
        const auto cf = r.ue();
        if (!cf || *cf > 3) return std::nullopt;
        chroma_format = *cf;
        if (chroma_format == 3) {
          const auto sep = r.bit();
          if (!sep) return std::nullopt;
          separate_planes = *sep == 1;
        }
        if (!r.ue() || !r.ue() || !r.bit()) return std::nullopt;  // bit depths, bypass
        const auto scaling = r.bit();
        if (!scaling) return std::nullopt;
        if (*scaling) {
          for (int list = 0; list < (chroma_format != 3 ? 8 : 12); ++list) {
            const auto present = r.bit();
            if (!present) return std::nullopt;
            if (!*present) continue;
            int last = 8;
            int next = 8;
            for (int j = 0; j < (list < 6 ? 16 : 64) && next != 0; ++j) {
              const auto delta = r.se();
              if (!delta) return std::nullopt;
              next = (last + *delta + 256) % 256;
              if (next != 0) last = next;
            }
          }
        }
        break;
      }
      default:
        break;
    }
    if (!r.ue()) return std::nullopt;  // log2_max_frame_num_minus4
    const auto poc_type = r.ue();
    if (!poc_type) return std::nullopt;
    if (*poc_type == 0) {
      if (!r.ue()) return std::nullopt;
    } else if (*poc_type == 1) {
      if (!r.bit() || !r.se() || !r.se()) return std::nullopt;
      const auto cycle = r.ue();
      if (!cycle || *cycle > 255) return std::nullopt;
      for (unsigned k = 0; k < *cycle; ++k) {
        if (!r.se()) return std::nullopt;
      }
    }
    if (!r.ue() || !r.bit()) return std::nullopt;  // max_num_ref_frames, gaps
    const auto width_mbs = r.ue();
    const auto height_units = r.ue();
    const auto frame_mbs_only = r.bit();
    if (!width_mbs || !height_units || !frame_mbs_only) return std::nullopt;
    if (!*frame_mbs_only && !r.bit()) return std::nullopt;  // mb_adaptive_frame_field
    if (!r.bit()) return std::nullopt;                      // direct_8x8_inference
    const auto cropping = r.bit();
    if (!cropping) return std::nullopt;
    unsigned crop[4] = {0, 0, 0, 0};  // left, right, top, bottom
    if (*cropping) {
      for (unsigned& c : crop) {
        const auto v = r.ue();
        if (!v) return std::nullopt;
        c = *v;
      }
    }
    const int field_factor = *frame_mbs_only ? 1 : 2;
    const unsigned chroma_array = separate_planes ? 0 : chroma_format;
    const int sub_width = chroma_array == 1 || chroma_array == 2 ? 2 : 1;
    const int sub_height = chroma_array == 1 ? 2 : 1;
    const int crop_x = chroma_array == 0 ? 1 : sub_width;
    const int crop_y = chroma_array == 0 ? field_factor : sub_height * field_factor;
    const long long width =
        (static_cast<long long>(*width_mbs) + 1) * 16 - crop_x * (static_cast<long long>(crop[0]) + crop[1]);
    const long long height = (static_cast<long long>(*height_units) + 1) * 16 * field_factor -
                             crop_y * (static_cast<long long>(crop[2]) + crop[3]);
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) return std::nullopt;
    return PictureSize{static_cast<int>(width), static_cast<int>(height)};
  }
  return std::nullopt;
}

}  // namespace framewire::media
