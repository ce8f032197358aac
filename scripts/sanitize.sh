#!/usr/bin/env bash
# Sanitizer runs (CI calls this from scripts/test.sh):
#  1. unit + integration tests built with -fsanitize=address,undefined in build-asan (-O1);
#     and the session tests (tests/sessions: real sockets, no GStreamer);
#  2. the threaded tests under ThreadSanitizer in build-tsan: the buses and subscriptions, the
#     keyframe gate, the event hub, the auth limiter and guard (unit tests), and the serving
#     path (tests/sessions: HTTP server, relays, Direct/MJPEG/events sessions, the client
#     registry, the WebRTC control executor) while publisher threads run.
# Only the test targets are built. Suppressions for GStreamer/GLib live in sanitizers/.
#   scripts/sanitize.sh [asan|tsan]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
RUNS=("$@")
[ ${#RUNS[@]} -eq 0 ] && RUNS=(asan tsan)

configure() { # dir sanitizers [extra flags]
  if [ ! -f "$1/build.ninja" ]; then
    cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g ${3:-}" -DFRAMEWIRE_TESTS=ON \
      -DFRAMEWIRE_SANITIZE="$2" >/dev/null
  fi
}

for run in "${RUNS[@]}"; do
  case "$run" in
    asan)
      dir="${ASAN_BUILD_DIR:-build-asan}"
      configure "$dir" address,undefined
      cmake --build "$dir" -j2 --target fw_unit_tests fw_integration_tests fw_session_tests
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
      export LSAN_OPTIONS="suppressions=$ROOT/sanitizers/lsan.supp:print_suppressions=0"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$ROOT/sanitizers/ubsan.supp"
      echo "sanitize: unit tests under ASan+UBSan"
      "$dir/tests/unit/fw_unit_tests" --gtest_brief=1
      echo "sanitize: integration tests under ASan+UBSan"
      "$dir/tests/integration/fw_integration_tests" --gtest_brief=1
      echo "sanitize: session tests under ASan+UBSan"
      "$dir/tests/sessions/fw_session_tests" --gtest_brief=1
      ;;
    tsan)
      dir="${TSAN_BUILD_DIR:-build-tsan}"
      # -Wno-tsan: GCC warns at every Asio handler that TSan cannot model atomic_thread_fence
      # (Asio's fenced blocks; its queues are also mutex-guarded, which TSan does see).
      configure "$dir" thread -Wno-tsan
      cmake --build "$dir" -j2 --target fw_unit_tests fw_session_tests
      export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/sanitizers/tsan.supp"
      echo "sanitize: threaded unit tests under TSan"
      "$dir/tests/unit/fw_unit_tests" --gtest_brief=1 \
        --gtest_filter='FrameBus*:LatestFrameBus*:EventHub*:KeyframeGate*:FailLimiter*:GuardTest*:RateMeter*:SampleWindow*'
      echo "sanitize: session tests (server, sessions, relays, executor) under TSan"
      "$dir/tests/sessions/fw_session_tests" --gtest_brief=1
      ;;
    *) echo "sanitize: unknown run '$run' (asan, tsan)"; exit 2 ;;
  esac
done
echo "sanitize: clean"
