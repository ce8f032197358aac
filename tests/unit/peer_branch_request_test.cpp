// POST /api/peers/<id>/branch bodies and the ?auto= query of POST /whep.
#include "server/peer_branch_request.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

using framewire::server::parseAutoQuery;
using framewire::server::parsePeerBranchRequest;

TEST(PeerBranchRequest, BranchAndAuto) {
  auto r = parsePeerBranchRequest(R"({"branch":"lq"})");
  EXPECT_EQ(r.branch, "lq");
  EXPECT_FALSE(r.auto_branch);
  r = parsePeerBranchRequest(R"({"auto":true})");
  EXPECT_FALSE(r.branch);
  EXPECT_EQ(r.auto_branch, true);
  r = parsePeerBranchRequest(R"({"branch":"hq","auto":false})");
  EXPECT_EQ(r.branch, "hq");
  EXPECT_EQ(r.auto_branch, false);
}

TEST(PeerBranchRequest, RejectsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"[]", "JSON object"},
      {"{}", "nothing asked for"},
      {R"({"branch":3})", "branch: must be a string"},
      {R"({"branch":""})", "1 to 64"},
      {R"({"auto":"yes"})", "auto: must be true or false"},
      {R"({"bitrate":1000})", "unknown key \"bitrate\""},
  };
  for (const auto& [body, reason] : cases) {
    try {
      parsePeerBranchRequest(body);
      ADD_FAILURE() << body << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << body << ": " << e.what();
    }
  }
  EXPECT_THROW(parsePeerBranchRequest(R"({"branch":")" + std::string(65, 'x') + "\"}"),
               std::invalid_argument);
}

TEST(PeerBranchRequest, AutoQuery) {
  EXPECT_EQ(parseAutoQuery(""), std::nullopt);
  EXPECT_EQ(parseAutoQuery("0"), false);
  EXPECT_EQ(parseAutoQuery("off"), false);
  EXPECT_EQ(parseAutoQuery("1"), true);
  EXPECT_EQ(parseAutoQuery("true"), true);
  EXPECT_THROW(parseAutoQuery("2"), std::invalid_argument);
}

TEST(PeerBranchRequest, MutatedBodiesNeverCrash) {
  const std::string seeds[] = {R"({"branch":"lq","auto":false})", R"({"auto":true})",
                               R"({"branch":"hq"})"};
  std::mt19937 rng(11);
  const std::string alphabet = "{}[]\":,abhlqtuo0123456789 \\\x01\xff";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = seeds[i % 3];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const auto at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: body.erase(at, 1); break;
        default: body.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    try {
      const auto r = parsePeerBranchRequest(body);
      EXPECT_TRUE(r.branch || r.auto_branch);
      if (r.branch) EXPECT_FALSE(r.branch->empty());
      ++accepted;
    } catch (const std::invalid_argument&) {
    }
  }
  EXPECT_GT(accepted, 0);
}
