// WhepService's branch switching: the manual per-peer switch (POST /api/peers/<id>/branch) and
// the automatic one, which feeds each peer's receiver reports to its BranchPolicy once per poll.
#include <algorithm>
#include <future>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "transport/webrtc/peer_session.hpp"
#include "transport/webrtc/serial_executor.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::transport::webrtc {
namespace {

std::int64_t nowMs() { return core::steadyMicros() / 1000; }

}  // namespace

std::string WhepService::startSwitch(const std::string& id, Entry& entry, const std::string& to,
                                     const std::string& reason) {
  const auto found = branches_ ? branches_(to) : std::vector<Branch>{};
  if (found.empty()) return "unknown branch \"" + to + "\"";
  const auto& peer = *entry.peer;
  const auto& encoding = peer.params().plan.codec.encoding;
  if (found.front().encoding != encoding) {
    return "branch \"" + found.front().id + "\" is " + found.front().encoding +
           " and this viewer was negotiated for " + encoding +
           ": a viewer keeps its codec (start a new session for another one)";
  }
  entry.pending_reason = reason;
  spdlog::info("webrtc {}: branch {} -> {} ({})", id, peer.branch(), found.front().id, reason);
  entry.peer->switchBranch(found.front().bus, found.front().id);
  return {};
}

WhepResult WhepService::switchPeerBranch(std::string_view id_view, std::optional<std::string> branch,
                                         std::optional<bool> auto_branch) {
  auto promise = std::make_shared<std::promise<WhepResult>>();
  auto future = promise->get_future();
  control_->post([this, promise, id = std::string(id_view), branch, auto_branch] {
    const auto it = peers_.find(id);
    if (it == peers_.end()) {
      promise->set_value(errorResult(404, "no WebRTC peer " + id));
      return;
    }
    auto& entry = it->second;
    if (branch) {
      if (auto error = startSwitch(id, entry, *branch, "manual"); !error.empty()) {
        promise->set_value(errorResult(error.starts_with("unknown") ? 404 : 409, error));
        return;
      }
      entry.policy.switched(nowMs());
      entry.auto_branch = auto_branch.value_or(false);
    } else if (auto_branch) {
      entry.auto_branch = *auto_branch;
    }
    publishStats();
    const nlohmann::json body{{"id", id},
                              {"branch", entry.peer->branch()},
                              {"switching_to", entry.peer->pendingBranch()},
                              {"auto_branch", entry.auto_branch}};
    promise->set_value(jsonResult(200, body.dump()));
  });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return errorResult(500, "the WebRTC control thread did not answer");
  }
  return future.get();
}

void WhepService::adaptBranches() {
  std::vector<BranchRank> ranks;
  bool any_auto = false;
  for (const auto& [id, entry] : peers_) any_auto = any_auto || entry.auto_branch;
  if (any_auto && branches_) {
    for (const auto& b : branches_("")) ranks.push_back({b.id, b.encoding, b.pixel_rate, b.bitrate_kbps});
  }
  const auto now = nowMs();
  for (auto& [id, entry] : peers_) {
    auto& peer = *entry.peer;
    if (auto dropped = peer.dropStaleSwitch(config_.switch_timeout_ms * 1000LL)) {
      spdlog::warn("webrtc {}: switch to {} dropped: no keyframe from it in {} ms", id, *dropped,
                   config_.switch_timeout_ms);
      entry.branch_reason = "switch to " + *dropped + " dropped: it sent no keyframe";
    }
    const auto stats = peer.stats();
    double loss = intervalLoss(entry.lost_before, stats.packets_lost, entry.sent_before,
                               stats.packets_sent);
    entry.lost_before = stats.packets_lost;
    entry.sent_before = stats.packets_sent;
    if (!entry.auto_branch || peer.state() != "connected" || !peer.pendingBranch().empty()) {
      continue;
    }
    // No receiver report yet: nothing is known about the link.
    if (!stats.has_receiver_report) {
      loss = -1;
    } else {
      loss = std::max(loss, stats.fraction_lost);
    }
    const auto current = peer.branch();
    const auto down = neighbourBranch(ranks, current, BranchMove::kDown);
    const auto up = neighbourBranch(ranks, current, BranchMove::kUp);
    const auto decision =
        entry.policy.update({now, loss, stats.rtt_ms}, down.has_value(), up.has_value());
    if (decision.move == BranchMove::kStay) continue;
    const auto& to = decision.move == BranchMove::kDown ? *down : *up;
    if (auto error = startSwitch(id, entry, to, "auto: " + decision.reason); !error.empty()) {
      spdlog::warn("webrtc {}: automatic switch to {} failed: {}", id, to, error);
    }
  }
}

void WhepService::onPeerSwitched(const std::string& id, const std::string& from,
                                 const std::string& to) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return;
  auto& entry = it->second;
  entry.branch_reason = entry.pending_reason.empty() ? "manual" : entry.pending_reason;
  ++entry.branch_switches;
  emit({{"type", "webrtc_peer_branch"},
        {"id", id},
        {"from", from},
        {"to", to},
        {"reason", entry.branch_reason},
        {"auto_branch", entry.auto_branch}});
  publishStats();
}

}  // namespace framewire::transport::webrtc
