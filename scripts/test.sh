#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to every test passing: installs the packages,
# builds, installs the end-to-end tests' npm packages, and runs unit, integration and
# end-to-end tests through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DFRAMEWIRE_TESTS=ON
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 300 "$@"
