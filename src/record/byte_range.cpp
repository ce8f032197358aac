#include "record/byte_range.hpp"

#include <charconv>

namespace framewire::record {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool parseNumber(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

}  // namespace

RangeResult parseByteRange(std::string_view header, std::uint64_t size, ByteRange& out) {
  header = trim(header);
  if (!header.starts_with("bytes=")) return RangeResult::kNone;
  std::string_view spec = header.substr(6);
  if (const auto comma = spec.find(','); comma != std::string_view::npos) spec = spec.substr(0, comma);
  spec = trim(spec);
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kNone;
  const std::string_view first_text = trim(spec.substr(0, dash));
  const std::string_view last_text = trim(spec.substr(dash + 1));
  if (first_text.empty()) {  // "bytes=-N": the last N bytes
    std::uint64_t suffix = 0;
    if (!parseNumber(last_text, suffix)) return RangeResult::kNone;
    if (suffix == 0 || size == 0) return RangeResult::kUnsatisfiable;
    out.first = suffix >= size ? 0 : size - suffix;
    out.last = size - 1;
    return RangeResult::kRange;
  }
  std::uint64_t first = 0;
  if (!parseNumber(first_text, first)) return RangeResult::kNone;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    if (!parseNumber(last_text, last)) return RangeResult::kNone;
    if (last < first) return RangeResult::kNone;
    if (size > 0 && last > size - 1) last = size - 1;
  }
  if (first >= size) return RangeResult::kUnsatisfiable;
  out.first = first;
  out.last = last;
  return RangeResult::kRange;
}

}  // namespace framewire::record
