#!/usr/bin/env bash
# Build and run mediasoup's own C++ test suite (mediasoup-worker-test, Catch2)
# in the same patched build dir that build-worker.sh uses, with Debian's catch2.
#
# Usage: sfu/worker-build/test-worker.sh [VERSION]
#   VERSION defaults as in build-worker.sh. Extra Catch2 arguments can be given
#   with WB_CATCH_ARGS (e.g. WB_CATCH_ARGS='--durations yes').
# Exit status: non-zero if any test that is run fails (or if exactly the
# expected tests cannot be excluded).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -le 1 ]] || wb_die "usage: $0 [VERSION]"
wb_resolve_version "${1:-}"

# These two test cases read binary RTP captures from worker/test/data/, which the
# npm tarball does not ship ("files" in mediasoup's package.json), so they cannot
# pass from the tarball. Catch2 names a SCENARIO("x") test case "Scenario: x".
EXCLUDED_TESTS=(
  "Scenario: parse RTP packets"                 # test/src/RTC/TestRtpPacket.cpp: test/data/packet{1,2,3}.raw
  "Scenario: parse RTP packets with H264 SVC"   # test/src/RTC/TestRtpPacketH264Svc.cpp: test/data/H264_SVC/*.bin
)
EXCLUDE_REASON="they read binary fixtures from worker/test/data/, which the mediasoup npm tarball does not ship"

t_start="$(wb_now)"
wb_lock
wb_ensure_apt_packages "${WB_APT_PACKAGES[@]}" "${WB_APT_TEST_PACKAGES[@]}"
wb_prepare

# catch2 is an optional dependency in the patched meson.build; if the build dir
# was configured before catch2 was installed, configure it again.
if ! grep -q '"name": "catch2"' "$WB_BUILD_DIR/meson-info/intro-dependencies.json" 2>/dev/null; then
  wb_log "catch2 was not found when the build dir was configured; reconfiguring"
  meson setup --reconfigure "$WB_BUILD_DIR" "$WB_SRC_DIR" "${WB_MESON_ARGS[@]}" >"$WB_WORK_DIR/meson-setup.log" 2>&1 \
    || { tail -n 40 "$WB_WORK_DIR/meson-setup.log" >&2; wb_die "meson setup --reconfigure failed"; }
  grep -q '"name": "catch2"' "$WB_BUILD_DIR/meson-info/intro-dependencies.json" \
    || wb_die "meson still does not find catch2 (pkg-config catch2)"
fi

wb_ninja mediasoup-worker-test
t_build_done="$(wb_now)"
test_bin="$WB_BUILD_DIR/mediasoup-worker-test"

# Catch2 test spec: ~"name" excludes a test case by its exact name; several
# space-separated specs must all match, so every listed test is excluded.
spec=()
for name in "${EXCLUDED_TESTS[@]}"; do spec+=("~\"$name\""); done

# Make sure each exclusion names a real test case (a rename upstream must not
# silently turn an exclusion into a no-op), and that it removes exactly one.
# (Catch2 2.x exits with the number of listed tests, hence the "|| true".)
list_tests() { { "$test_bin" --list-test-names-only "$@" || true; } | sed '/^[[:space:]]*$/d'; }
all="$(list_tests)"
total="$(wc -l <<<"$all")"
((total > ${#EXCLUDED_TESTS[@]})) || wb_die "could not list the test cases of $test_bin"
for name in "${EXCLUDED_TESTS[@]}"; do
  grep -qxF "$name" <<<"$all" || wb_die "excluded test case not found in the suite: '$name'"
done
selected="$(list_tests "${spec[@]}" | wc -l)"
((selected == total - ${#EXCLUDED_TESTS[@]})) \
  || wb_die "exclusion spec selects $selected of $total test cases; expected $((total - ${#EXCLUDED_TESTS[@]}))"

echo "mediasoup-worker-test $WB_VERSION: running $selected of $total test cases."
echo "Excluded ${#EXCLUDED_TESTS[@]} test cases because $EXCLUDE_REASON:"
for name in "${EXCLUDED_TESTS[@]}"; do echo "  - $name"; done

# Upstream runs the suite from the worker dir (helpers::readBinaryFile opens test/data/...).
status=0
# shellcheck disable=SC2086
(cd "$WB_SRC_DIR" && "$test_bin" --use-colour no "${spec[@]}" ${WB_CATCH_ARGS:-}) \
  | tee "$WB_WORK_DIR/mediasoup-worker-test.log" || status=$?

# Catch2's summary: "All tests passed (A assertions in N test cases)" or
# "test cases: N | P passed | F failed".
summary="$(grep -E '^(All tests passed|test cases:)' "$WB_WORK_DIR/mediasoup-worker-test.log" | tail -n1 || true)"
passed=0 failed=0
if [[ "$summary" =~ ^All\ tests\ passed.*\ in\ ([0-9]+)\ test\ case ]]; then
  passed="${BASH_REMATCH[1]}"
elif [[ "$summary" =~ ([0-9]+)\ passed ]]; then
  passed="${BASH_REMATCH[1]}"
  if [[ "$summary" =~ ([0-9]+)\ failed ]]; then failed="${BASH_REMATCH[1]}"; fi
fi
if ((status == 0)) && ((failed != 0 || passed != selected)); then status=1; fi

echo
echo "mediasoup-worker-test: $passed of $total test cases passed, $failed failed, ${#EXCLUDED_TESTS[@]} excluded (fixtures not in the npm tarball)"
echo "timing: build $(awk -v a="$t_start" -v b="$t_build_done" 'BEGIN{printf "%.1f s", b-a}'), run $(wb_elapsed "$t_build_done")"
echo "$passed passed, $failed failed"
exit "$status"
