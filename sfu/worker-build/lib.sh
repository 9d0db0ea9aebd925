# shellcheck shell=bash
# Shared helpers for build-worker.sh and test-worker.sh. Source it; don't run it.
#
# Layout (per mediasoup version, nothing inside the git tree):
#   $EARSHOT_CACHE_DIR/mediasoup-worker/<version>/mediasoup-worker    the cached binary
#   $EARSHOT_CACHE_DIR/mediasoup-worker/<version>/BUILD-INFO.txt      how it was built
#   $EARSHOT_CACHE_DIR/mediasoup-worker/<version>/work/worker/        patched copy of the npm tarball's worker/
#   $EARSHOT_CACHE_DIR/mediasoup-worker/<version>/work/build/         meson build dir (kept for test-worker.sh;
#                                                                     delete work/ to reclaim space)

WB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WB_REPO_ROOT="$(cd "$WB_SCRIPT_DIR/../.." && pwd)"
WB_DEFAULT_VERSION="3.12.16"

# Debian packages the worker needs (the -dev packages pull in the runtime libraries).
WB_APT_PACKAGES=(meson ninja-build pkg-config libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
WB_APT_TEST_PACKAGES=(catch2)

wb_log() { printf '[worker-build] %s\n' "$*" >&2; }
wb_die() { printf '[worker-build] ERROR: %s\n' "$*" >&2; exit 1; }
wb_now() { date +%s.%N; }
wb_elapsed() { awk -v a="$1" -v b="$(wb_now)" 'BEGIN { printf "%.1f s", b - a }'; }

# wb_resolve_version [VERSION] -> sets WB_VERSION and the paths derived from it.
# Default: the mediasoup installed in the repo's node_modules, else 3.12.16.
wb_resolve_version() {
  local v="${1:-}"
  if [[ -z "$v" ]]; then
    local pj="$WB_REPO_ROOT/node_modules/mediasoup/package.json"
    if [[ -f "$pj" ]]; then
      v="$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n1)"
      [[ -n "$v" ]] || wb_die "could not read the version from $pj"
    else
      v="$WB_DEFAULT_VERSION"
    fi
  fi
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || wb_die "not a plain mediasoup version: '$v'"
  WB_VERSION="$v"
  WB_CACHE_ROOT="${EARSHOT_CACHE_DIR:-$HOME/.cache/earshot}"
  WB_VERSION_DIR="$WB_CACHE_ROOT/mediasoup-worker/$WB_VERSION"
  WB_BIN="$WB_VERSION_DIR/mediasoup-worker"
  WB_WORK_DIR="$WB_VERSION_DIR/work"
  WB_SRC_DIR="$WB_WORK_DIR/worker"
  WB_BUILD_DIR="$WB_WORK_DIR/build"
}

# Take a per-version lock so two builds (or a build and a test run) never share
# the build dir at the same time. Held until the calling script exits.
wb_lock() {
  mkdir -p "$WB_VERSION_DIR"
  exec 9>"$WB_VERSION_DIR/.lock"
  if ! flock -n 9; then
    wb_log "another build of mediasoup-worker $WB_VERSION is running; waiting for it"
    flock 9
  fi
}

wb_pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

# wb_ensure_apt_packages PKG... : install only the missing ones.
wb_ensure_apt_packages() {
  local missing=() p
  for p in "$@"; do
    wb_pkg_installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    wb_log "apt packages present: $*"
    return 0
  fi
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || wb_die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  local t0; t0="$(wb_now)"
  wb_log "installing missing apt packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  wb_log "apt packages installed in $(wb_elapsed "$t0")"
}

# Release build like upstream's Makefile ("make -C worker"), without LTO; never
# let meson fall back to a wrap download.
WB_MESON_ARGS=(--buildtype=release -Db_ndebug=true -Db_pie=true -Db_staticpic=true -Db_lto=false --wrap-mode=nofallback)

# Fingerprint of what decides the contents of work/: if it changes, work/ is
# prepared again from scratch.
wb_recipe_id() {
  { echo "mediasoup $WB_VERSION"; echo "${WB_MESON_ARGS[*]}"; cat "$WB_SCRIPT_DIR/patch-meson.py"; } | sha256sum | cut -c1-16
}

# Fetch the npm tarball, copy worker/, patch it, run meson setup. Idempotent:
# reuses work/ when it was prepared by the same recipe.
wb_prepare() {
  local stamp="$WB_WORK_DIR/.prepared" recipe
  recipe="$(wb_recipe_id)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$recipe" && -f "$WB_BUILD_DIR/build.ninja" ]]; then
    wb_log "reusing prepared sources and build dir: $WB_WORK_DIR"
    return 0
  fi
  rm -rf "$WB_WORK_DIR"
  mkdir -p "$WB_WORK_DIR"

  # 1. The npm tarball (from the npm registry through npm's own cache; nothing else).
  local t0 tmp tgz
  t0="$(wb_now)"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-pack.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  wb_log "npm pack mediasoup@$WB_VERSION"
  tgz="$(cd "$tmp" && npm pack "mediasoup@$WB_VERSION" --silent 2>"$tmp/npm-pack.err" | tail -n1)" || true
  if [[ -z "$tgz" || ! -f "$tmp/$tgz" ]]; then
    cat "$tmp/npm-pack.err" >&2
    wb_die "npm pack mediasoup@$WB_VERSION failed"
  fi
  tar -xzf "$tmp/$tgz" -C "$tmp" package/worker
  cp -a "$tmp/package/worker" "$WB_SRC_DIR"
  rm -rf "$tmp"
  trap - EXIT
  # The wraps would let meson fall back to downloading; we want a hard failure instead.
  rm -rf "$WB_SRC_DIR/subprojects"
  wb_log "tarball fetched and extracted in $(wb_elapsed "$t0")"

  # 2. Patch meson.build + deps/libwebrtc/meson.build (fails loudly on surprises).
  python3 "$WB_SCRIPT_DIR/patch-meson.py" "$WB_SRC_DIR" >&2

  # 3. Configure.
  t0="$(wb_now)"
  meson setup "$WB_BUILD_DIR" "$WB_SRC_DIR" "${WB_MESON_ARGS[@]}" >"$WB_WORK_DIR/meson-setup.log" 2>&1 \
    || { tail -n 40 "$WB_WORK_DIR/meson-setup.log" >&2; wb_die "meson setup failed (log: $WB_WORK_DIR/meson-setup.log)"; }
  wb_log "meson setup done in $(wb_elapsed "$t0")"
  echo "$recipe" >"$stamp"
}

# wb_ninja TARGET
wb_ninja() {
  local t0; t0="$(wb_now)"
  wb_log "ninja -j${WB_JOBS:-2} $1 (log: $WB_WORK_DIR/ninja-$1.log)"
  ninja -C "$WB_BUILD_DIR" -j"${WB_JOBS:-2}" "$1" >"$WB_WORK_DIR/ninja-$1.log" 2>&1 \
    || { tail -n 60 "$WB_WORK_DIR/ninja-$1.log" >&2; wb_die "ninja $1 failed (log: $WB_WORK_DIR/ninja-$1.log)"; }
  wb_log "ninja $1 done in $(wb_elapsed "$t0")"
}
