#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in build-fuzz and runs each for SECONDS
# (default 20). New inputs go to a scratch corpus; the seeds in fuzz/corpus are only read.
# A crash stops with its reproducer in build-fuzz/artifacts/ and a non-zero exit.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-20}"
shift || true
BUILD="${FUZZ_BUILD_DIR:-build-fuzz}"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(fuzz_http_request fuzz_query fuzz_sdp_offer fuzz_trickle fuzz_config_yaml fuzz_users_file fuzz_ws_control)
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFRAMEWIRE_FUZZ=ON -DFRAMEWIRE_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}"
mkdir -p "$BUILD/artifacts"
status=0
for t in "${TARGETS[@]}"; do
  scratch="$BUILD/corpus/$t"
  mkdir -p "$scratch"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  if ! "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" \
      "$scratch" "fuzz/corpus/$t" 2>"$BUILD/$t.log"; then
    echo "fuzz: $t FAILED (log: $BUILD/$t.log)"; tail -40 "$BUILD/$t.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$BUILD/$t.log" | tail -2
  fi
done
exit $status
