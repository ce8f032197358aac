#include "transport/mjpeg/mjpeg_framing.hpp"

#include <cstdio>

namespace framewire::transport::mjpeg {

std::string streamHead() {
  std::string head =
      "HTTP/1.1 200 OK\r\n"
      "Server: framewire\r\n"
      "Content-Type: multipart/x-mixed-replace;boundary=";
  head += kBoundary;
  head +=
      "\r\n"
      "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
      "Pragma: no-cache\r\n"
      "Expires: 0\r\n"
      "Access-Control-Allow-Origin: *\r\n"
      "X-Accel-Buffering: no\r\n"
      "Connection: close\r\n"
      "\r\n--";
  head += kBoundary;
  head += "\r\n";
  return head;
}

std::string formatTimestamp(std::int64_t timestamp_us) {
  if (timestamp_us < 0) timestamp_us = 0;
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(timestamp_us / 1'000'000),
                static_cast<long long>(timestamp_us % 1'000'000));
  return text;
}

std::string partHeader(std::size_t length, std::int64_t timestamp_us) {
  std::string header = "Content-Type: image/jpeg\r\nContent-Length: ";
  header += std::to_string(length);
  header += "\r\nX-Timestamp: ";
  header += formatTimestamp(timestamp_us);
  header += "\r\n\r\n";
  return header;
}

std::string_view partTrailer() {
  static const std::string trailer = "\r\n--" + std::string(kBoundary) + "\r\n";
  return trailer;
}

}  // namespace framewire::transport::mjpeg
