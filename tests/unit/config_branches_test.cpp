// `branches:`: parsing, expressions and every error path (one line naming branch, key, reason).
#include <gtest/gtest.h>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"

namespace framewire::config {
namespace {

std::string yamlErrorOf(const std::string& yaml) {
  Config c;
  try {
    applyYaml(c, yaml, "b.yaml");
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    return message;
  }
  return "";
}

Config fromYaml(const std::string& yaml) {
  Config c;
  applyYaml(c, yaml, "b.yaml");
  return c;
}

TEST(ConfigBranchesTest, NoBranchesKeepsTheSingleMainBranch) {
  EXPECT_TRUE(fromYaml("bitrate: 3000\n").branches.empty());
}

TEST(ConfigBranchesTest, OrderedListWithDefaults) {
  const Config c = fromYaml(
      "branches:\n"
      "  - id: hq\n"
      "  - id: lq\n    codec: vp9\n    encoder: vp9enc\n    bitrate: 800\n    gop: 120\n"
      "    params: {cpu-used: 7}\n");
  ASSERT_EQ(c.branches.size(), 2u);
  EXPECT_EQ(c.branches[0].id, "hq");
  EXPECT_EQ(c.branches[0].codec, "h264");
  EXPECT_EQ(c.branches[0].encoder, "auto");
  EXPECT_EQ(c.branches[1].codec, "vp9");
  EXPECT_EQ(c.branches[1].encoder, "vp9enc");
  EXPECT_EQ(c.branches[1].params.at("cpu-used"), "7");
  const BranchValues hq = evaluateBranch(c.branches[0], {1280, 720, 60}, 4000, 0);
  EXPECT_EQ(hq.width, 1280);
  EXPECT_EQ(hq.height, 720);
  EXPECT_EQ(hq.fps, 60);
  EXPECT_EQ(hq.bitrate_kbps, 4000);  // the top-level bitrate
  const BranchValues lq = evaluateBranch(c.branches[1], {1280, 720, 60}, 4000, 0);
  EXPECT_EQ(lq.bitrate_kbps, 800);
  EXPECT_EQ(lq.gop, 120);
}

TEST(ConfigBranchesTest, ExpressionsOfTheSourceSize) {
  BranchConfig b;
  b.id = "lq";
  b.width = "(width / 3) * 2";
  b.height = "(height / 3) * 2";
  b.fps = "min(fps, 30)";
  b.bitrate = "width * height * fps / 100000";
  const BranchValues v = evaluateBranch(b, {1920, 1080, 60}, 4000, 0);
  EXPECT_EQ(v.width, 1280);
  EXPECT_EQ(v.height, 720);
  EXPECT_EQ(v.fps, 30);
  EXPECT_EQ(v.bitrate_kbps, 1244);
  // Odd results are rounded down to even (I420).
  const BranchValues odd = evaluateBranch(b, {1000, 500, 24}, 4000, 0);
  EXPECT_EQ(odd.width, 666);
  EXPECT_EQ(odd.height, 332);  // 333.3 → 333 → 332
  EXPECT_EQ(odd.fps, 24);
  EXPECT_DOUBLE_EQ(evaluateExpression("x", "max(width, height) / 2", {640, 480, 30}), 320);
}

TEST(ConfigBranchesTest, ErrorsNameTheBranchTheKeyAndTheReason) {
  const auto has = [](const std::string& message, const std::string& part) {
    return message.find(part) != std::string::npos;
  };
  std::string e = yamlErrorOf("branches:\n  - id: lq\n    width: (width / 3\n");
  EXPECT_TRUE(has(e, "branch 'lq'") && has(e, "width") && has(e, "not a valid expression")) << e;
  e = yamlErrorOf("branches:\n  - id: lq\n    fps: frames * 2\n");
  EXPECT_TRUE(has(e, "branch 'lq'") && has(e, "fps") && has(e, "frames")) << e;
  e = yamlErrorOf("branches:\n  - id: lq\n    height: height / 100\n");
  EXPECT_TRUE(has(e, "height") && has(e, "gives 7, must be 16 to 4320")) << e;
  e = yamlErrorOf("branches:\n  - id: lq\n    bitrate: 1/0\n");
  EXPECT_TRUE(has(e, "bitrate") && (has(e, "finite") || has(e, "zero"))) << e;
  e = yamlErrorOf("branches:\n  - id: lq\n    colour: red\n");
  EXPECT_TRUE(has(e, "branch 'lq'") && has(e, "unknown key 'colour'")) << e;
  e = yamlErrorOf("branches:\n  - id: lq\n    codec: mpeg2\n");
  EXPECT_TRUE(has(e, "codec") && has(e, "mpeg2")) << e;
  e = yamlErrorOf("branches:\n  - codec: vp8\n");
  EXPECT_TRUE(has(e, "branches[0]") && has(e, "id: missing")) << e;
  e = yamlErrorOf("branches:\n  - id: a\n  - id: a\n");
  EXPECT_TRUE(has(e, "branch 'a'") && has(e, "used twice")) << e;
  e = yamlErrorOf("branches:\n  - id: jpeg\n");
  EXPECT_TRUE(has(e, "jpeg")) << e;
  e = yamlErrorOf("branches:\n  - id: 'a b'\n");
  EXPECT_TRUE(has(e, "id: 'a b' is not valid")) << e;
  e = yamlErrorOf("branches: hq\n");
  EXPECT_TRUE(has(e, "must be a list")) << e;
  e = yamlErrorOf("branches:\n  - id: a\n    params: 3\n");
  EXPECT_TRUE(has(e, "params") && has(e, "map")) << e;
  e = yamlErrorOf("branches:\n  - id: a\n    pipeline: appsrc ! x264enc\n");
  EXPECT_TRUE(has(e, "pipeline") && has(e, "appsrc")) << e;
  e = yamlErrorOf("branches:\n  - id: a\n    encoder: 'x264enc ! fakesink'\n");
  EXPECT_TRUE(has(e, "encoder")) << e;
}

TEST(ConfigBranchesTest, FlagsThatShrinkTheSourceAreCheckedToo) {
  const std::string path = ::testing::TempDir() + "/branches_small.yaml";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("branches:\n  - id: a\n    width: width / 40\n", f);
    std::fclose(f);
  }
  EXPECT_NO_THROW(loadConfig({"framewire", "--config", path}));  // 1280 / 40 = 32
  EXPECT_THROW(loadConfig({"framewire", "--config", path, "--size", "320x240"}), ConfigError);
}

TEST(ConfigBranchesTest, FuzzedExpressionsNeverCrash) {
  const std::string alphabet = "wh()+-*/^,. 0123456789minaxfpsidtg?:<>=&|!";
  std::uint32_t seed = 12345;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int length = 1 + static_cast<int>((seed = seed * 1103515245 + 12345) >> 16) % 24;
    for (int k = 0; k < length; ++k) {
      seed = seed * 1103515245 + 12345;
      text += alphabet[(seed >> 16) % alphabet.size()];
    }
    try {
      evaluateExpression("x", text, {1280, 720, 30});
    } catch (const ConfigError&) {
    }
  }
}

TEST(ConfigBranchesTest, TheBranchesExampleLoads) {
  const auto loaded = loadConfig(
      {"framewire", "--config", std::string(FW_SOURCE_DIR) + "/docs/framewire.branches.example.yaml"});
  const Config& c = loaded.config;
  ASSERT_EQ(c.branches.size(), 3u);
  EXPECT_EQ(c.branches[0].id, "hq");
  const BranchValues lq = evaluateBranch(c.branches[1], {c.width, c.height, c.fps}, 4000, 0);
  EXPECT_EQ(lq.width, 852);
  EXPECT_EQ(lq.height, 480);
  EXPECT_EQ(lq.fps, 30);
  EXPECT_FALSE(c.branches[2].pipeline.empty());
}

}  // namespace
}  // namespace framewire::config
