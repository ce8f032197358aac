#pragma once
// The MJPEG wire format, compatible with mjpg-streamer and µStreamer clients: a
// multipart/x-mixed-replace response whose parts are JPEGs. Like mjpg-streamer, each part is
// followed at once by the next boundary, so a browser can show it without waiting for the
// next picture. Pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace framewire::transport::mjpeg {

inline constexpr std::string_view kBoundary = "framewireboundary";

// The HTTP response head (status line and headers) plus the first boundary line.
std::string streamHead();

// The part headers before a JPEG of `length` bytes captured at `timestamp_us`.
std::string partHeader(std::size_t length, std::int64_t timestamp_us);

// What follows a JPEG: CRLF and the next boundary line.
std::string_view partTrailer();

// "1700000000.123456": seconds and microseconds, as mjpg-streamer's X-Timestamp.
std::string formatTimestamp(std::int64_t timestamp_us);

}  // namespace framewire::transport::mjpeg
