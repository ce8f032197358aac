#include "transport/webrtc/branch_policy.hpp"

#include <algorithm>
#include <cstdio>

namespace framewire::transport::webrtc {
namespace {

std::string seconds(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

std::string troubleReason(const LinkSample& s, const BranchPolicyOptions& o, std::int64_t for_ms) {
  char text[96];
  if (s.loss > o.bad_loss) {
    std::snprintf(text, sizeof text, "loss %.1f %% for ", s.loss * 100.0);
  } else {
    std::snprintf(text, sizeof text, "round trip %.0f ms for ", s.rtt_ms);
  }
  return text + seconds(for_ms);
}

bool heavier(const BranchRank& a, const BranchRank& b) {
  if (a.pixel_rate != b.pixel_rate) return a.pixel_rate > b.pixel_rate;
  return a.bitrate_kbps > b.bitrate_kbps;
}

}  // namespace

BranchDecision BranchPolicy::update(const LinkSample& s, bool can_down, bool can_up) {
  const auto& o = options_;
  const bool bad = s.loss > o.bad_loss || (s.rtt_ms >= 0 && s.rtt_ms > o.bad_rtt_ms);
  const bool good = !bad && s.loss >= 0 && s.loss < o.good_loss &&
                    (s.rtt_ms < 0 || s.rtt_ms < o.good_rtt_ms);
  // Between the two thresholds (or without reports) both clocks restart: that band is the
  // hysteresis.
  if (bad) {
    good_since_ms_ = -1;
    if (bad_since_ms_ < 0) bad_since_ms_ = s.now_ms;
  } else if (good) {
    bad_since_ms_ = -1;
    if (good_since_ms_ < 0) good_since_ms_ = s.now_ms;
  } else {
    bad_since_ms_ = good_since_ms_ = -1;
  }
  // A move up that held through the flap window was right: the next one needs the base period.
  if (last_up_ms_ >= 0 && s.now_ms - last_up_ms_ >= o.flap_window_ms) {
    good_for_ms_ = o.good_for_ms;
    last_up_ms_ = -1;
  }
  const bool dwelt = last_move_ms_ < 0 || s.now_ms - last_move_ms_ >= o.min_dwell_ms;
  if (!dwelt) return {};

  if (bad && can_down && s.now_ms - bad_since_ms_ >= o.bad_for_ms) {
    BranchDecision d{BranchMove::kDown, troubleReason(s, o, s.now_ms - bad_since_ms_)};
    if (last_up_ms_ >= 0 && s.now_ms - last_up_ms_ < o.flap_window_ms) {
      good_for_ms_ = std::min(good_for_ms_ * 2, o.max_good_for_ms);
    }
    last_up_ms_ = -1;
    switched(s.now_ms);
    return d;
  }
  if (good && can_up && s.now_ms - good_since_ms_ >= good_for_ms_) {
    BranchDecision d{BranchMove::kUp, "clean for " + seconds(s.now_ms - good_since_ms_)};
    switched(s.now_ms);
    last_up_ms_ = s.now_ms;
    return d;
  }
  return {};
}

void BranchPolicy::switched(std::int64_t now_ms) {
  last_move_ms_ = now_ms;
  bad_since_ms_ = good_since_ms_ = -1;
}

double intervalLoss(std::int64_t lost_before, std::int64_t lost_now, std::uint64_t sent_before,
                    std::uint64_t sent_now) {
  if (sent_now <= sent_before) return -1;
  const auto lost = std::max<std::int64_t>(0, lost_now - lost_before);
  return std::min(1.0, static_cast<double>(lost) / static_cast<double>(sent_now - sent_before));
}

std::optional<std::string> neighbourBranch(const std::vector<BranchRank>& branches,
                                           std::string_view current, BranchMove move) {
  if (move == BranchMove::kStay) return std::nullopt;
  const auto self = std::find_if(branches.begin(), branches.end(),
                                 [&](const BranchRank& b) { return b.id == current; });
  if (self == branches.end()) return std::nullopt;
  std::vector<BranchRank> same;
  for (const auto& b : branches) {
    if (b.encoding == self->encoding) same.push_back(b);
  }
  // Heaviest first; equal ranks keep their configured order.
  std::stable_sort(same.begin(), same.end(), heavier);
  const auto at = std::find_if(same.begin(), same.end(),
                               [&](const BranchRank& b) { return b.id == current; });
  if (move == BranchMove::kDown) {
    // The next one that is really lighter (equal ranks are no relief).
    for (auto it = at + 1; it != same.end(); ++it) {
      if (heavier(*at, *it)) return it->id;
    }
    return std::nullopt;
  }
  for (auto it = at; it != same.begin();) {
    --it;
    if (heavier(*it, *at)) return it->id;
  }
  return std::nullopt;
}

}  // namespace framewire::transport::webrtc
