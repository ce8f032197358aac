#include "transport/webrtc/sdp_rewrite.hpp"

#include <algorithm>
#include <cctype>

#include "transport/webrtc/header_extensions.hpp"

namespace framewire::transport::webrtc {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const auto start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string_view stripA(std::string_view line) {
  if (line.starts_with("a=")) line.remove_prefix(2);
  return line;
}

// Feedback framewire acts on: NACK (retransmission from rtprtxsend), PLI and FIR (keyframe
// requests). Congestion-control feedback is left out: framewire does not adapt per peer, it
// shares one encode.
bool keepFeedback(std::string_view fb) {
  return fb == "nack" || fb == "nack pli" || fb == "ccm fir";
}

// The payload type an "a=rtpmap|fmtp|rtcp-fb:<pt> ..." line is about; -1 for "*" or others.
int payloadTypeOf(const SdpLine& line) {
  const auto value = line.attributeValue();
  const auto space = value.find(' ');
  const auto pt = value.substr(0, space);
  if (pt.empty() || !std::all_of(pt.begin(), pt.end(), ::isdigit)) return -1;
  return std::atoi(std::string(pt).c_str());
}

// The offer's audio section cut down to the one payload type framewire sends: no feedback
// (NACK/PLI are video's), no header extensions, no mDNS candidates.
MediaSection agentAudioSection(const MediaSection& source, int pt) {
  MediaSection audio;
  audio.media = source.media;
  audio.port = source.port == 0 ? 9 : source.port;
  audio.proto = source.proto;
  audio.formats.push_back(std::to_string(pt));
  for (const auto& line : source.lines) {
    if (line.type == 'a') {
      const auto name = line.attributeName();
      if (name == "rtpmap" || name == "fmtp") {
        if (payloadTypeOf(line) != pt) continue;
      } else if (name == "rtcp-fb" || name == "extmap" || name == "rtcp-xr" ||
                 name == "bundle-only") {
        continue;
      } else if (name == "candidate" && isMdnsCandidate(line.value)) {
        continue;
      }
    }
    audio.lines.push_back(line);
  }
  return audio;
}

// webrtcbin's answer section for `mid` (its answer keeps the offer's mids), else the one at
// `fallback`.
const MediaSection& agentSection(const SessionDescription& answer, const std::string& mid,
                                 std::size_t fallback) {
  for (const auto& section : answer.media) {
    if (section.mid == mid) return section;
  }
  return answer.media[std::min(fallback, answer.media.size() - 1)];
}

}  // namespace

std::optional<CandidateFields> parseCandidate(std::string_view line) {
  line = stripA(line);
  if (!line.starts_with("candidate:")) return std::nullopt;
  const auto w = words(line);
  if (w.size() < 8 || w[6] != "typ") return std::nullopt;
  CandidateFields fields;
  fields.transport = std::string(w[2]);
  std::transform(fields.transport.begin(), fields.transport.end(), fields.transport.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  fields.address = std::string(w[4]);
  fields.port = std::string(w[5]);
  fields.type = std::string(w[7]);
  return fields;
}

bool isMdnsCandidate(std::string_view line) {
  const auto fields = parseCandidate(line);
  return fields && fields->address.ends_with(".local");
}

std::string replaceCandidateAddress(std::string_view line, std::string_view address) {
  line = stripA(line);
  // The address is the fifth space-separated field.
  std::size_t pos = 0;
  for (int field = 0; field < 4; ++field) {
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) return std::string(line);
    while (pos < line.size() && line[pos] == ' ') ++pos;
  }
  const auto end = line.find(' ', pos);
  if (end == std::string_view::npos) return std::string(line);
  return std::string(line.substr(0, pos)) + std::string(address) + std::string(line.substr(end));
}

std::string agentOffer(const SessionDescription& offer, const AnswerPlan& plan) {
  SessionDescription out;
  const auto bundle = offer.bundleMids();
  const bool bundled = std::find(bundle.begin(), bundle.end(), plan.video_mid) != bundle.end();
  for (const auto& line : offer.session_lines) {
    if (line.type == 'a' && line.attributeName() == "group") continue;
    if (line.type == 'a' && line.attributeName() == "extmap") continue;
    out.session_lines.push_back(line);
    // Keep the group right after t= where it came from (order does not matter to parsers).
  }
  if (bundled && plan.audio) {
    const bool audio_first = plan.audio->index < plan.video_index;
    out.session_lines.push_back(SdpLine{
        'a', "group:BUNDLE " + (audio_first ? plan.audio->mid + " " + plan.video_mid
                                            : plan.video_mid + " " + plan.audio->mid)});
  } else if (bundled) {
    out.session_lines.push_back(SdpLine{'a', "group:BUNDLE " + plan.video_mid});
  }

  const auto& source = offer.media[plan.video_index];
  MediaSection video;
  video.media = source.media;
  // webrtcbin sees this section alone, so it is the BUNDLE tag: a bundle-only section
  // (port 0) becomes an ordinary one.
  video.port = source.port == 0 ? 9 : source.port;
  video.proto = source.proto;
  const int pt = plan.codec.payload_type;
  const int rtx = plan.codec.rtx_payload_type.value_or(-1);
  video.formats.push_back(std::to_string(pt));
  if (rtx >= 0) video.formats.push_back(std::to_string(rtx));
  for (const auto& line : source.lines) {
    if (line.type == 'a') {
      const auto name = line.attributeName();
      if (name == "rtpmap" || name == "fmtp" || name == "rtcp-fb") {
        const int line_pt = payloadTypeOf(line);
        if (line_pt != pt && line_pt != rtx) continue;
        if (name == "rtcp-fb") {
          const auto value = line.attributeValue();
          const auto fb = value.substr(value.find(' ') + 1);
          if (line_pt != pt || !keepFeedback(fb)) continue;
        }
      } else if (name == "extmap" || name == "rtcp-xr" || name == "bundle-only") {
        continue;
      } else if (name == "candidate" && isMdnsCandidate(line.value)) {
        continue;
      }
    }
    video.lines.push_back(line);
  }
  out.media.push_back(std::move(video));
  if (plan.audio) {
    auto audio = agentAudioSection(offer.media[plan.audio->index], plan.audio->payload_type);
    const auto at = plan.audio->index < plan.video_index ? out.media.begin() : out.media.end();
    out.media.insert(at, std::move(audio));
  }
  return serializeSdp(out);
}

std::optional<std::string> finalAnswer(const SessionDescription& offer, const AnswerPlan& plan,
                                       const SessionDescription& agent_answer,
                                       const AnswerExtras& extras, std::string* error) {
  const std::size_t expected = plan.audio ? 2 : 1;
  if (agent_answer.media.size() != expected) {
    if (error) {
      *error = "webrtcbin answered with " + std::to_string(agent_answer.media.size()) +
               " m-sections, expected " + std::to_string(expected);
    }
    return std::nullopt;
  }
  SessionDescription out;
  out.session_lines = agent_answer.session_lines;

  // The answer's video section, with candidates (webrtcbin may or may not have added the
  // ones it gathered to its local description) and the announced address applied.
  const bool audio_first = plan.audio && plan.audio->index < plan.video_index;
  MediaSection video = agentSection(agent_answer, plan.video_mid, audio_first ? 1 : 0);
  // The codec parameters go back exactly as the client offered them (webrtcbin re-serialises
  // them from caps, reordered and sometimes with a parameter twice).
  const auto fmtp_prefix = std::to_string(plan.codec.payload_type) + " ";
  for (auto& line : video.lines) {
    if (line.type == 'a' && line.attributeName() == "fmtp" &&
        line.attributeValue().starts_with(fmtp_prefix) && !plan.codec.fmtp.empty()) {
      line.value = "fmtp:" + fmtp_prefix + plan.codec.fmtp;
    }
  }
  // webrtcbin negotiated no header extensions (agentOffer() leaves them out); the ones
  // framewire writes itself go back to the client.
  if (plan.playout_delay_id) {
    video.lines.push_back(SdpLine{'a', extmapAttribute(*plan.playout_delay_id, kPlayoutDelayUri)});
  }
  if (plan.abs_capture_time_id) {
    video.lines.push_back(
        SdpLine{'a', extmapAttribute(*plan.abs_capture_time_id, kAbsCaptureTimeUri)});
  }
  std::vector<std::string> present;
  for (const auto& line : video.lines) {
    if (line.type == 'a' && line.attributeName() == "candidate") present.push_back(line.value);
  }
  std::erase_if(video.lines, [](const SdpLine& l) {
    return l.type == 'a' &&
           (l.attributeName() == "candidate" || l.attributeName() == "end-of-candidates");
  });
  for (const auto& c : extras.candidates) {
    const auto text = std::string(stripA(c));
    if (std::find(present.begin(), present.end(), text) == present.end()) present.push_back(text);
  }
  std::vector<std::string> final_candidates;
  for (const auto& c : present) {
    const auto fields = parseCandidate(c);
    if (!fields) continue;
    const bool ipv4_host = fields->type == "host" && fields->address.find(':') == std::string::npos;
    if (!extras.announced_address.empty() && ipv4_host) {
      if (extras.keep_host_candidates) final_candidates.push_back(c);
      auto rewritten = replaceCandidateAddress(c, extras.announced_address);
      if (std::find(final_candidates.begin(), final_candidates.end(), rewritten) ==
          final_candidates.end()) {
        final_candidates.push_back(std::move(rewritten));
      }
    } else {
      final_candidates.push_back(c);
    }
  }
  for (auto& c : final_candidates) video.lines.push_back(SdpLine{'a', std::move(c)});
  if (extras.gathering_complete) video.lines.push_back(SdpLine{'a', "end-of-candidates"});

  const auto& ice_source = video;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    if (i == plan.video_index) {
      out.media.push_back(video);
      continue;
    }
    if (plan.audio && i == plan.audio->index) {
      // Bundled with the video: the same transport, so the same candidates.
      MediaSection audio = agentSection(agent_answer, plan.audio->mid, audio_first ? 0 : 1);
      std::erase_if(audio.lines, [](const SdpLine& l) {
        return l.type == 'a' &&
               (l.attributeName() == "candidate" || l.attributeName() == "end-of-candidates");
      });
      for (const auto& line : video.lines) {
        if (line.type == 'a' && (line.attributeName() == "candidate" ||
                                 line.attributeName() == "end-of-candidates")) {
          audio.lines.push_back(line);
        }
      }
      // Only a section framewire sends on carries capture times (a microphone-only one does
      // not).
      if (plan.audio->send && plan.audio->abs_capture_time_id) {
        audio.lines.push_back(
            SdpLine{'a', extmapAttribute(*plan.audio->abs_capture_time_id, kAbsCaptureTimeUri)});
      }
      out.media.push_back(std::move(audio));
      continue;
    }
    // Rejected (RFC 8829 §5.3.1): port 0, the offer's formats, its mid, nothing sent.
    const auto& offered = offer.media[i];
    MediaSection rejected;
    rejected.media = offered.media;
    rejected.port = 0;
    rejected.proto = offered.proto;
    rejected.formats = offered.formats;
    if (rejected.formats.empty()) rejected.formats.push_back("0");
    rejected.lines.push_back(SdpLine{'c', "IN IP4 0.0.0.0"});
    // Some parsers want ICE/DTLS attributes on every section, rejected or not.
    for (const auto* name : {"ice-ufrag", "ice-pwd", "fingerprint", "setup"}) {
      if (auto value = ice_source.attribute(name)) {
        rejected.lines.push_back(SdpLine{'a', std::string(name) + ":" + *value});
      }
    }
    if (!offered.mid.empty()) rejected.lines.push_back(SdpLine{'a', "mid:" + offered.mid});
    if (offered.isRtp()) rejected.lines.push_back(SdpLine{'a', "inactive"});
    out.media.push_back(std::move(rejected));
  }
  return serializeSdp(out);
}

TrickleParseResult parseTrickleFragment(std::string_view text) {
  TrickleParseResult result;
  TrickleFragment fragment;
  std::string mid;
  int mline = -1;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') {
      result.error = "line " + std::to_string(line_no) + " of the SDP fragment is not x=...";
      return result;
    }
    if (line[0] == 'm') {
      ++mline;
      mid.clear();
      continue;
    }
    if (line[0] != 'a') continue;
    const auto attr = line.substr(2);
    if (attr.starts_with("ice-ufrag:")) {
      fragment.ice_ufrag = std::string(attr.substr(10));
    } else if (attr.starts_with("ice-pwd:")) {
      fragment.ice_pwd = std::string(attr.substr(8));
    } else if (attr.starts_with("mid:")) {
      mid = std::string(attr.substr(4));
    } else if (attr.starts_with("candidate:")) {
      if (!parseCandidate(attr)) {
        result.error = "malformed candidate on line " + std::to_string(line_no);
        return result;
      }
      fragment.candidates.push_back(TrickleCandidate{mid, std::max(mline, 0), std::string(attr)});
    } else if (attr == "end-of-candidates") {
      fragment.end_of_candidates = true;
    }
  }
  result.fragment = std::move(fragment);
  return result;
}

}  // namespace framewire::transport::webrtc
