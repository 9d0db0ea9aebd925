#!/usr/bin/env bash
# `npm start`: installs what the app needs (scripts/setup.sh --runtime), then runs the signaling
# server, which also serves the web client, and — where the Electron binary is installed and a
# display exists — the desktop app pointed at that server. Ctrl-C / SIGTERM stops both.
#
# Environment: EARSHOT_HOST (default 127.0.0.1), EARSHOT_PORT (8080), EARSHOT_DATA_DIR (./data),
# and the rest listed in README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --runtime

# The desktop app needs the Electron binary, found by scripts/electron-binary.mjs without `require('electron')`
# (which would start a download where the binary is missing).
DESKTOP_PID_FILE=$(mktemp -t earshot-desktop.XXXXXX)

# Start the desktop app (dist/main, built by setup) against the server at $1, in the background.
launch_desktop() {
  local url=$1 bin
  bin=$(node scripts/electron-binary.mjs) || {
    echo "Desktop app: Electron binary not installed here — open the web client at $url"
    return
  }
  if [[ $(uname -s) == Linux && -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    echo "Desktop app: no display here — open the web client at $url"
    return
  fi
  local flags=()
  # Chromium refuses to start as root unless its own sandbox is off (pages stay sandboxed by Electron's settings).
  [[ $(id -u) == 0 ]] && flags+=(--no-sandbox)
  echo "Desktop app: starting Electron against $url (web client also at $url)"
  EARSHOT_SERVER_URL=$url "$bin" "${flags[@]}" dist/main/main.mjs &
  echo $! >"$DESKTOP_PID_FILE"
}

# Runs in the background on the server's stdout: passes every line through and, once the server
# says it is ready, starts the desktop app or tells how to open the web client.
announce() {
  local line url
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ $line =~ Earshot\ server\ ready:\ ([^[:space:]]+) ]]; then
      url=${BASH_REMATCH[1]%/}
      url=${url/\/\/0.0.0.0:/\/\/127.0.0.1:}
      launch_desktop "$url"
    fi
  done
}

# `node --import tsx` runs the TypeScript entry in a single process (no npx / tsx wrapper
# processes in between), so signals reach the server directly.
node --import tsx signaling-server/main.ts > >(announce) &
server=$!

forward() {
  trap - INT TERM
  kill -"$1" "$server" 2>/dev/null || true
  local desktop
  desktop=$(cat "$DESKTOP_PID_FILE" 2>/dev/null || true)
  [[ -n $desktop ]] && kill -TERM "$desktop" 2>/dev/null || true
}
trap 'forward INT' INT
trap 'forward TERM' TERM

# `wait` returns early when a trapped signal arrives; keep waiting until the server has exited.
rc=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server" && rc=0 || rc=$?
done
rm -f "$DESKTOP_PID_FILE"
exit "$rc"
