#!/usr/bin/env bash
# The long runs (`npm run test:long`; not part of `npm test`), one after the other:
#   1. vitest project `long`: the 1,000,000-frame protocol fuzz (tests/long/**/*.long.test.ts)
#   2. Playwright, tests/long/playwright.long.config.ts: the 30-minute soak (tests/long/**/*.long.spec.ts)
# Both run even when the first failed; the exit code is non-zero when either did.
# Figures: the printed tables, test-results/soak-long.json, test-results/playwright-long.json.
#
#   scripts/test-long.sh                 both (about 40 minutes)
#   scripts/test-long.sh fuzz            only the fuzz;  scripts/test-long.sh soak  only the soak
#   SOAK_MINUTES=5 scripts/test-long.sh soak     a shorter soak
#   FUZZ_FRAMES=… FUZZ_SEED=…                    see tests/long/signaling-server/fuzz.long.test.ts
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want() { (($# == 0)) || [[ " $* " == *" $STAGE "* ]]; }
for arg in "$@"; do
  [[ $arg == fuzz || $arg == soak ]] || { echo "unknown long run: $arg (fuzz, soak)" >&2; exit 2; }
done
rc=0
STAGE=fuzz
if want "$@"; then
  printf '\n━━━━ long: protocol fuzz (vitest project long)\n'
  npx --no-install vitest run --project long || rc=1
fi
STAGE=soak
if want "$@"; then
  printf '\n━━━━ long: soak, %s minutes (Playwright, tests/long)\n' "${SOAK_MINUTES:-30}"
  npx --no-install playwright test --config tests/long/playwright.long.config.ts || rc=1
fi
exit "$rc"
