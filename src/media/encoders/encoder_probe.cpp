#include "media/encoders/encoder_probe.hpp"

#include <fcntl.h>
#include <gst/gst.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "media/gst_ptr.hpp"

namespace framewire::media::encoders {
namespace {

std::vector<std::string> devicesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A V4L2 node that converts memory to memory and outputs a compressed format: an encoder.
bool isM2mEncoder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  bool encoder = false;
  v4l2_capability cap{};
  if (::ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0) {
    const std::uint32_t caps =
        (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)) {
      // Its capture side (what comes out) lists a compressed format.
      for (const auto type : {V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, V4L2_BUF_TYPE_VIDEO_CAPTURE}) {
        v4l2_fmtdesc desc{};
        desc.type = type;
        for (desc.index = 0; desc.index < 64 && ::ioctl(fd, VIDIOC_ENUM_FMT, &desc) == 0;
             ++desc.index) {
          if (desc.flags & V4L2_FMT_FLAG_COMPRESSED) encoder = true;
        }
      }
    }
  }
  ::close(fd);
  return encoder;
}

std::optional<std::string> findDevice(Device device) {
  switch (device) {
    case Device::kNone:
      return std::string();
    case Device::kDriRenderNode: {
      const auto nodes = devicesStartingWith("/dev/dri", "renderD");
      if (!nodes.empty()) return nodes.front();
      return std::nullopt;
    }
    case Device::kNvidia: {
      for (const auto& node : devicesStartingWith("/dev", "nvidia")) {
        const std::string name = std::filesystem::path(node).filename().string();
        if (name.size() > 6 && std::isdigit(static_cast<unsigned char>(name[6]))) return node;
      }
      return std::nullopt;
    }
    case Device::kV4l2M2m: {
      for (const auto& node : devicesStartingWith("/dev", "video")) {
        if (isM2mEncoder(node)) return node;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

Probe systemProbe() {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  Probe probe;
  probe.has_element = [](const std::string& element) {
    return static_cast<bool>(adopt(gst_element_factory_find(element.c_str())));
  };
  probe.find_device = findDevice;
  return probe;
}

}  // namespace framewire::media::encoders
