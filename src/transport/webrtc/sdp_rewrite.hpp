#pragma once
// The two rewrites around webrtcbin, as pure functions:
//
// 1. agentOffer(): the client's offer cut down to what webrtcbin should negotiate: the one
//    video m-section, only the chosen H.264 payload type and its RTX, only the feedback
//    framewire acts on (nack, nack pli, ccm fir), no header extensions, no mDNS candidates
//    (".local" names the server cannot resolve: the browser's address is learnt as a
//    peer-reflexive candidate from its connectivity checks instead).
// 2. finalAnswer(): webrtcbin's answer put back into the shape of the client's offer: one
//    m-section per offered one, in order, the others rejected with port 0; the gathered
//    candidates added; host candidate addresses replaced by the announced address (1:1 NAT).
//
// Also the parser for WHEP PATCH bodies (application/trickle-ice-sdpfrag, RFC 8840).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

std::string agentOffer(const SessionDescription& offer, const AnswerPlan& plan);

struct AnswerExtras {
  std::vector<std::string> candidates;  // "candidate:..." lines (no "a=") gathered locally
  bool gathering_complete = false;      // adds a=end-of-candidates
  std::string announced_address;        // replaces host candidate addresses when set
  bool keep_host_candidates = false;    // with an announced address: keep the originals too
};

// `agent_answer` is webrtcbin's answer to agentOffer() (one m-section).
std::optional<std::string> finalAnswer(const SessionDescription& offer, const AnswerPlan& plan,
                                       const SessionDescription& agent_answer,
                                       const AnswerExtras& extras, std::string* error);

// The fields of "candidate:<foundation> <component> <transport> <priority> <address> <port>
// typ <type> ...". Nothing when it is not a candidate line. `line` may start with "a=".
struct CandidateFields {
  std::string address;
  std::string port;
  std::string type;       // host, srflx, prflx, relay
  std::string transport;  // udp, tcp (lower case)
};
std::optional<CandidateFields> parseCandidate(std::string_view line);
bool isMdnsCandidate(std::string_view line);
// The candidate with its address replaced.
std::string replaceCandidateAddress(std::string_view line, std::string_view address);

struct TrickleCandidate {
  std::string mid;        // the m-section's a=mid (empty when the fragment names none)
  int mline_index = 0;    // index of its m= line in the fragment
  std::string candidate;  // "candidate:..." (no "a=")
};

struct TrickleFragment {
  std::string ice_ufrag;  // empty when absent
  std::string ice_pwd;
  std::vector<TrickleCandidate> candidates;
  bool end_of_candidates = false;
};

struct TrickleParseResult {
  std::optional<TrickleFragment> fragment;
  std::string error;
};

TrickleParseResult parseTrickleFragment(std::string_view text);

}  // namespace framewire::transport::webrtc
