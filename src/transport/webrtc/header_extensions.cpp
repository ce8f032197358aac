#include "transport/webrtc/header_extensions.hpp"

#include <algorithm>
#include <cctype>

namespace framewire::transport::webrtc {

std::optional<int> offeredExtensionId(const MediaSection& section, std::string_view uri) {
  for (const auto& line : section.lines) {
    if (line.type != 'a' || line.attributeName() != "extmap") continue;
    const std::string_view value = line.attributeValue();
    const auto space = value.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view rest = value.substr(space + 1);
    rest = rest.substr(0, rest.find(' '));  // extension attributes may follow the URI
    if (rest != uri) continue;
    std::string_view id_text = value.substr(0, space);
    id_text = id_text.substr(0, id_text.find('/'));  // "5/recvonly"
    if (id_text.empty() || id_text.size() > 3 ||
        !std::all_of(id_text.begin(), id_text.end(), [](char c) { return std::isdigit(c); })) {
      return std::nullopt;
    }
    const int id = std::stoi(std::string(id_text));
    // One-byte headers (what rtph264pay's buffers get) carry ids 1..14 only.
    if (id < 1 || id > 14) return std::nullopt;
    return id;
  }
  return std::nullopt;
}

std::string extmapAttribute(int id, std::string_view uri) {
  return "extmap:" + std::to_string(id) + " " + std::string(uri);
}

std::array<std::uint8_t, 3> playoutDelayBytes(int min_ms, int max_ms) {
  const auto units = [](int ms) { return static_cast<unsigned>(std::clamp(ms, 0, 40950) / 10); };
  const unsigned min = units(min_ms);
  const unsigned max = units(max_ms);
  return {static_cast<std::uint8_t>(min >> 4),
          static_cast<std::uint8_t>(((min & 0xf) << 4) | (max >> 8)),
          static_cast<std::uint8_t>(max & 0xff)};
}

std::array<std::uint8_t, 8> absCaptureTimeBytes(std::int64_t capture_us) {
  // 70 years (17 of them leap) from 1900-01-01 to 1970-01-01.
  constexpr std::uint64_t kNtpEpochOffsetS = 2'208'988'800ULL;
  const std::int64_t clamped = std::max<std::int64_t>(0, capture_us);
  const std::uint64_t seconds = static_cast<std::uint64_t>(clamped / 1'000'000) + kNtpEpochOffsetS;
  const std::uint64_t micros = static_cast<std::uint64_t>(clamped % 1'000'000);
  // Rounded to the nearest 2^-32 s.
  const std::uint64_t fraction = ((micros << 32) + 500'000) / 1'000'000;
  const std::uint64_t ntp = (seconds << 32) + fraction;  // fraction < 2^32 (micros < 10^6)
  std::array<std::uint8_t, 8> out{};
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(ntp >> (56 - 8 * i));
  return out;
}

}  // namespace framewire::transport::webrtc
