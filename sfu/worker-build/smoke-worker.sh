#!/usr/bin/env bash
# Check that the cached worker binary works with the mediasoup npm package:
# install mediasoup into a scratch folder outside the repo with
# MEDIASOUP_WORKER_BIN set (its postinstall then neither downloads nor builds),
# then createWorker -> createRouter(opus) -> createWebRtcTransport -> close.
#
# Usage: sfu/worker-build/smoke-worker.sh [VERSION]
# Env:   WB_SMOKE_DIR (default /tmp/ms-check); the binary comes from build-worker.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
wb_resolve_version "${1:-}"

MEDIASOUP_WORKER_BIN="$("$here/build-worker.sh" "$WB_VERSION")"
export MEDIASOUP_WORKER_BIN

dir="${WB_SMOKE_DIR:-/tmp/ms-check}"
mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || echo '{ "name": "ms-check", "private": true }' >package.json
if [[ "$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' node_modules/mediasoup/package.json 2>/dev/null | head -n1)" != "$WB_VERSION" ]]; then
  t0="$(wb_now)"
  wb_log "npm install mediasoup@$WB_VERSION in $dir (MEDIASOUP_WORKER_BIN set: postinstall skips download/build)"
  npm install --no-audit --no-fund --foreground-scripts "mediasoup@$WB_VERSION" >&2
  wb_log "npm install done in $(wb_elapsed "$t0")"
fi
cp "$here/smoke-worker.cjs" "$dir/smoke-worker.cjs"
node "$dir/smoke-worker.cjs"
