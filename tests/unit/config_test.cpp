#include <gtest/gtest.h>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config_args.hpp"

namespace framewire::config {
namespace {

using config::test_args::errorOf;
using config::test_args::load;

std::string yamlErrorOf(const std::string& yaml) {
  Config c;
  try {
    applyYaml(c, yaml, "test.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, DefaultsMatchTheDocs) {
  const Config c = load({});
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.source, "test");
  EXPECT_EQ(c.width, 1280);
  EXPECT_EQ(c.height, 720);
  EXPECT_EQ(c.fps, 60);
  EXPECT_EQ(c.bitrate_kbps, 4000);
  EXPECT_EQ(c.gop, 0);
  EXPECT_EQ(c.preset, "ultrafast");
}

TEST(ConfigTest, FlagsSetValues) {
  const Config c = load({"--listen", "0.0.0.0:9000", "--size", "1920x1080", "--fps", "30",
                         "--bitrate", "8000", "--gop", "60", "--jpeg-quality", "50",
                         "--jpeg-fps", "10", "--linger", "0.5", "--log-level", "debug"});
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.width, 1920);
  EXPECT_EQ(c.height, 1080);
  EXPECT_EQ(c.fps, 30);
  EXPECT_EQ(c.bitrate_kbps, 8000);
  EXPECT_EQ(c.gop, 60);
  EXPECT_EQ(c.jpeg_quality, 50);
  EXPECT_EQ(c.jpeg_fps, 10);
  EXPECT_DOUBLE_EQ(c.linger_seconds, 0.5);
  EXPECT_EQ(c.log_level, "debug");
}

TEST(ConfigTest, Ipv6ListenLiteral) {
  const Config c = load({"--listen", "[::1]:0"});
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 0);
}

TEST(ConfigTest, BadFlagValuesNameKeyValueAndWhatIsValid) {
  const std::string fps = errorOf({"--fps", "0"});
  EXPECT_NE(fps.find("--fps"), std::string::npos) << fps;
  EXPECT_NE(fps.find("'0'"), std::string::npos) << fps;
  EXPECT_NE(fps.find("1 to 240"), std::string::npos) << fps;

  const std::string size = errorOf({"--size", "big"});
  EXPECT_NE(size.find("--size"), std::string::npos) << size;
  EXPECT_NE(size.find("WIDTHxHEIGHT"), std::string::npos) << size;

  const std::string preset = errorOf({"--preset", "warp"});
  EXPECT_NE(preset.find("ultrafast"), std::string::npos) << preset;

  EXPECT_NE(errorOf({"--listen", "nocolon"}).find("HOST:PORT"), std::string::npos);
  EXPECT_NE(errorOf({"--listen", "h:70000"}).find("65535"), std::string::npos);
  EXPECT_NE(errorOf({"--size", "641x480"}).find("even"), std::string::npos);
  EXPECT_NE(errorOf({"--bitrate", "12k"}).find("--bitrate"), std::string::npos);
  EXPECT_NE(errorOf({"--linger", "-1"}).find("--linger"), std::string::npos);
  EXPECT_NE(errorOf({"--log-level", "loud"}).find("--log-level"), std::string::npos);
  EXPECT_NE(errorOf({"--source", "moon"}).find("test"), std::string::npos);
  EXPECT_NE(errorOf({"--web-dir", "/nonexistent"}).find("index.html"), std::string::npos);
}

TEST(ConfigTest, NiceDefaultsToRaisedPriorityAndChecksItsRange) {
  EXPECT_EQ(load({}).nice, -10);
  EXPECT_EQ(load({"--nice", "0"}).nice, 0);
  EXPECT_EQ(load({"--nice", "-20"}).nice, -20);
  const std::string e = errorOf({"--nice", "-21"});
  EXPECT_NE(e.find("--nice"), std::string::npos) << e;
  EXPECT_NE(e.find("-20 to 19"), std::string::npos) << e;
  EXPECT_NE(errorOf({"--nice", "high"}).find("--nice"), std::string::npos);
}

TEST(ConfigTest, UnknownFlagIsAnError) {
  const std::string e = errorOf({"--colour", "red"});
  EXPECT_NE(e.find("--colour"), std::string::npos) << e;
}

TEST(ConfigTest, YamlSetsTheSameKeysWithDashesOrUnderscores) {
  Config c;
  applyYaml(c, "listen: 127.0.0.1:0\nsize: 640x360\nfps: 30\njpeg_quality: 40\njpeg-fps: 5\n",
            "test.yaml");
  EXPECT_EQ(c.listen_port, 0);
  EXPECT_EQ(c.width, 640);
  EXPECT_EQ(c.fps, 30);
  EXPECT_EQ(c.jpeg_quality, 40);
  EXPECT_EQ(c.jpeg_fps, 5);
}

TEST(ConfigTest, YamlErrorsNameKeyAndFile) {
  const std::string unknown = yamlErrorOf("fsp: 30\n");
  EXPECT_NE(unknown.find("unknown key 'fsp'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("test.yaml"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("fps"), std::string::npos) << unknown;  // lists valid keys

  const std::string bad = yamlErrorOf("gop: -3\n");
  EXPECT_NE(bad.find("gop in test.yaml"), std::string::npos) << bad;
  EXPECT_NE(bad.find("'-3'"), std::string::npos) << bad;

  EXPECT_NE(yamlErrorOf("fps: [1, 2]\n").find("single value"), std::string::npos);
  EXPECT_NE(yamlErrorOf("- a\n- b\n").find("map"), std::string::npos);
  EXPECT_NE(yamlErrorOf("fps: [1,\n").find("not valid YAML"), std::string::npos);
  EXPECT_EQ(yamlErrorOf(""), "");
}

TEST(ConfigTest, FlagsOverrideTheFile) {
  const std::string path = ::testing::TempDir() + "/fw_config_test.yaml";
  {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("fps: 30\nbitrate: 2000\n", f);
    fclose(f);
  }
  const Config c = load({"--config", path, "--fps", "50"});
  EXPECT_EQ(c.fps, 50);
  EXPECT_EQ(c.bitrate_kbps, 2000);
  EXPECT_NE(errorOf({"--config", "/nonexistent.yaml"}).find("cannot read"), std::string::npos);
}

TEST(ConfigTest, HelpAnswersWithoutStarting) {
  const LoadResult r = loadConfig({"framewire", "--help"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.output.find("--bitrate"), std::string::npos);
  EXPECT_NE(r.output.find("--config"), std::string::npos);
}

}  // namespace
}  // namespace framewire::config

namespace framewire::config {
namespace {

// docs/framewire.example.yaml must stay loadable and match the documented defaults.
TEST(ConfigTest, ExampleFileInDocsLoads) {
  const LoadResult r =
      loadConfig({"framewire", "--config", std::string(FW_SOURCE_DIR) + "/docs/framewire.example.yaml"});
  const Config defaults;
  EXPECT_EQ(r.config.width, defaults.width);
  EXPECT_EQ(r.config.fps, defaults.fps);
  EXPECT_EQ(r.config.bitrate_kbps, defaults.bitrate_kbps);
  EXPECT_EQ(r.config.jpeg_quality, defaults.jpeg_quality);
}

}  // namespace
}  // namespace framewire::config
