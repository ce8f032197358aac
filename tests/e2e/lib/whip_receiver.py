#!/usr/bin/python3
# A small WHIP endpoint (RFC 9725) for the WHIP publish test: GStreamer's webrtcbin
# (python3-gi, gir1.2-gst-plugins-bad-1.0) receives, depayloads and decodes H.264 and counts
# the decoded frames, on 127.0.0.1.
#
#   whip_receiver.py PORT TOKEN   ->   POST http://127.0.0.1:PORT/whip
#
#   POST   /whip                 offer in, 201 + Location + answer out (401 without
#                                "Authorization: Bearer TOKEN", 415 without application/sdp)
#   PATCH  /whip/session/N       trickle (application/trickle-ice-sdpfrag): 204, counted
#   DELETE /whip/session/N       200, recorded; the session's pipeline is stopped
#   GET    /stats                JSON: posts, unauthorized, deletes, patches and per session
#                                its decoded frame count
#
# Prints "ready" on stdout once it listens; runs until killed.
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

TOKEN = ""
lock = threading.Lock()
stats = {"posts": 0, "unauthorized": 0, "deletes": [], "patches": 0, "sessions": {}}
pipelines = {}


def wait_promise(promise, seconds=5):
    # Promises of webrtcbin answer from its own thread within milliseconds.
    deadline = time.monotonic() + seconds
    while promise.wait() == Gst.PromiseResult.PENDING and time.monotonic() < deadline:
        time.sleep(0.01)
    return promise.get_reply()


class Session:
    def __init__(self, number, offer_text):
        self.number = number
        self.pipeline = Gst.Pipeline.new(f"whip{number}")
        self.webrtc = Gst.ElementFactory.make("webrtcbin", "recv")
        self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pipeline.add(self.webrtc)
        self.webrtc.connect("pad-added", self.on_pad)
        self.pipeline.set_state(Gst.State.PLAYING)
        _, sdp = GstSdp.SDPMessage.new_from_text(offer_text)
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
        wait_promise(self.emit_promise("set-remote-description", offer))
        reply = wait_promise(self.emit_promise("create-answer", None))
        answer = reply.get_value("answer") if reply else None
        if answer is None:
            raise RuntimeError("webrtcbin made no answer")
        wait_promise(self.emit_promise("set-local-description", answer))
        for _ in range(100):  # every candidate in the answer: no trickle from this side
            if self.webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
                break
            time.sleep(0.05)
        self.answer = self.webrtc.get_property("local-description").sdp.as_text()

    def emit_promise(self, signal, arg):
        promise = Gst.Promise.new()
        self.webrtc.emit(signal, arg, promise)
        return promise

    def on_pad(self, _element, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decode = Gst.parse_bin_from_description(
            "queue ! rtph264depay ! h264parse ! avdec_h264 name=dec ! fakesink sync=false", True)
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))
        dec_src = decode.get_by_name("dec").get_static_pad("src")
        dec_src.add_probe(Gst.PadProbeType.BUFFER, self.on_decoded)

    def on_decoded(self, _pad, _info):
        with lock:
            stats["sessions"][str(self.number)]["frames"] += 1
        return Gst.PadProbeReturn.OK

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def authorized(self):
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        with lock:
            stats["unauthorized"] += 1
        self.reply(401, b"bad or missing bearer token", {"WWW-Authenticate": "Bearer"})
        return False

    def do_GET(self):
        if self.path != "/stats":
            return self.reply(404)
        with lock:
            text = json.dumps(stats).encode()
        self.reply(200, text, {"Content-Type": "application/json"})

    def do_POST(self):
        offer = self.body()
        if self.path != "/whip":
            return self.reply(404)
        if not self.authorized():
            return None
        if self.headers.get("Content-Type") != "application/sdp":
            return self.reply(415, b"application/sdp only")
        with lock:
            stats["posts"] += 1
            number = stats["posts"]
            stats["sessions"][str(number)] = {"frames": 0, "deleted": False, "patches": 0}
        try:
            session = Session(number, offer.decode())
        except Exception as e:  # noqa: BLE001 - the client gets the reason
            return self.reply(400, str(e).encode())
        with lock:
            pipelines[number] = session
        self.reply(201, session.answer.encode(),
                   {"Content-Type": "application/sdp", "Location": f"/whip/session/{number}"})
        return None

    def session_number(self):
        prefix = "/whip/session/"
        if not self.path.startswith(prefix):
            return None
        number = self.path[len(prefix):]
        with lock:
            return int(number) if number in stats["sessions"] else None

    def do_PATCH(self):
        self.body()
        number = self.session_number()
        if number is None:
            return self.reply(404)
        if not self.authorized():
            return None
        if self.headers.get("Content-Type") != "application/trickle-ice-sdpfrag":
            return self.reply(415)
        with lock:
            stats["patches"] += 1
            stats["sessions"][str(number)]["patches"] += 1
        return self.reply(204)

    def do_DELETE(self):
        number = self.session_number()
        if number is None:
            return self.reply(404)
        if not self.authorized():
            return None
        with lock:
            stats["deletes"].append(number)
            stats["sessions"][str(number)]["deleted"] = True
            session = pipelines.pop(number, None)
        if session:
            session.stop()
        return self.reply(200)


def main():
    global TOKEN
    port = int(sys.argv[1])
    TOKEN = sys.argv[2]
    Gst.init(None)
    threading.Thread(target=GLib.MainLoop().run, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
