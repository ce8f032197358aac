#include "transport/webrtc/answer_plan.hpp"

#include <strings.h>

#include <algorithm>

#include "transport/webrtc/header_extensions.hpp"

namespace framewire::transport::webrtc {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Formats that only repair or protect another codec: not codecs in their own right.
bool isRepairFormat(std::string_view encoding) {
  return iequals(encoding, "rtx") || iequals(encoding, "red") || iequals(encoding, "ulpfec") ||
         iequals(encoding, "flexfec-03") || iequals(encoding, "cn") ||
         iequals(encoding, "telephone-event");
}

std::string fmtpOf(const MediaSection& section, int pt) {
  const auto it = section.fmtps.find(pt);
  return it == section.fmtps.end() ? std::string() : it->second;
}

std::string serverDescription(const ServerVideoCodec& server) {
  if (server.encoding != "H264") return server.encoding;
  return "H264 " + std::string(profileName(server.profile_level_id.profile())) +
         " (profile-level-id=" + server.profile_level_id.hex() +
         ", packetization-mode=" + std::to_string(server.packetization_mode) + ")";
}

// Port 0 means rejected, unless the section is a=bundle-only (RFC 8843: it then rides on the
// BUNDLE transport; webrtcbin offers its non-first sections this way with max-bundle).
bool receives(const MediaSection& section) {
  const bool usable = section.port != 0 || section.attribute("bundle-only").has_value();
  return usable && (section.direction == "recvonly" || section.direction == "sendrecv");
}

// RTX for the chosen payload type: "a=rtpmap:<n> rtx/90000" with "a=fmtp:<n> apt=<pt>".
void addRtx(const MediaSection& section, H264Choice& choice) {
  for (const auto& [pt, map] : section.rtpmaps) {
    if (!iequals(map.encoding, "rtx")) continue;
    const auto params = parseFmtp(fmtpOf(section, pt));
    const auto apt = params.find("apt");
    if (apt != params.end() && std::atoi(apt->second.c_str()) == choice.payload_type) {
      choice.rtx_payload_type = pt;
      return;
    }
  }
}

}  // namespace

std::string describeCodecs(const MediaSection& section) {
  std::vector<std::string> names;
  for (const auto& format : section.formats) {
    const auto it = section.rtpmaps.find(std::atoi(format.c_str()));
    if (it == section.rtpmaps.end()) continue;
    const auto& map = it->second;
    if (isRepairFormat(map.encoding)) continue;
    std::string name = map.encoding;
    if (iequals(map.encoding, "H264")) {
      const auto params = parseFmtp(fmtpOf(section, map.payload_type));
      const auto mode = params.count("packetization-mode") ? params.at("packetization-mode") : "0";
      const auto plid = params.count("profile-level-id") ? params.at("profile-level-id") : "420010";
      name += " " + plid + "/mode " + mode;
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty()) return "none";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::optional<H264Choice> chooseH264(const MediaSection& section, const ServerVideoCodec& server,
                                     std::string* why_not) {
  const auto stream_profile = server.profile_level_id.profile();
  std::optional<H264Choice> best;
  int best_score = -1;
  for (const auto& format : section.formats) {
    const int pt = std::atoi(format.c_str());
    const auto it = section.rtpmaps.find(pt);
    if (it == section.rtpmaps.end()) continue;
    if (!iequals(it->second.encoding, "H264") || it->second.clock_rate != 90000) continue;
    const auto fmtp = fmtpOf(section, pt);
    const auto params = parseFmtp(fmtp);
    // RFC 6184: an absent packetization-mode means 0 (single NAL units only), which cannot
    // carry slices larger than the MTU.
    const auto mode_it = params.find("packetization-mode");
    const int mode = mode_it == params.end() ? 0 : std::atoi(mode_it->second.c_str());
    if (mode != server.packetization_mode) continue;
    // An absent profile-level-id means 420010: baseline, level 1.0.
    const auto plid_it = params.find("profile-level-id");
    const auto plid =
        parseProfileLevelId(plid_it == params.end() ? "420010" : std::string(plid_it->second));
    if (!plid || !canDecode(plid->profile(), stream_profile)) continue;
    const bool exact = plid->profile() == stream_profile;
    const auto asym = params.find("level-asymmetry-allowed");
    const bool level_ok = (asym != params.end() && asym->second == "1") ||
                          plid->level_idc >= server.profile_level_id.level_idc;
    const int score = (exact ? 2 : 0) + (level_ok ? 1 : 0);
    if (score <= best_score) continue;  // strict: earlier (preferred by the client) wins ties
    best_score = score;
    H264Choice choice;
    choice.payload_type = pt;
    choice.fmtp = fmtp;
    choice.exact_profile = exact;
    if (const auto fb = section.rtcp_fbs.find(pt); fb != section.rtcp_fbs.end()) {
      choice.rtcp_fbs = fb->second;
    }
    for (const auto& fb : section.wildcard_rtcp_fbs) choice.rtcp_fbs.push_back(fb);
    best = std::move(choice);
  }
  if (!best) {
    if (why_not) *why_not = describeCodecs(section);
    return std::nullopt;
  }
  addRtx(section, *best);
  return best;
}

std::optional<H264Choice> chooseByName(const MediaSection& section, const std::string& encoding,
                                       std::string* why_not) {
  for (const auto& format : section.formats) {
    const int pt = std::atoi(format.c_str());
    const auto it = section.rtpmaps.find(pt);
    if (it == section.rtpmaps.end()) continue;
    if (!iequals(it->second.encoding, encoding) || it->second.clock_rate != 90000) continue;
    const auto fmtp = fmtpOf(section, pt);
    const auto params = parseFmtp(fmtp);
    // VP9 "profile-id", AV1 "profile": framewire's encoders make profile 0 (8-bit 4:2:0).
    const auto profile = params.count("profile-id") ? params.find("profile-id")
                                                    : params.find("profile");
    if (profile != params.end() && profile->second != "0") continue;
    H264Choice choice;
    choice.encoding = encoding;
    choice.payload_type = pt;
    choice.fmtp = fmtp;
    choice.exact_profile = true;
    if (const auto fb = section.rtcp_fbs.find(pt); fb != section.rtcp_fbs.end()) {
      choice.rtcp_fbs = fb->second;
    }
    for (const auto& fb : section.wildcard_rtcp_fbs) choice.rtcp_fbs.push_back(fb);
    addRtx(section, choice);
    return choice;
  }
  if (why_not) *why_not = describeCodecs(section);
  return std::nullopt;
}

std::optional<AudioChoice> firstBundledAudio(const SessionDescription& offer,
                                             const std::string& video_mid,
                                             const ServerAudioCodec& codec,
                                             bool (*usable)(const MediaSection&)) {
  const auto bundle = offer.bundleMids();
  const auto bundled = [&](const std::string& mid) {
    return !mid.empty() && std::find(bundle.begin(), bundle.end(), mid) != bundle.end();
  };
  // One transport for everything (webrtcbin runs max-bundle): audio outside the video's
  // group would need its own ICE and DTLS.
  if (!bundled(video_mid)) return std::nullopt;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const auto& section = offer.media[i];
    if (section.media != "audio" || !section.isRtp() || !usable(section) || !bundled(section.mid)) {
      continue;
    }
    for (const auto& format : section.formats) {
      const int pt = std::atoi(format.c_str());
      const auto it = section.rtpmaps.find(pt);
      if (it == section.rtpmaps.end()) continue;
      const auto& map = it->second;
      if (!iequals(map.encoding, codec.encoding) || map.clock_rate != codec.clock_rate) continue;
      // Opus is always "opus/48000/2" in SDP (RFC 7587), whatever the stream's channels.
      AudioChoice choice;
      choice.index = i;
      choice.mid = section.mid;
      choice.payload_type = pt;
      choice.codec = codec;
      choice.abs_capture_time_id = offeredExtensionId(section, kAbsCaptureTimeUri);
      return choice;
    }
  }
  return std::nullopt;
}

std::optional<AudioChoice> chooseAudio(const SessionDescription& offer,
                                       const std::string& video_mid,
                                       const ServerAudioCodec& codec) {
  return firstBundledAudio(offer, video_mid, codec, receives);
}

void planAudio(AnswerPlan& plan, const SessionDescription& offer, const ServerAudioCodec& codec) {
  plan.audio = chooseAudio(offer, plan.video_mid, codec);
  if (plan.audio) std::erase(plan.rejected, plan.audio->index);
}

PlanResult planAnswer(const SessionDescription& offer, const ServerVideoCodec& server) {
  PlanResult result;
  std::vector<std::size_t> video_sections;
  std::string kinds;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const auto& section = offer.media[i];
    kinds += (kinds.empty() ? "" : ", ") + section.media;
    if (section.media == "video" && section.isRtp()) video_sections.push_back(i);
  }
  if (video_sections.empty()) {
    result.error = PlanError::kNoVideo;
    result.reason = "the offer has no video m-section (it has: " + kinds + ")";
    return result;
  }
  std::string offered;
  bool any_receiving = false;
  for (const auto index : video_sections) {
    const auto& section = offer.media[index];
    if (!receives(section)) continue;
    any_receiving = true;
    std::string why_not;
    auto choice = server.encoding == "H264" ? chooseH264(section, server, &why_not)
                                            : chooseByName(section, server.encoding, &why_not);
    if (!choice) {
      offered += (offered.empty() ? "" : "; ") + why_not;
      continue;
    }
    if (section.mid.empty()) {
      result.error = PlanError::kMalformed;
      result.reason = "the offer's video m-section has no a=mid";
      return result;
    }
    for (const auto* name : {"ice-ufrag", "ice-pwd", "fingerprint"}) {
      if (!offer.effectiveAttribute(section, name)) {
        result.error = PlanError::kMalformed;
        result.reason = std::string("the offer has no a=") + name + " for its video m-section";
        return result;
      }
    }
    AnswerPlan plan;
    plan.video_index = index;
    plan.video_mid = section.mid;
    plan.codec = std::move(*choice);
    plan.playout_delay_id = offeredExtensionId(section, kPlayoutDelayUri);
    plan.abs_capture_time_id = offeredExtensionId(section, kAbsCaptureTimeUri);
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
      if (i != index) plan.rejected.push_back(i);
    }
    result.plan = std::move(plan);
    return result;
  }
  if (!any_receiving) {
    result.error = PlanError::kNoVideo;
    result.reason =
        "the offer's video m-section does not receive (WHEP playback needs a=recvonly or "
        "a=sendrecv and a non-zero port)";
    return result;
  }
  result.error = PlanError::kNoCommonCodec;
  result.reason = "no common video codec: the offer has " + offered + "; framewire sends " +
                  serverDescription(server);
  return result;
}

}  // namespace framewire::transport::webrtc
