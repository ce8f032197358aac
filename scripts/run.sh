#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server on the built-in test source:
# installs the packages, builds, and starts framewire. Extra arguments go to framewire,
# e.g. scripts/run.sh --size 1920x1080 --bitrate 8000. Open http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DFRAMEWIRE_TESTS=OFF
exec "${BUILD_DIR:-build}/src/app/framewire" "$@"
