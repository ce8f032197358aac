// The encoder registry's selection and fallback with an injected probe (a fake machine).
#include <gtest/gtest.h>

#include <set>

#include "media/encoders/encoder_registry.hpp"

namespace framewire::media::encoders {
namespace {

// A machine with the given elements and devices.
Probe fakeMachine(std::set<std::string> elements, std::set<Device> devices) {
  Probe p;
  p.has_element = [elements](const std::string& e) { return elements.count(e) > 0; };
  p.find_device = [devices](Device d) -> std::optional<std::string> {
    if (d == Device::kNone) return std::string();
    if (devices.count(d) == 0) return std::nullopt;
    return std::string(d == Device::kDriRenderNode ? "/dev/dri/renderD128" : "/dev/fake");
  };
  return p;
}

const std::set<std::string> kSoftware{"x264enc", "openh264enc", "vp8enc", "vp9enc", "av1enc",
                                      "x265enc"};

TEST(EncoderRegistryTest, AutoPicksVaapiWhenTheMachineHasIt) {
  auto elements = kSoftware;
  elements.insert("vaapih264enc");
  const Selection s = selectEncoder("h264", "auto", fakeMachine(elements, {Device::kDriRenderNode}));
  ASSERT_NE(s.def, nullptr) << s.error;
  EXPECT_EQ(s.def->element, "vaapih264enc");
  EXPECT_TRUE(s.def->hardware());
  // vah264enc comes first but is not installed: skipped with the reason.
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_NE(s.skipped[0].find("vah264enc"), std::string::npos);
  EXPECT_NE(s.skipped[0].find("not installed"), std::string::npos);
}

TEST(EncoderRegistryTest, ElementWithoutItsDeviceFallsBackToSoftwareWithTheReason) {
  auto elements = kSoftware;
  elements.insert("vaapih264enc");
  elements.insert("nvh264enc");
  const Selection s = selectEncoder("h264", "auto", fakeMachine(elements, {}));
  ASSERT_NE(s.def, nullptr) << s.error;
  EXPECT_EQ(s.def->element, "x264enc");
  bool saw_vaapi = false, saw_nv = false;
  for (const auto& why : s.skipped) {
    if (why.rfind("vaapih264enc:", 0) == 0) {
      saw_vaapi = true;
      EXPECT_NE(why.find("no VA-API render node"), std::string::npos) << why;
    }
    if (why.rfind("nvh264enc:", 0) == 0) {
      saw_nv = true;
      EXPECT_NE(why.find("NVIDIA"), std::string::npos) << why;
    }
  }
  EXPECT_TRUE(saw_vaapi);
  EXPECT_TRUE(saw_nv);
}

TEST(EncoderRegistryTest, NvencAndV4l2WhenPresent) {
  auto elements = kSoftware;
  elements.insert("nvh264enc");
  elements.insert("v4l2vp8enc");
  EXPECT_EQ(selectEncoder("h264", "auto", fakeMachine(elements, {Device::kNvidia})).def->element,
            "nvh264enc");
  EXPECT_EQ(selectEncoder("vp8", "auto", fakeMachine(elements, {Device::kV4l2M2m})).def->element,
            "v4l2vp8enc");
  EXPECT_EQ(selectEncoder("vp8", "auto", fakeMachine(elements, {})).def->element, "vp8enc");
}

TEST(EncoderRegistryTest, EveryCodecFallsBackToItsSoftwareEncoder) {
  const Probe p = fakeMachine(kSoftware, {});
  EXPECT_EQ(selectEncoder("h264", "auto", p).def->element, "x264enc");
  EXPECT_EQ(selectEncoder("h265", "auto", p).def->element, "x265enc");
  EXPECT_EQ(selectEncoder("vp8", "auto", p).def->element, "vp8enc");
  EXPECT_EQ(selectEncoder("vp9", "auto", p).def->element, "vp9enc");
  EXPECT_EQ(selectEncoder("av1", "auto", p).def->element, "av1enc");
  // Without x264, openh264 is next.
  auto no_x264 = kSoftware;
  no_x264.erase("x264enc");
  EXPECT_EQ(selectEncoder("h264", "auto", fakeMachine(no_x264, {})).def->element, "openh264enc");
}

TEST(EncoderRegistryTest, NothingAvailableSaysWhyForEachCandidate) {
  const Selection s = selectEncoder("av1", "auto", fakeMachine({}, {}));
  EXPECT_EQ(s.def, nullptr);
  EXPECT_NE(s.error.find("no av1 encoder available"), std::string::npos);
  EXPECT_NE(s.error.find("av1enc: GStreamer element av1enc not installed"), std::string::npos)
      << s.error;
}

TEST(EncoderRegistryTest, NamedEncoderMustExistMatchItsCodecAndBeAvailable) {
  const Probe p = fakeMachine(kSoftware, {});
  EXPECT_EQ(selectEncoder("h264", "openh264enc", p).def->element, "openh264enc");
  EXPECT_NE(selectEncoder("h264", "vp8enc", p).error.find("unknown h264 encoder 'vp8enc'"),
            std::string::npos);
  EXPECT_NE(selectEncoder("h264", "vaapih264enc", p).error.find("unavailable"), std::string::npos);
  EXPECT_NE(selectEncoder("mpeg2", "auto", p).error.find("unknown codec"), std::string::npos);
}

TEST(EncoderRegistryTest, HardwareComesBeforeSoftwareInEveryCodec) {
  std::map<std::string, bool> seen_software;
  for (const auto& def : encoderTable()) {
    if (!def.hardware()) seen_software[def.codec] = true;
    else EXPECT_FALSE(seen_software[def.codec]) << def.element << " after a software encoder";
  }
}

TEST(EncoderRegistryTest, DescriptionsMapBitrateGopAndParams) {
  EncodeParams p;
  p.bitrate_kbps = 2500;
  p.gop = 60;
  const std::string x264 = encoderDescription(*findEncoder("x264enc"), p);
  EXPECT_NE(x264.find("bitrate=2500"), std::string::npos) << x264;
  EXPECT_NE(x264.find("key-int-max=60"), std::string::npos);
  EXPECT_NE(x264.find("h264parse config-interval=-1"), std::string::npos);
  // One caps filter after x264enc (gst-launch refuses two in a row).
  EXPECT_NE(x264.find("! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,"
                      "alignment=au ! h264parse"),
            std::string::npos)
      << x264;
  const std::string vp8 = encoderDescription(*findEncoder("vp8enc"), p);
  EXPECT_NE(vp8.find("target-bitrate=2500000"), std::string::npos) << vp8;  // bit/s
  EXPECT_NE(vp8.find("keyframe-max-dist=60"), std::string::npos);
  p.gop = 0;
  EXPECT_NE(encoderDescription(*findEncoder("vp9enc"), p).find("keyframe-mode=disabled"),
            std::string::npos);
  EXPECT_NE(encoderDescription(*findEncoder("x264enc"), p).find("key-int-max=1073741824"),
            std::string::npos);
  p.extra = {{"cpu-used", "8"}};
  const std::string tuned = encoderDescription(*findEncoder("vp8enc"), p);
  EXPECT_NE(tuned.find("name=encoder cpu-used=8"), std::string::npos) << tuned;
}

TEST(EncoderRegistryTest, UnknownParametersNameTheKeyAndTheValidOnes) {
  const EncoderDef* x264 = findEncoder("x264enc");
  EXPECT_EQ(checkParameters("h264", "auto", x264, {{"speed-preset", "veryfast"}}).size(), 1u);
  // Known for another h264 encoder: accepted under auto, not passed to x264enc.
  EXPECT_TRUE(checkParameters("h264", "auto", x264, {{"complexity", "low"}}).empty());
  try {
    checkParameters("h264", "x264enc", x264, {{"complexity", "low"}});
    FAIL() << "complexity is not an x264enc parameter";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("params.complexity: unknown parameter for x264enc"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(checkParameters("vp8", "auto", nullptr, {{"bogus", "1"}}), std::invalid_argument);
  // A value that would add elements to the description is refused.
  EXPECT_THROW(checkParameters("h264", "auto", x264, {{"threads", "1 ! fakesink"}}),
               std::invalid_argument);
}

TEST(EncoderRegistryTest, PlaceholdersExpandAndUnknownOnesAreErrors) {
  EncodeParams p{640, 360, 25, 1500, 0, {}};
  EXPECT_EQ(expandPlaceholders("x {width}x{height}@{fps} {bitrate}k {bitrate_bps} {gop} {keyint}", p),
            "x 640x360@25 1500k 1500000 0 1073741824");
  EXPECT_THROW(expandPlaceholders("{nope}", p), std::invalid_argument);
  EXPECT_THROW(expandPlaceholders("{width", p), std::invalid_argument);
}

TEST(EncoderRegistryTest, TableTextListsEveryEncoderWithItsStatus) {
  const std::string text = encoderTableText(fakeMachine({"x264enc"}, {}));
  EXPECT_NE(text.find("x264enc"), std::string::npos);
  EXPECT_NE(text.find("available (software)"), std::string::npos);
  EXPECT_NE(text.find("unavailable: GStreamer element vaapih264enc not installed"),
            std::string::npos);
}

}  // namespace
}  // namespace framewire::media::encoders

// Runtime fallback (a branch whose encoder fails while running moves down this chain).
namespace framewire::media::encoders {
namespace {

std::vector<std::string> names(const std::vector<const EncoderDef*>& chain) {
  std::vector<std::string> out;
  for (const auto* d : chain) out.push_back(d->element);
  return out;
}

TEST(EncoderRegistryTest, FallbackChainIsHardwareThenSoftwareAvailableOnly) {
  auto elements = kSoftware;
  elements.insert({"vaapih264enc", "nvh264enc", "v4l2h264enc"});
  // NVENC's device is missing: it is not in the chain.
  const auto chain = fallbackChain("h264", "auto", fakeMachine(elements, {Device::kDriRenderNode, Device::kV4l2M2m}));
  EXPECT_EQ(names(chain),
            (std::vector<std::string>{"vaapih264enc", "v4l2h264enc", "x264enc", "openh264enc"}));
  // It starts with what selectEncoder chose.
  EXPECT_EQ(chain.front(),
            selectEncoder("h264", "auto", fakeMachine(elements, {Device::kDriRenderNode, Device::kV4l2M2m})).def);
}

TEST(EncoderRegistryTest, FallbackChainOfANamedEncoderIsItself) {
  auto elements = kSoftware;
  elements.insert("vaapih264enc");
  const Probe p = fakeMachine(elements, {Device::kDriRenderNode});
  EXPECT_EQ(names(fallbackChain("h264", "vaapih264enc", p)), (std::vector<std::string>{"vaapih264enc"}));
  EXPECT_TRUE(fallbackChain("h264", "nvh264enc", p).empty());
  EXPECT_TRUE(fallbackChain("h264", "auto", fakeMachine({}, {})).empty());
  EXPECT_EQ(names(fallbackChain("vp8", "auto", fakeMachine(kSoftware, {}))), (std::vector<std::string>{"vp8enc"}));
}

}  // namespace
}  // namespace framewire::media::encoders
