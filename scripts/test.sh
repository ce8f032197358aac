#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to every test passing: installs the packages,
# builds, installs the end-to-end tests' npm packages, runs unit, integration and end-to-end
# tests through ctest, then the sanitizer runs (scripts/sanitize.sh: ASan+UBSan, TSan) and a
# short run of every fuzzer (scripts/fuzz.sh, FUZZ_SECONDS each, default 15). Any failure in
# any part fails the whole (every part still runs, so one log shows them all).
# FRAMEWIRE_SANITIZE_CI=0 skips the sanitizer and fuzz parts (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DFRAMEWIRE_TESTS=ON
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
status=0
part() { # name command...: runs one part, prints its wall time, remembers a failure
  local name="$1" start=$SECONDS
  shift
  if "$@"; then echo "test.sh: $name passed in $((SECONDS - start)) s"
  else echo "test.sh: $name FAILED after $((SECONDS - start)) s"; status=1; fi
}
part ctest ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 300 "$@"
if [ "${FRAMEWIRE_SANITIZE_CI:-1}" = 1 ]; then
  part sanitizers bash scripts/sanitize.sh
  part fuzzers bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
fi
exit $status
