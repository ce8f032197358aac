#pragma once
// When a WebRTC viewer should move to a lighter or a heavier branch of its codec, decided from
// the receiver reports the browser sends (loss, round-trip time), with hysteresis in the spirit
// of neko's estimator: a move down needs sustained trouble, a move up a long clean period, every
// move a minimum dwell on the branch it left, and a move down soon after a move up doubles the
// clean period the next move up needs (so a link that cannot carry the heavier branch does not
// flap between the two). Pure logic, no GStreamer: fed one sample per stats poll.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace framewire::transport::webrtc {

struct BranchPolicyOptions {
  double bad_loss = 0.05;        // loss above this is trouble
  double good_loss = 0.01;       // loss below this (and a fine RTT) is clean
  double bad_rtt_ms = 400;       // round-trip time above this is trouble
  double good_rtt_ms = 250;      // and below this is clean
  std::int64_t bad_for_ms = 3000;    // trouble this long: move down
  std::int64_t good_for_ms = 12000;  // clean this long: move up
  std::int64_t min_dwell_ms = 5000;  // no move within this long of the previous one
  std::int64_t flap_window_ms = 30000;  // a move down this soon after a move up is a flap...
  std::int64_t max_good_for_ms = 120000;  // ...which doubles good_for_ms, up to this
};

// One stats poll: loss over the poll interval (0..1, negative: unknown) and the latest RTT
// (negative: unknown). Both come from the browser's RTCP receiver reports.
struct LinkSample {
  std::int64_t now_ms = 0;
  double loss = -1;
  double rtt_ms = -1;
};

enum class BranchMove { kStay, kDown, kUp };

struct BranchDecision {
  BranchMove move = BranchMove::kStay;
  std::string reason;  // "loss 7.5 % for 3.0 s", "clean for 12.0 s"
};

class BranchPolicy {
 public:
  BranchPolicy() = default;
  explicit BranchPolicy(BranchPolicyOptions options) : options_(options) {}

  // `can_down` / `can_up`: a lighter / heavier branch of the same codec exists. A move it
  // returns is assumed done (call switched() only for moves made elsewhere, e.g. manual ones).
  BranchDecision update(const LinkSample& sample, bool can_down, bool can_up);
  // Someone else moved the viewer (a manual switch) at `now_ms`: restart the clocks.
  void switched(std::int64_t now_ms);

  std::int64_t currentGoodForMs() const { return good_for_ms_; }

 private:
  BranchPolicyOptions options_;
  std::int64_t bad_since_ms_ = -1;
  std::int64_t good_since_ms_ = -1;
  std::int64_t last_move_ms_ = -1;
  std::int64_t last_up_ms_ = -1;
  std::int64_t good_for_ms_ = options_.good_for_ms;
};

// Loss over one poll interval from the cumulative counters of two polls: the packets the
// browser reported lost since the last poll over the packets sent since then. Negative when
// nothing was sent (unknown).
double intervalLoss(std::int64_t lost_before, std::int64_t lost_now, std::uint64_t sent_before,
                    std::uint64_t sent_now);

// A branch a viewer could be moved to: heavier ones have a higher pixel rate (width × height ×
// fps), then a higher bitrate.
struct BranchRank {
  std::string id;
  std::string encoding;  // "H264", "VP8", ...: a viewer only moves within its codec
  std::int64_t pixel_rate = 0;
  int bitrate_kbps = 0;
};

// The next lighter (kDown) or heavier (kUp) branch of `current`'s codec; nullopt at the edge or
// when `current` is not in the list.
std::optional<std::string> neighbourBranch(const std::vector<BranchRank>& branches,
                                           std::string_view current, BranchMove move);

}  // namespace framewire::transport::webrtc
