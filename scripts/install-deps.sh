#!/usr/bin/env bash
# Installs every Debian package framewire needs to build, run, test and benchmark.
# Idempotent and non-interactive: safe to run on a fresh Debian 12 machine or again later.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  # libraries
  libboost-dev libboost-system-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev libfmt-dev libmuparser-dev libturbojpeg0-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # auth (Argon2id password hashes) and TLS (self-signed certificate, the TLS listener)
  libsodium-dev libssl-dev
  # fuzzing (libFuzzer) and the sanitizer runtimes; llvm: llvm-symbolizer for readable
  # sanitizer stack traces (CI fails on them and must say where)
  clang libclang-rt-dev llvm
  # GStreamer: headers, the plugins framewire's pipelines use, and the tools tests use
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice
  libnice-dev
  gstreamer1.0-x
  # sources tests: Xvfb and X clients, the RTSP server; python3 for the slow viewer in bench/fanout
  python3 xvfb x11-apps gstreamer1.0-rtsp libgstrtspserver-1.0-dev gir1.2-gst-rtsp-server-1.0
  python3-gi
  # recording/broadcast tests: a real RTMP server (nginx with the RTMP module), and the WHIP
  # receiver (python3-gi with GStreamer's webrtcbin bindings)
  nginx libnginx-mod-rtmp gir1.2-gst-plugins-bad-1.0
  # audio: capture from PulseAudio / ALSA / PipeWire; the tests run their own PulseAudio and
  # PipeWire (pipewire, pipewire-bin: pw-link, pw-dump; WirePlumber on a private D-Bus bus from
  # dbus-daemon) and reach PulseAudio through ALSA with the pulse plugin (libasound2-plugins)
  pulseaudio pulseaudio-utils gstreamer1.0-pulseaudio gstreamer1.0-alsa gstreamer1.0-pipewire
  libasound2-plugins pipewire pipewire-bin wireplumber dbus-daemon
  # real clients for end-to-end tests
  ffmpeg chromium nodejs npm fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# node/npm may come from elsewhere on some machines; only ask apt for them when absent.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi
