#!/usr/bin/env bash
# Build mediasoup's C++ worker offline from the npm tarball against Debian 12's
# packaged libraries, and cache the binary per mediasoup version.
#
# Usage: sfu/worker-build/build-worker.sh [--force] [VERSION]
#   VERSION  defaults to node_modules/mediasoup's version, else 3.12.16
#   --force  rebuild even if the cached binary exists
# Env:     EARSHOT_CACHE_DIR (default ~/.cache/earshot), WB_JOBS (ninja -j, default 2)
# Output:  the binary's path on stdout (logs go to stderr), e.g.
#          MEDIASOUP_WORKER_BIN="$(sfu/worker-build/build-worker.sh)"
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

force=0
version=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) wb_die "unknown option: $arg" ;;
    *) [[ -z "$version" ]] || wb_die "only one VERSION argument"; version="$arg" ;;
  esac
done
wb_resolve_version "$version"

# Cache hit: print the path and leave (no apt, npm or meson involved).
if ((force == 0)) && [[ -x "$WB_BIN" ]]; then
  wb_log "cache hit: mediasoup-worker $WB_VERSION"
  echo "$WB_BIN"
  exit 0
fi

t_start="$(wb_now)"
wb_lock
# Someone else may have built it while we waited for the lock.
if ((force == 0)) && [[ -x "$WB_BIN" ]]; then
  wb_log "cache hit (built by a concurrent run): mediasoup-worker $WB_VERSION"
  echo "$WB_BIN"
  exit 0
fi

wb_log "building mediasoup-worker $WB_VERSION into $WB_VERSION_DIR"
wb_ensure_apt_packages "${WB_APT_PACKAGES[@]}"
wb_prepare
wb_ninja mediasoup-worker

# Atomic publish: a reader sees either no binary or the complete one.
tmp_bin="$WB_BIN.tmp.$$"
cp "$WB_BUILD_DIR/mediasoup-worker" "$tmp_bin"
chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$WB_BIN"

{
  echo "mediasoup-worker $WB_VERSION"
  echo "built:   $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
  echo "recipe:  sfu/worker-build (patch-meson.py + Debian packages), meson ${WB_MESON_ARGS[*]}"
  echo "libraries (Debian packages):"
  dpkg-query -W -f='  ${Package} ${Version}\n' "${WB_APT_PACKAGES[@]}" 2>/dev/null || true
  echo "linked shared libraries:"
  ldd "$WB_BIN" | sed 's/^[[:space:]]*/  /'
} >"$WB_VERSION_DIR/BUILD-INFO.txt"

wb_log "done in $(wb_elapsed "$t_start"): $WB_BIN"
echo "$WB_BIN"
