#include "transport/webrtc/sdp_session.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

namespace framewire::transport::webrtc {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitWords(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

std::optional<int> toInt(std::string_view s) {
  int value = 0;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Fills the parsed fields of `section` from one of its a= lines. Returns an error or "".
std::string parseMediaAttribute(MediaSection& section, const SdpLine& line) {
  const auto name = line.attributeName();
  const auto value = line.attributeValue();
  if (name == "mid") {
    section.mid = std::string(trim(value));
  } else if (name == "sendrecv" || name == "sendonly" || name == "recvonly" || name == "inactive") {
    section.direction = std::string(name);
  } else if (name == "rtpmap") {
    // "<pt> <encoding>/<clock>[/<channels>]"
    const auto space = value.find(' ');
    const auto pt = toInt(value.substr(0, space));
    if (space == std::string_view::npos || !pt || *pt < 0 || *pt > 127) {
      return "malformed a=rtpmap line: \"" + line.text() + "\"";
    }
    const auto spec = trim(value.substr(space + 1));
    const auto slash = spec.find('/');
    if (slash == std::string_view::npos || slash == 0) {
      return "malformed a=rtpmap line: \"" + line.text() + "\"";
    }
    RtpMap map;
    map.payload_type = *pt;
    map.encoding = std::string(spec.substr(0, slash));
    auto rest = spec.substr(slash + 1);
    const auto slash2 = rest.find('/');
    const auto clock = toInt(rest.substr(0, slash2));
    if (!clock || *clock <= 0) return "malformed a=rtpmap clock rate: \"" + line.text() + "\"";
    map.clock_rate = *clock;
    if (slash2 != std::string_view::npos) map.channels = std::string(rest.substr(slash2 + 1));
    section.rtpmaps[*pt] = std::move(map);
  } else if (name == "fmtp") {
    const auto space = value.find(' ');
    const auto pt = toInt(value.substr(0, space));
    if (space == std::string_view::npos || !pt) {
      return "malformed a=fmtp line: \"" + line.text() + "\"";
    }
    section.fmtps[*pt] = std::string(trim(value.substr(space + 1)));
  } else if (name == "rtcp-fb") {
    const auto space = value.find(' ');
    if (space == std::string_view::npos) return "malformed a=rtcp-fb line: \"" + line.text() + "\"";
    const auto target = value.substr(0, space);
    const auto feedback = std::string(trim(value.substr(space + 1)));
    if (target == "*") {
      section.wildcard_rtcp_fbs.push_back(feedback);
    } else if (const auto pt = toInt(target)) {
      section.rtcp_fbs[*pt].push_back(feedback);
    } else {
      return "malformed a=rtcp-fb line: \"" + line.text() + "\"";
    }
  }
  return {};
}

std::string parseMediaLine(MediaSection& section, std::string_view value, std::size_t line_no) {
  const auto words = splitWords(value);
  const auto bad = "malformed m= line " + std::to_string(line_no) + ": \"m=" + std::string(value) +
                   "\" (expected m=<media> <port> <proto> <formats>)";
  if (words.size() < 4) return bad;
  section.media = std::string(words[0]);
  const auto port_text = words[1].substr(0, words[1].find('/'));
  const auto port = toInt(port_text);
  if (!port || *port < 0 || *port > 65535) return bad;
  section.port = *port;
  section.proto = std::string(words[2]);
  for (std::size_t i = 3; i < words.size(); ++i) section.formats.emplace_back(words[i]);
  if (section.isRtp()) {
    for (const auto& f : section.formats) {
      const auto pt = toInt(f);
      if (!pt || *pt < 0 || *pt > 127) return bad;
    }
  }
  return {};
}

}  // namespace

std::string_view SdpLine::attributeName() const {
  if (type != 'a') return {};
  const std::string_view v = value;
  return v.substr(0, v.find(':'));
}

std::string_view SdpLine::attributeValue() const {
  if (type != 'a') return {};
  const std::string_view v = value;
  const auto colon = v.find(':');
  return colon == std::string_view::npos ? std::string_view{} : v.substr(colon + 1);
}

std::optional<std::string> MediaSection::attribute(std::string_view name) const {
  for (const auto& line : lines) {
    if (line.type == 'a' && line.attributeName() == name) {
      return std::string(line.attributeValue());
    }
  }
  return std::nullopt;
}

std::optional<std::string> SessionDescription::sessionAttribute(std::string_view name) const {
  for (const auto& line : session_lines) {
    if (line.type == 'a' && line.attributeName() == name) {
      return std::string(line.attributeValue());
    }
  }
  return std::nullopt;
}

std::vector<std::string> SessionDescription::bundleMids() const {
  for (const auto& line : session_lines) {
    if (line.type != 'a' || line.attributeName() != "group") continue;
    const auto words = splitWords(line.attributeValue());
    if (words.empty() || words[0] != "BUNDLE") continue;
    return std::vector<std::string>(words.begin() + 1, words.end());
  }
  return {};
}

std::optional<std::string> SessionDescription::effectiveAttribute(const MediaSection& section,
                                                                  std::string_view name) const {
  if (auto value = section.attribute(name)) return value;
  return sessionAttribute(name);
}

SdpParseResult parseSdp(std::string_view text) {
  SdpParseResult result;
  SessionDescription description;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty()) continue;  // tolerate blank lines (some clients add a trailing one)
    if (raw.size() < 2 || raw[1] != '=' || !std::islower(static_cast<unsigned char>(raw[0]))) {
      result.error = "line " + std::to_string(line_no) + " is not an SDP line (x=...): \"" +
                     std::string(raw.substr(0, 60)) + "\"";
      return result;
    }
    SdpLine line{raw[0], std::string(raw.substr(2))};
    if (first) {
      if (line.type != 'v' || line.value != "0") {
        result.error = "SDP must start with \"v=0\"";
        return result;
      }
      first = false;
    }
    if (line.type == 'm') {
      MediaSection section;
      if (auto error = parseMediaLine(section, line.value, line_no); !error.empty()) {
        result.error = std::move(error);
        return result;
      }
      section.direction = "sendrecv";
      description.media.push_back(std::move(section));
    } else if (description.media.empty()) {
      description.session_lines.push_back(std::move(line));
    } else {
      auto& section = description.media.back();
      if (line.type == 'a') {
        if (auto error = parseMediaAttribute(section, line); !error.empty()) {
          result.error = std::move(error);
          return result;
        }
      }
      section.lines.push_back(std::move(line));
    }
  }
  if (first) {
    result.error = "empty SDP";
    return result;
  }
  const auto has = [&](char type) {
    return std::any_of(description.session_lines.begin(), description.session_lines.end(),
                       [&](const SdpLine& l) { return l.type == type; });
  };
  if (!has('o') || !has('s') || !has('t')) {
    result.error = "SDP session is missing one of its o=, s= or t= lines";
    return result;
  }
  if (description.media.empty()) {
    result.error = "SDP has no m= section (truncated offer?)";
    return result;
  }
  result.description = std::move(description);
  return result;
}

std::string serializeSection(const MediaSection& section) {
  std::ostringstream out;
  out << "m=" << section.media << ' ' << section.port << ' ' << section.proto;
  for (const auto& f : section.formats) out << ' ' << f;
  out << "\r\n";
  for (const auto& line : section.lines) out << line.type << '=' << line.value << "\r\n";
  return out.str();
}

std::string serializeSdp(const SessionDescription& description) {
  std::string out;
  for (const auto& line : description.session_lines) {
    out += line.type;
    out += '=';
    out += line.value;
    out += "\r\n";
  }
  for (const auto& section : description.media) out += serializeSection(section);
  return out;
}

std::map<std::string, std::string> parseFmtp(std::string_view parameters) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= parameters.size()) {
    auto end = parameters.find(';', pos);
    if (end == std::string_view::npos) end = parameters.size();
    const auto item = trim(parameters.substr(pos, end - pos));
    if (!item.empty()) {
      const auto eq = item.find('=');
      if (eq == std::string_view::npos) {
        out[lower(item)] = "";
      } else {
        out[lower(trim(item.substr(0, eq)))] = std::string(trim(item.substr(eq + 1)));
      }
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace framewire::transport::webrtc
