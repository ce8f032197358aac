#include "transport/direct/direct_framing.hpp"

#include <nlohmann/json.hpp>

namespace framewire::transport::direct {

VideoHeader encodeVideoHeader(bool keyframe, std::int64_t capture_us) {
  VideoHeader header{};
  header[0] = kVideoMessage;
  header[1] = keyframe ? kFlagKeyframe : 0;
  const auto value = static_cast<std::uint64_t>(capture_us < 0 ? 0 : capture_us);
  for (int i = 0; i < 8; ++i) {
    header[2 + i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  }
  return header;
}

VideoHeader encodeAudioHeader(std::int64_t capture_us) {
  VideoHeader header = encodeVideoHeader(false, capture_us);
  header[0] = kAudioMessage;
  return header;
}

std::string audioHelloMessage(const AudioStreamFormat& format) {
  nlohmann::json hello{{"type", "audio"},
                       {"codec", format.codec},
                       {"sampleRate", format.sample_rate},
                       {"numberOfChannels", format.channels},
                       {"frame_ms", format.frame_ms},
                       {"framing", {{"header_bytes", kVideoHeaderSize}, {"time", "capture_us"}}}};
  return hello.dump();
}

std::optional<DecodedVideoHeader> decodeVideoHeader(std::span<const std::uint8_t> message) {
  if (message.size() < kVideoHeaderSize || message[0] != kVideoMessage) return std::nullopt;
  DecodedVideoHeader decoded;
  decoded.flags = message[1];
  decoded.keyframe = (message[1] & kFlagKeyframe) != 0;
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | message[2 + i];
  decoded.capture_us = static_cast<std::int64_t>(value);
  return decoded;
}

std::string helloMessage(const StreamFormat& format, std::string_view branch) {
  nlohmann::json hello{{"type", "hello"},
                       {"codec", format.codec},
                       {"width", format.width},
                       {"height", format.height},
                       {"fps", format.fps},
                       {"branch", std::string(branch)},
                       {"framing", {{"header_bytes", kVideoHeaderSize}, {"time", "capture_us"}}}};
  return hello.dump();
}

ControlParse parseControlMessage(std::string_view text) {
  ControlParse result;
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    result.error = "control message is not valid JSON";
    return result;
  }
  if (!json.is_object()) {
    result.error = "control message is not a JSON object";
    return result;
  }
  const auto type = json.find("type");
  if (type == json.end() || !type->is_string()) {
    result.error = "control message has no string \"type\"";
    return result;
  }
  ControlMessage message;
  message.type_name = type->get<std::string>();
  if (message.type_name == "keyframe") {
    message.type = ControlType::kKeyframe;
  } else if (message.type_name == "ping") {
    message.type = ControlType::kPing;
    const auto t = json.find("t");
    message.ping_t = t == json.end() ? "null" : t->dump();
  }
  result.message = std::move(message);
  return result;
}

std::string pongMessage(std::string_view ping_t_json) {
  std::string out = R"({"type":"pong","t":)";
  out += ping_t_json;
  out += '}';
  return out;
}

}  // namespace framewire::transport::direct
