#!/usr/bin/env bash
# Installs everything Earshot needs on this machine, and nothing twice.
#
#   scripts/setup.sh            full: what `npm test` needs (runtime + test-only packages)
#   scripts/setup.sh --runtime  minimal: what `npm start` needs (skips test-only apt packages)
#
# Steps: (1) Debian packages via apt, (2) npm dependencies + native modules, (2c) the Electron
# binary (optional), (3) the web client, (4) the desktop app's main + preload bundles.
# Each step checks first and does nothing when already done, so a second run takes a second or two.
#
# Environment:
#   EARSHOT_SKIP_APT=1               never touch apt (install the listed packages yourself)
#   ELECTRON_SKIP_BINARY_DOWNLOAD=1  do not try to download Electron (the desktop app then cannot start here)
set -euo pipefail

# Debian packages. `name` = needed at runtime; `name:test` = needed only by the test suite.
APT_PACKAGES=(
  chromium:test # Playwright drives Debian's Chromium (Playwright's own download cannot work here)
  sox:test      # test tones for the fake microphone
  coturn:test   # the TURN relay the call tests start with a generated config (production runs its own)
  iptables:test # blocking the direct path between test network namespaces
  iproute2:test # ip netns / veth for those namespaces
  openssl:test  # self-signed certificates for the TLS tests
)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

MODE=full
for arg in "$@"; do
  case "$arg" in
    --runtime) MODE=runtime ;;
    --full) MODE=full ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown argument: $arg (use --runtime or --full)" >&2
      exit 2
      ;;
  esac
done

export NPM_CONFIG_UPDATE_NOTIFIER=false # no "new npm available" notices in CI logs

say() { printf 'setup: %s\n' "$*"; }
T0=$SECONDS

# ---------------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------------
wanted=()
for entry in "${APT_PACKAGES[@]}"; do
  name=${entry%%:*}
  if [[ $entry == *:test && $MODE == runtime ]]; then continue; fi
  wanted+=("$name")
done

apt_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

if ((${#wanted[@]} == 0)); then
  :
elif [[ ${EARSHOT_SKIP_APT:-} == 1 ]]; then
  say "apt: skipped (EARSHOT_SKIP_APT=1); this mode expects: ${wanted[*]}"
elif ! command -v dpkg-query >/dev/null 2>&1; then
  say "apt: this is not a Debian-like system; install these packages yourself: ${wanted[*]}" >&2
  say "then run again with EARSHOT_SKIP_APT=1" >&2
  exit 1
else
  missing=()
  for name in "${wanted[@]}"; do
    apt_installed "$name" || missing+=("$name")
  done
  if ((${#missing[@]} == 0)); then
    say "apt: ok (${wanted[*]})"
  else
    if [[ $(id -u) == 0 ]]; then
      SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      say "apt: missing packages: ${missing[*]}" >&2
      say "not root and no sudo: run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      say "(or set EARSHOT_SKIP_APT=1 if you provide them another way)" >&2
      exit 1
    fi
    say "apt: installing ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 2. npm dependencies
# ---------------------------------------------------------------------------------------------
# Lifecycle scripts stay off (--ignore-scripts): electron's postinstall downloads a binary from
# outside the npm registry and mediasoup's builds its worker; each gets its own step. The native
# modules we need now are rebuilt explicitly below.
if [[ ! -f package-lock.json ]]; then
  say "npm: no package-lock.json; generating it (commit it)"
  npm install --package-lock-only --ignore-scripts --no-audit --no-fund
fi

# node-gyp needs Node's C headers; it downloads them from nodejs.org unless told where they are,
# and nodejs.org is unreachable on the build machines. Point it at the installed headers.
# (Only for the rebuild commands: npm itself warns about nodedir as an unknown setting.)
GYP_ENV=()
if [[ -z ${npm_config_nodedir:-} ]]; then
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [[ -f $node_prefix/include/node/node.h ]]; then GYP_ENV=(npm_config_nodedir="$node_prefix"); fi
fi

STAMP=node_modules/.earshot-stamp
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -d node_modules && -f $STAMP && $(cat "$STAMP") == "$lock_hash" ]]; then
  say "npm: ok (node_modules matches package-lock.json)"
else
  if [[ ! -d node_modules ]]; then
    say "npm: node_modules missing; npm ci"
  else
    say "npm: package-lock.json changed since the last install; npm ci"
  fi
  t=$SECONDS
  npm ci --ignore-scripts --no-audit --no-fund
  say "npm: rebuilding better-sqlite3 from source (node-gyp, about a minute on 2 cores)"
  env "${GYP_ENV[@]}" npm rebuild better-sqlite3
  say "npm: installed in $((SECONDS - t)) s"
  printf '%s\n' "$lock_hash" >"$STAMP"
fi

# The native module must load with this Node (ABI changes when Node is upgraded).
sqlite_ok() { node -e "require('better-sqlite3')(':memory:').close()" >/dev/null 2>&1; }
if ! sqlite_ok; then
  say "npm: better-sqlite3 does not load with node $(node -v); rebuilding"
  env "${GYP_ENV[@]}" npm rebuild better-sqlite3
  if ! sqlite_ok; then
    node -e "require('better-sqlite3')(':memory:')" || true
    say "npm: better-sqlite3 still does not load (needs python3, make and g++ to compile)" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------------------------------------
# 2b. mediasoup worker (group calls)
# ---------------------------------------------------------------------------------------------
# mediasoup loads node_modules/mediasoup/worker/out/Release/mediasoup-worker. Where it comes from,
# first that works: what is already there for this version; the binary this machine built before
# (cache keyed by version); mediasoup's own postinstall (downloads a prebuilt worker where the
# internet is reachable; fails in about 30 s where it is not); a build from the npm tarball
# against Debian's libraries (sfu/worker-build, about 5 minutes on 2 cores, then cached).
MS_DIR=node_modules/mediasoup
MS_BIN=$MS_DIR/worker/out/Release/mediasoup-worker
MS_STAMP=$MS_DIR/worker/out/Release/.earshot-version
if [[ -d $MS_DIR ]]; then
  ms_version=$(node -p "require('./$MS_DIR/package.json').version")
  if [[ -n ${MEDIASOUP_WORKER_BIN:-} ]]; then
    say "mediasoup: using MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN"
  elif [[ -x $MS_BIN && -f $MS_STAMP && $(cat "$MS_STAMP") == "$ms_version" ]]; then
    say "mediasoup: ok (worker $ms_version)"
  else
    t=$SECONDS
    cached="${EARSHOT_CACHE_DIR:-$HOME/.cache/earshot}/mediasoup-worker/$ms_version/mediasoup-worker"
    if [[ ! -x $cached && ${EARSHOT_MEDIASOUP_PREBUILT:-1} == 1 ]]; then
      say "mediasoup: trying mediasoup's prebuilt worker download"
      if (cd "$MS_DIR" && timeout 600 node npm-scripts.mjs postinstall >/tmp/earshot-mediasoup-postinstall.log 2>&1) && [[ -x $MS_BIN ]]; then
        cached=$MS_BIN
      else
        say "mediasoup: no prebuilt worker (log: /tmp/earshot-mediasoup-postinstall.log); building against Debian's libraries"
      fi
    fi
    if [[ $cached != "$MS_BIN" ]]; then
      cached=$(bash sfu/worker-build/build-worker.sh "$ms_version")
      mkdir -p "$(dirname "$MS_BIN")"
      cp "$cached" "$MS_BIN.tmp" && mv "$MS_BIN.tmp" "$MS_BIN"
    fi
    printf '%s\n' "$ms_version" >"$MS_STAMP"
    say "mediasoup: worker $ms_version ready in $((SECONDS - t)) s"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 2c. Electron binary (desktop app; optional)
# ---------------------------------------------------------------------------------------------
# `npm ci --ignore-scripts` skips electron's postinstall, which downloads the binary from GitHub.
# Try that download once per lockfile, with a time limit; where it cannot work (no GitHub) say so
# in one line and remember the failure, so later runs do not wait for it again. Nothing here is
# fatal: the web client and every other stage work without Electron. `require('electron')` is
# never used to probe (it starts a download itself); scripts/electron-binary.mjs reads path.txt.
ELECTRON_FAILED_STAMP=node_modules/.earshot-electron-download-failed
if [[ -d node_modules/electron ]]; then
  if electron_path=$(node scripts/electron-binary.mjs); then
    say "electron: ok ($electron_path)"
  elif [[ ${ELECTRON_SKIP_BINARY_DOWNLOAD:-} == 1 ]]; then
    say "electron: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD=1): the desktop app cannot start here; the web client works"
  elif [[ -f $ELECTRON_FAILED_STAMP && $(cat "$ELECTRON_FAILED_STAMP") == "$lock_hash" ]]; then
    say "electron: binary not available here (download failed earlier for this lockfile; rm $ELECTRON_FAILED_STAMP to retry): the web client works"
  else
    t=$SECONDS
    if timeout "${EARSHOT_ELECTRON_DOWNLOAD_TIMEOUT:-120}" node node_modules/electron/install.js >/tmp/earshot-electron-install.log 2>&1 &&
      electron_path=$(node scripts/electron-binary.mjs); then
      rm -f "$ELECTRON_FAILED_STAMP"
      say "electron: binary downloaded in $((SECONDS - t)) s ($electron_path)"
    else
      printf '%s\n' "$lock_hash" >"$ELECTRON_FAILED_STAMP"
      say "electron: binary not available here (download failed after $((SECONDS - t)) s, log: /tmp/earshot-electron-install.log): desktop app skipped, the web client works"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# 3. Web client (served by the signaling server at /)
# ---------------------------------------------------------------------------------------------
OUT=dist/renderer/index.html
if [[ ! -f renderer/index.html ]]; then
  say "renderer: no renderer/index.html yet; nothing to build"
elif [[ -f $OUT && -z $(find renderer common vite.config.ts package-lock.json -newer "$OUT" -print -quit) ]]; then
  say "renderer: ok (dist/renderer is newer than its sources)"
else
  say "renderer: building dist/renderer (vite)"
  t=$SECONDS
  npx --no-install vite build --logLevel warn
  touch "$OUT" # vite keeps file times of copied assets; mark the build as done now
  say "renderer: built in $((SECONDS - t)) s"
fi

# ---------------------------------------------------------------------------------------------
# 4. Desktop app bundles (Electron main + preload), built even where Electron cannot run: the
#    packaging config, electronegativity and the Electron suite (where it runs) read them.
# ---------------------------------------------------------------------------------------------
DESKTOP_OUT=(dist/main/main.mjs dist/preload/preload.cjs)
desktop_fresh() {
  local out
  for out in "${DESKTOP_OUT[@]}"; do
    [[ -f $out ]] || return 1
    [[ -z $(find main preload common signaling-server sfu vite.main.config.ts vite.preload.config.ts package-lock.json -newer "$out" -print -quit) ]] || return 1
  done
}
if [[ ! -f main/main.ts ]]; then
  say "desktop: no main/main.ts; nothing to build"
elif desktop_fresh; then
  say "desktop: ok (dist/main and dist/preload are newer than their sources)"
else
  say "desktop: building dist/main and dist/preload (vite)"
  t=$SECONDS
  npx --no-install vite build -c vite.main.config.ts --logLevel warn
  npx --no-install vite build -c vite.preload.config.ts --logLevel warn
  touch "${DESKTOP_OUT[@]}"
  say "desktop: built in $((SECONDS - t)) s"
fi

say "done ($MODE) in $((SECONDS - T0)) s"
