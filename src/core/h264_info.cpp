#include "core/h264_info.hpp"

#include <fmt/format.h>

namespace framewire::core {

std::vector<NalUnit> splitAnnexB(std::span<const std::uint8_t> data) {
  std::vector<NalUnit> units;
  const std::size_t n = data.size();
  std::size_t i = 0;
  std::size_t start = std::string::npos;  // first byte of the current NAL unit
  auto close = [&](std::size_t end) {
    // Trailing zero bytes belong to the next start code (4-byte form), not to this unit.
    while (end > start && data[end - 1] == 0) --end;
    if (end > start) units.push_back({data[start] & 0x1f, data.subspan(start, end - start)});
  };
  while (i + 2 < n) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (start != std::string::npos) close(i);
      i += 3;
      start = i;
      continue;
    }
    ++i;
  }
  if (start != std::string::npos && start < n) close(n);
  return units;
}

bool containsIdr(std::span<const std::uint8_t> access_unit) {
  for (const auto& unit : splitAnnexB(access_unit)) {
    if (unit.type == 5) return true;
  }
  return false;
}

std::optional<std::string> h264CodecString(std::span<const std::uint8_t> access_unit) {
  for (const auto& unit : splitAnnexB(access_unit)) {
    if (unit.type != 7) continue;
    // Remove emulation-prevention bytes from the first few bytes we read.
    std::vector<std::uint8_t> rbsp;
    int zeros = 0;
    for (std::size_t k = 1; k < unit.bytes.size() && rbsp.size() < 3; ++k) {
      const std::uint8_t b = unit.bytes[k];
      if (zeros >= 2 && b == 3) {
        zeros = 0;
        continue;
      }
      zeros = (b == 0) ? zeros + 1 : 0;
      rbsp.push_back(b);
    }
    if (rbsp.size() < 3) return std::nullopt;
    return fmt::format("avc1.{:02X}{:02X}{:02X}", rbsp[0], rbsp[1], rbsp[2]);
  }
  return std::nullopt;
}

}  // namespace framewire::core
