#!/usr/bin/env python3
"""A deliberately slow Direct viewer for the fan-out bench.

It reads /ws/direct at a fixed byte rate below the stream's, through a socket with a small
receive buffer (SO_RCVBUF set before connect turns Linux's autotuning off, which would
otherwise let a loopback socket soak up tens of MB and hide the slowness). It parses the
WebSocket frames it reads and prints {"frames": F, "bytes": B, "seconds": S} as JSON.

usage: slow_viewer.py PORT RATE_BYTES_PER_S SECONDS
"""
import json
import os
import socket
import sys
import time

port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
sock.settimeout(2)
sock.connect(("127.0.0.1", port))
key = "dGhlIHNhbXBsZSBub25jZQ=="
sock.sendall(
    (f"GET /ws/direct HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())

buf = b""
while b"\r\n\r\n" not in buf:
    chunk = sock.recv(4096)
    if not chunk:
        sys.exit("slow_viewer: closed during the handshake")
    buf += chunk
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit("slow_viewer: no WebSocket upgrade")

frames = 0
total = 0
start = time.monotonic()
tick = 0.05
while time.monotonic() - start < seconds:
    t0 = time.monotonic()
    try:
        chunk = sock.recv(max(1, int(rate * tick)))
    except socket.timeout:
        chunk = b""
    if chunk == b"" and time.monotonic() - t0 < 0.01:
        break  # closed by the server
    buf += chunk
    total += len(chunk)
    # count complete server frames (unmasked): binary = one access unit
    while len(buf) >= 2:
        n = buf[1] & 0x7F
        off = 2
        if n == 126:
            if len(buf) < 4:
                break
            n, off = int.from_bytes(buf[2:4], "big"), 4
        elif n == 127:
            if len(buf) < 10:
                break
            n, off = int.from_bytes(buf[2:10], "big"), 10
        if len(buf) < off + n:
            break
        if buf[0] & 0x0F == 2:
            frames += 1
        buf = buf[off + n:]
    time.sleep(max(0.0, tick - (time.monotonic() - t0)))

print(json.dumps({"frames": frames, "bytes": total, "seconds": time.monotonic() - start}))
sock.close()
os._exit(0)
