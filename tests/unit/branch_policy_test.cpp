// The automatic branch switch of WebRTC viewers, fed synthetic receiver-report samples.
#include "transport/webrtc/branch_policy.hpp"

#include <gtest/gtest.h>

#include <random>

namespace fw = framewire::transport::webrtc;
using fw::BranchMove;

namespace {

// One sample per second from `from_ms` for `seconds`; returns the moves made (time, move).
struct Feed {
  fw::BranchPolicy policy;
  std::int64_t now_ms = 0;
  bool can_down = true;
  bool can_up = true;
  std::vector<std::pair<std::int64_t, BranchMove>> moves;
  std::string last_reason;

  void run(int seconds, double loss, double rtt_ms = 20) {
    for (int i = 0; i < seconds; ++i) {
      now_ms += 1000;
      auto d = policy.update({now_ms, loss, rtt_ms}, can_down, can_up);
      if (d.move != BranchMove::kStay) {
        moves.emplace_back(now_ms, d.move);
        last_reason = d.reason;
        // Edges: a two-branch ladder.
        can_down = d.move == BranchMove::kUp;
        can_up = d.move == BranchMove::kDown;
      }
    }
  }
};

}  // namespace

TEST(BranchPolicy, SustainedLossMovesDownAfterThreeSeconds) {
  Feed f;
  f.can_up = false;  // on the top branch
  f.run(2, 0.10);
  EXPECT_TRUE(f.moves.empty()) << "two bad seconds are not enough";
  f.run(2, 0.10);
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.moves[0].second, BranchMove::kDown);
  EXPECT_NE(f.last_reason.find("loss 10.0 %"), std::string::npos) << f.last_reason;
}

TEST(BranchPolicy, ShortBurstsDoNotMove) {
  Feed f;
  f.can_up = false;
  for (int i = 0; i < 20; ++i) {
    f.run(2, 0.20);
    f.run(1, 0.0);
  }
  EXPECT_TRUE(f.moves.empty());
}

TEST(BranchPolicy, HighRttMovesDown) {
  Feed f;
  f.can_up = false;
  f.run(5, 0.0, 800);
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.moves[0].second, BranchMove::kDown);
  EXPECT_NE(f.last_reason.find("round trip 800 ms"), std::string::npos) << f.last_reason;
}

TEST(BranchPolicy, MovesBackUpAfterALongCleanPeriod) {
  Feed f;
  f.can_up = false;
  f.run(4, 0.10);
  ASSERT_EQ(f.moves.size(), 1u);
  f.run(11, 0.0);
  EXPECT_EQ(f.moves.size(), 1u) << "11 clean seconds are not enough";
  f.run(2, 0.0);
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_EQ(f.moves[1].second, BranchMove::kUp);
  EXPECT_NE(f.last_reason.find("clean for 12.0 s"), std::string::npos) << f.last_reason;
}

TEST(BranchPolicy, TheBandBetweenThresholdsHoldsTheBranch) {
  Feed f;
  f.can_up = false;
  f.run(4, 0.10);
  ASSERT_EQ(f.moves.size(), 1u);
  f.run(60, 0.03);  // neither trouble nor clean
  EXPECT_EQ(f.moves.size(), 1u);
}

TEST(BranchPolicy, UnknownLossIsNeitherCleanNorBad) {
  Feed f;
  f.run(60, -1, -1);
  EXPECT_TRUE(f.moves.empty());
}

TEST(BranchPolicy, EdgesNeverMove) {
  Feed bottom;
  bottom.can_down = false;
  bottom.can_up = false;
  bottom.run(30, 0.5);
  bottom.run(60, 0.0);
  EXPECT_TRUE(bottom.moves.empty());
}

TEST(BranchPolicy, MinimumDwellAfterAManualSwitch) {
  fw::BranchPolicy p;
  p.switched(0);
  // Trouble from the start: 3 s of it at 3 s, but the dwell (5 s) is not over.
  for (std::int64_t t = 1000; t <= 4000; t += 1000) {
    EXPECT_EQ(p.update({t, 0.2, 10}, true, true).move, BranchMove::kStay) << t;
  }
  EXPECT_EQ(p.update({5000, 0.2, 10}, true, true).move, BranchMove::kDown);
}

TEST(BranchPolicy, FlappingLinkDoublesTheCleanPeriod) {
  Feed f;
  f.can_up = false;
  f.run(4, 0.10);  // down
  f.run(13, 0.0);  // up after 12 clean seconds (the first is at the dwell's start)
  ASSERT_EQ(f.moves.size(), 2u);
  f.run(6, 0.10);  // the heavier branch does not fit: down again soon after
  ASSERT_EQ(f.moves.size(), 3u);
  EXPECT_EQ(f.policy.currentGoodForMs(), 24000);
  f.run(24, 0.0);
  EXPECT_EQ(f.moves.size(), 3u) << "the next move up needs 24 s now";
  f.run(1, 0.0);
  ASSERT_EQ(f.moves.size(), 4u);
  EXPECT_EQ(f.moves[3].second, BranchMove::kUp);
  // Held through the flap window: back to the base period.
  f.run(31, 0.0);
  EXPECT_EQ(f.policy.currentGoodForMs(), 12000);
}

TEST(BranchPolicy, NeverMovesMoreOftenThanTheDwellUnderRandomInput) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> loss(0.0, 0.2);
  std::uniform_real_distribution<double> rtt(0.0, 600.0);
  fw::BranchPolicy p;
  std::int64_t last = -100000;
  int moves = 0;
  for (std::int64_t t = 0; t < 3'600'000; t += 1000) {
    const auto d = p.update({t, loss(rng), rtt(rng)}, true, true);
    if (d.move == BranchMove::kStay) continue;
    EXPECT_GE(t - last, 5000);
    EXPECT_FALSE(d.reason.empty());
    last = t;
    ++moves;
  }
  EXPECT_LE(moves, 3600 / 5);
}

TEST(BranchPolicy, IntervalLoss) {
  EXPECT_DOUBLE_EQ(fw::intervalLoss(10, 20, 1000, 1100), 0.1);
  EXPECT_DOUBLE_EQ(fw::intervalLoss(20, 10, 1000, 1100), 0.0);  // duplicates: never negative
  EXPECT_LT(fw::intervalLoss(0, 5, 1000, 1000), 0);              // nothing sent: unknown
  EXPECT_DOUBLE_EQ(fw::intervalLoss(0, 500, 0, 100), 1.0);
}

TEST(BranchPolicy, NeighbourBranchStaysInTheCodecAndOrdersByWeight) {
  const std::vector<fw::BranchRank> branches{
      {"lq", "H264", 640 * 360 * 30, 800},
      {"hq", "H264", 1280 * 720 * 30, 4000},
      {"vp8", "VP8", 640 * 360 * 30, 500},
      {"mid", "H264", 960 * 540 * 30, 2000},
      {"mid-low", "H264", 960 * 540 * 30, 1200},
  };
  EXPECT_EQ(fw::neighbourBranch(branches, "hq", BranchMove::kDown), "mid");
  EXPECT_EQ(fw::neighbourBranch(branches, "mid", BranchMove::kDown), "mid-low");
  EXPECT_EQ(fw::neighbourBranch(branches, "mid-low", BranchMove::kDown), "lq");
  EXPECT_EQ(fw::neighbourBranch(branches, "lq", BranchMove::kDown), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "lq", BranchMove::kUp), "mid-low");
  EXPECT_EQ(fw::neighbourBranch(branches, "hq", BranchMove::kUp), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "vp8", BranchMove::kDown), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "vp8", BranchMove::kUp), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "nope", BranchMove::kDown), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "hq", BranchMove::kStay), std::nullopt);
}

TEST(BranchPolicy, EqualBranchesAreNoRelief) {
  const std::vector<fw::BranchRank> branches{{"a", "H264", 100, 1000}, {"b", "H264", 100, 1000}};
  EXPECT_EQ(fw::neighbourBranch(branches, "a", BranchMove::kDown), std::nullopt);
  EXPECT_EQ(fw::neighbourBranch(branches, "b", BranchMove::kUp), std::nullopt);
}
