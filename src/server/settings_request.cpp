#include "server/settings_request.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace framewire::server {
namespace {

int integer(const nlohmann::json& value, const std::string& key) {
  if (value.is_number_integer() || value.is_number_unsigned()) {
    const auto wide = value.get<long long>();
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
      throw std::invalid_argument(key + ": out of range");
    }
    return static_cast<int>(wide);
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e9) return static_cast<int>(d);
  }
  throw std::invalid_argument(key + ": must be an integer");
}

}  // namespace

media::SettingsRequest parseSettingsRequest(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) throw std::invalid_argument("the body is not valid JSON");
  if (!doc.is_object()) throw std::invalid_argument("the body must be a JSON object");
  media::SettingsRequest request;
  bool any = false;
  for (const auto& [key, value] : doc.items()) {
    if (key == "branch") {
      if (!value.is_string()) throw std::invalid_argument("branch: must be a string");
      request.branch = value.get<std::string>();
      if (request.branch.size() > 64) throw std::invalid_argument("branch: too long");
      continue;
    }
    any = true;
    if (key == "bitrate") request.change.bitrate_kbps = integer(value, key);
    else if (key == "fps") request.change.fps = integer(value, key);
    else if (key == "gop") request.change.gop = integer(value, key);
    else if (key == "width") request.change.width = integer(value, key);
    else if (key == "height") request.change.height = integer(value, key);
    else if (key == "jpeg_quality" || key == "jpeg-quality") request.jpeg_quality = integer(value, key);
    else {
      throw std::invalid_argument("unknown key \"" + key +
                                  "\" (valid: branch, bitrate, fps, gop, width, height, "
                                  "jpeg_quality)");
    }
  }
  if (!any) throw std::invalid_argument("nothing to change");
  return request;
}

}  // namespace framewire::server
