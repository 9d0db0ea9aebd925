#!/usr/bin/env bash
# The whole test suite, as CI runs it (`npm test`):
#   setup → lint → electronegativity → typecheck (per runtime) → unit → integration → e2e → electron
# Every stage runs even when an earlier one failed; a summary follows, ending in one line
# `N passed, N failed, N skipped`. Exit code is non-zero when anything failed.
#
#   scripts/test.sh                  all stages
#   scripts/test.sh unit e2e         only the named stages (setup always runs)
#   scripts/test.sh e2e -- --grep x  extra arguments after -- go to every test runner stage
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ONLY=()
EXTRA=()
while (($#)); do
  if [[ $1 == -- ]]; then
    shift
    EXTRA=("$@")
    break
  fi
  ONLY+=("$1")
  shift
done

RESULTS=test-results
STAGES=$RESULTS/stages.tsv
mkdir -p "$RESULTS"
rm -f "$STAGES" "$RESULTS"/vitest-*.json "$RESULTS"/playwright.json "$RESULTS"/playwright-electron.json

bar() { printf '\n━━━━ %s\n' "$*"; }

bar "setup"
if ! bash scripts/setup.sh; then
  echo "setup failed: nothing else can run"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

selected() {
  ((${#ONLY[@]} == 0)) && return 0
  local s
  for s in "${ONLY[@]}"; do [[ $s == "$1" || $1 == "$s":* ]] && return 0; done
  return 1
}

# stage <name> <kind> <report file or -> <command...>
stage() {
  local name=$1 kind=$2 report=$3
  shift 3
  selected "$name" || return 0
  bar "$name: $*"
  local t=$SECONDS rc=0
  "$@" || rc=$?
  local took=$((SECONDS - t))
  if ((rc == 0)); then
    printf '━━━━ %s: ok (%d s)\n' "$name" "$took"
  else
    printf '━━━━ %s: FAILED with exit code %d (%d s)\n' "$name" "$rc" "$took"
  fi
  printf '%s\t%s\t%d\t%d\t%s\n' "$name" "$kind" "$rc" "$took" "$report" >>"$STAGES"
}

vitest_project() {
  local project=$1
  npx --no-install vitest run --project "$project" --passWithNoTests \
    --reporter=default --reporter=json --outputFile.json="$RESULTS/vitest-$project.json" "${EXTRA[@]}"
}

# The Electron suite runs wherever the Electron binary is installed (on a Linux machine without a
# display, under xvfb-run when there is one); elsewhere its tests report themselves skipped.
electron_suite() {
  local runner=()
  if [[ $(uname -s) == Linux && -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]] && command -v xvfb-run >/dev/null 2>&1 &&
    node scripts/electron-binary.mjs >/dev/null; then
    runner=(xvfb-run -a)
  fi
  "${runner[@]}" npx --no-install playwright test --config tests/electron/playwright.electron.config.ts "${EXTRA[@]}"
}

stage lint check - npx --no-install eslint .
stage electronegativity check - node scripts/electronegativity.mjs
stage typecheck:common check - npx --no-install tsc -p tsconfig.common.json
stage typecheck:renderer check - npx --no-install tsc -p tsconfig.renderer.json
stage typecheck:node check - npx --no-install tsc -p tsconfig.node.json
stage typecheck:main check - npx --no-install tsc -p tsconfig.main.json
stage typecheck:preload check - npx --no-install tsc -p tsconfig.preload.json
stage unit vitest "$RESULTS/vitest-unit.json" vitest_project unit
stage integration vitest "$RESULTS/vitest-integration.json" vitest_project integration
stage e2e playwright "$RESULTS/playwright.json" npx --no-install playwright test "${EXTRA[@]}"
stage electron playwright "$RESULTS/playwright-electron.json" electron_suite

if [[ ! -s $STAGES ]]; then
  echo "no stage matched: ${ONLY[*]} (stages: lint electronegativity typecheck[:common|:renderer|:node|:main|:preload] unit integration e2e electron)" >&2
  exit 2
fi
node scripts/summarize-tests.mjs "$STAGES"
