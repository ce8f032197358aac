// x11: a display (whole screen or a region), grabbed at the stream's fps. No damage gating:
// ximagesrc use-damage=true only sends changed frames, which stalls encoders on a still
// desktop and hides a dead display; here every tick yields a frame.
//
// Why the grabbing runs in a child process
// ----------------------------------------
// Xlib ends the process (exit(1), "XIO: fatal IO error ... after N requests") when a display
// connection is lost, from whichever thread notices: here ximagesrc's streaming thread, the
// moment the X server goes away. It cannot be disarmed from outside ximagesrc:
//  - XSetIOErrorHandler's handler does run, but returning from it is not enough: libX11 1.8's
//    _XIOError reads the Display's exit handler *before* calling it, so an
//    XSetIOErrorExitHandler made from inside the handler comes too late and the default
//    _XDefaultIOErrorExit still calls exit(1) (seen under gdb: exit <- _XDefaultIOErrorExit <-
//    _XIOError <- _XReply <- XGetImage). That was the previous attempt, and why it still exited.
//  - The exit handler would have to be set on the Display right after XOpenDisplay, which
//    ximagesrc does privately (only reachable by interposing XOpenDisplay). And even then Xlib
//    after an I/O error is no state to keep running in: _XIOError takes the display's user
//    lock, so closing that Display from another thread (ximagesrc's stop) can block forever;
//    a longjmp out of the handler would leave Xlib's and GStreamer's locks held.
// So ximagesrc runs in `gst-launch-1.0` (a child started with posix_spawn for every build of
// the capture pipeline), converting to I420 and writing GDP (GStreamer's own framing, which
// carries caps, so the display's real size and any size change travel with the frames) to a
// pipe. The capture pipeline reads it with fdsrc ! gdpdepay. When the display closes, Xlib
// ends the child, the pipe reaches its end, and the capture pipeline fails with
// "display closed" like any other source: NO SIGNAL, retried every second. The child is
// killed (SIGKILL, by its PID) and reaped when that pipeline is torn down; it also dies of
// SIGPIPE if framewire goes away without reaping it.
#include "media/sources/x11_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/log.hpp"

extern char** environ;

namespace framewire::media {
namespace {

constexpr int kChildFramesFd = 3;  // the pipe's write end, in the child
constexpr const char* kLauncher = "gst-launch-1.0";

// The capture child and the read end of its pipe; ending it kills and reaps the child.
class X11CaptureChild {
 public:
  X11CaptureChild(pid_t pid, int read_fd) : pid_(pid), read_fd_(read_fd) {}
  X11CaptureChild(const X11CaptureChild&) = delete;
  X11CaptureChild& operator=(const X11CaptureChild&) = delete;
  ~X11CaptureChild() {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == 0) {  // still running: we end it
      ::kill(pid_, SIGKILL);
      do {
        done = ::waitpid(pid_, &status, 0);
      } while (done < 0 && errno == EINTR);
    } else if (done == pid_) {  // ended by itself (the display closed, or could not be opened)
      spdlog::debug("media: x11 capture process {} ended by itself ({})", pid_,
                    WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                      : fmt::format("signal {}", WTERMSIG(status)));
    }
    ::close(read_fd_);
  }

 private:
  pid_t pid_;
  int read_fd_;
};

// The child's gst-launch arguments: ximagesrc at the stream's fps, I420, GDP on fd 3.
std::vector<std::string> childArguments(const config::Config& config,
                                        const std::string& display) {
  const auto& s = config.source_settings;
  std::vector<std::string> args = {kLauncher,
                                   "-q",
                                   "ximagesrc",
                                   "display-name=" + display,
                                   "use-damage=false",
                                   std::string("show-pointer=") + (s.x11_pointer ? "true" : "false")};
  if (s.x11_region.width > 0) {
    // endx/endy are inclusive.
    args.push_back(fmt::format("startx={}", s.x11_region.x));
    args.push_back(fmt::format("starty={}", s.x11_region.y));
    args.push_back(fmt::format("endx={}", s.x11_region.x + s.x11_region.width - 1));
    args.push_back(fmt::format("endy={}", s.x11_region.y + s.x11_region.height - 1));
  }
  for (const std::string& a :
       {std::string("!"), fmt::format("video/x-raw,framerate={}/1", config.fps), std::string("!"),
        std::string("videoconvert"), std::string("!"), std::string("video/x-raw,format=I420"),
        std::string("!"), std::string("gdppay"), std::string("!"), std::string("fdsink"),
        fmt::format("fd={}", kChildFramesFd), std::string("sync=false")}) {
    args.push_back(a);
  }
  return args;
}

// Starts the child; returns it and sets `description` to read its frames.
std::shared_ptr<void> startChild(const config::Config& config, const std::string& display,
                                 std::string& description) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("x11: pipe: ") + std::strerror(errno));
  }
  // A frame is 1.4 MB at 1280x720: a bigger pipe means fewer wake-ups (best effort).
  ::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // gst-launch's own messages (and Xlib's "XIO: fatal IO error" when the display closes) would
  // repeat every second while a display stays away: the failure is logged by the capture
  // pipeline instead.
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kChildFramesFd);  // clears CLOEXEC
  // Nothing else of framewire's (sockets of viewers, ...) may live on in the child.
  posix_spawn_file_actions_addclosefrom_np(&actions, kChildFramesFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Default signal dispositions and an empty mask in the child, whatever framewire has set.
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  const std::vector<std::string> args = childArguments(config, display);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, kLauncher, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);  // only the child writes: its end makes our end read EOF
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error(fmt::format("x11: cannot start {} ({}; install gstreamer1.0-tools)",
                                         kLauncher, std::strerror(rc)));
  }
  spdlog::debug("media: x11 capture process {} started for display {}", pid, display);
  description.replace(description.find("@FD@"), 4, std::to_string(fds[0]));
  return std::make_shared<X11CaptureChild>(pid, fds[0]);
}

}  // namespace

SourceSpec x11Source(const config::Config& config) {
  const auto& s = config.source_settings;
  std::string display = s.x11_display;
  if (display.empty()) {
    const char* env = std::getenv("DISPLAY");
    display = env != nullptr ? env : ":0";
  }
  SourceSpec spec;
  // @FD@: the pipe's read end, filled in by prepare() for each build.
  spec.description = fmt::format(
      "fdsrc name=source fd=@FD@ blocksize=1048576 ! gdpdepay ! {}", rawTail(config));
  spec.prepare = [config, display](std::string& description) {
    return startChild(config, display, description);
  };
  spec.error_reason = "display closed";
  spec.end_reason = "display closed";
  // ximagesrc and gdppay run in the child, from the same plugin set.
  spec.elements = {"ximagesrc", "gdppay", "gdpdepay", "fdsrc", "videoconvert", "videoscale"};
  return spec;
}

}  // namespace framewire::media
