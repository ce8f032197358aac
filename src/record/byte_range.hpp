#pragma once
// One HTTP byte range (RFC 9110 §14.1.2) against a file of known size, for seeking in a
// recording. Only a single range is served; a list of ranges is answered with the first one
// (allowed: a server may ignore or coalesce ranges).

#include <cstdint>
#include <optional>
#include <string_view>

namespace framewire::record {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeResult { kNone, kRange, kUnsatisfiable };

// `header`: the Range header's value (empty: none). kNone for an absent header, another
// unit, or a malformed value (then the whole file is served, as RFC 9110 says to ignore it);
// kUnsatisfiable (416) when the range lies past the end of the file.
RangeResult parseByteRange(std::string_view header, std::uint64_t size, ByteRange& out);

}  // namespace framewire::record
