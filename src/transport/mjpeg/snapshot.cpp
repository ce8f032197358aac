#include "transport/mjpeg/snapshot.hpp"

#include <memory>

#include "core/clock.hpp"
#include "transport/mjpeg/frame_age.hpp"
#include "transport/mjpeg/mjpeg_framing.hpp"

namespace framewire::transport::mjpeg {

namespace {

// One waiting /snapshot request. Lives on its connection's strand (through `post`).
struct SnapshotWait : std::enable_shared_from_this<SnapshotWait> {
  SnapshotWait(bus::LatestFrameBus& bus, net::Respond respond)
      : bus(bus), respond(std::move(respond)) {}

  void complete() {
    if (done || !watcher) return;
    core::FramePtr frame = watcher->take();
    if (!frame) return;
    done = true;
    bus.unwatch(watcher);
    respond(jpegResponse(*frame));
  }

  void cancel() {
    done = true;
    bus.unwatch(watcher);
  }

  bus::LatestFrameBus& bus;
  net::Respond respond;
  std::shared_ptr<bus::LatestWatcher> watcher;
  bool done = false;
};

}  // namespace

net::HttpResponse jpegResponse(const core::EncodedFrame& frame) {
  net::HttpResponse response;
  response.content_type = "image/jpeg";
  response.body.assign(reinterpret_cast<const char*>(frame.data), frame.size);
  const std::int64_t time = frameTimeMicros(frame);
  response.set("X-Timestamp", formatTimestamp(time > 0 ? time : core::wallClockMicros()));
  response.set("Cache-Control", "no-store");
  response.set("Access-Control-Allow-Origin", "*");
  return response;
}

net::Reply snapshotReply(bus::LatestFrameBus& bus, SnapshotOptions options) {
  const core::FramePtr latest = bus.latest();
  const auto max_age_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options.max_age).count();
  if (latest && isFresh(*latest, max_age_us)) return net::Reply::now(jpegResponse(*latest));

  net::Deferred deferred;
  deferred.timeout = options.timeout;
  deferred.on_timeout = net::errorResponse(
      503, "no picture within " + std::to_string(options.timeout.count()) + " ms");
  deferred.start = [&bus](net::Respond respond, net::Post post) -> net::Cancel {
    auto wait = std::make_shared<SnapshotWait>(bus, std::move(respond));
    std::weak_ptr<SnapshotWait> weak = wait;
    // Called on the JPEG encoder's thread with the watcher's lock held: only post.
    wait->watcher = bus.watch([weak, post] {
      post([weak] {
        if (auto self = weak.lock()) self->complete();
      });
    });
    return [wait] { wait->cancel(); };
  };
  return net::Reply::later(std::move(deferred));
}

}  // namespace framewire::transport::mjpeg
