#include "core/codec_string.hpp"

#include <fmt/format.h>

#include "core/h264_info.hpp"

namespace framewire::core {
namespace {

// VP9 levels (vp9 spec annex A): max luma samples per second, by level.
std::string vp9Level(double samples_per_s) {
  struct L { double rate; const char* level; };
  static const L levels[] = {{829440, "10"},     {2764800, "11"},    {4608000, "20"},
                             {9216000, "21"},    {20736000, "30"},   {36864000, "31"},
                             {83558400, "40"},   {160432128, "41"},  {311951360, "50"},
                             {588251136, "51"},  {1176502272, "52"}, {1176502272, "60"}};
  for (const auto& l : levels) {
    if (samples_per_s <= l.rate) return l.level;
  }
  return "62";
}

// AV1 seq_level_idx (av1 spec annex A): 2.0 = 0, 2.1 = 1, 3.0 = 4, 3.1 = 5, 4.0 = 8 ...
std::string av1Level(double samples_per_s) {
  struct L { double rate; int idx; };
  static const L levels[] = {{4423680, 0},     {8363520, 1},     {19975680, 4},
                             {31950720, 5},    {70778880, 8},    {141557760, 9},
                             {267386880, 12},  {534773760, 13},  {1069547520, 14}};
  for (const auto& l : levels) {
    if (samples_per_s <= l.rate) return fmt::format("{:02d}", l.idx);
  }
  return "15";
}

}  // namespace

std::optional<std::string> webCodecsString(Codec codec, std::span<const std::uint8_t> access_unit,
                                           int width, int height, int fps) {
  const double rate = static_cast<double>(width) * height * (fps > 0 ? fps : 30);
  switch (codec) {
    case Codec::kH264: return h264CodecString(access_unit);
    case Codec::kH265: return std::string("hev1.1.6.L120.B0");  // Main, level 4
    case Codec::kVp8: return std::string("vp8");
    case Codec::kVp9: return "vp09.00." + vp9Level(rate) + ".08";     // profile 0, 8-bit
    case Codec::kAv1: return "av01.0." + av1Level(rate) + "M.08";     // main, main tier, 8-bit
    case Codec::kJpeg: return std::nullopt;
    case Codec::kOpus: return std::string("opus");
    case Codec::kPcmu: return std::string("ulaw");
    case Codec::kPcma: return std::string("alaw");
    case Codec::kG722: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Codec> codecFromName(std::string_view name) {
  if (name == "h264") return Codec::kH264;
  if (name == "h265") return Codec::kH265;
  if (name == "vp8") return Codec::kVp8;
  if (name == "vp9") return Codec::kVp9;
  if (name == "av1") return Codec::kAv1;
  if (name == "jpeg") return Codec::kJpeg;
  return std::nullopt;
}

}  // namespace framewire::core
