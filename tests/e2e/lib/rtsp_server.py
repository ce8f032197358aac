#!/usr/bin/python3
# A small RTSP camera for the source tests and the sources bench: GStreamer's RTSP server
# library (gir1.2-gst-rtsp-server-1.0, python3-gi) serving H.264 from videotestsrc + x264enc
# (no B-frames, an IDR every second, SPS/PPS in-band) on 127.0.0.1.
#
#   rtsp_server.py PORT [WIDTH HEIGHT FPS]   ->   rtsp://127.0.0.1:PORT/cam
#
# Prints "ready" on stdout once it listens; runs until killed. One shared media for every
# client, so a reconnecting framewire gets the running stream.
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    port = int(sys.argv[1])
    width, height, fps = (int(v) for v in (sys.argv[2:5] if len(sys.argv) >= 5 else (640, 360, 30)))
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f"( videotestsrc is-live=true pattern=ball "
        f"! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast bframes=0 key-int-max={fps} "
        f"bitrate=1500 ! video/x-h264,profile=constrained-baseline "
        f"! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr, flush=True)
        sys.exit(1)
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
