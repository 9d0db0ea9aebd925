#!/usr/bin/env bash
# `npm start`: installs what the app needs (scripts/setup.sh --runtime), then runs the signaling
# server, which also serves the web client. Stops the server on Ctrl-C / SIGTERM.
#
# Environment: EARSHOT_HOST (default 127.0.0.1), EARSHOT_PORT (8080), EARSHOT_DATA_DIR (./data),
# and the rest listed in README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --runtime

# Where the desktop app would come from: the `electron` package resolves to its binary path only
# when the binary was downloaded (it cannot be on machines without access to GitHub).
electron_binary() {
  node -e "
    try {
      const bin = require('electron');
      if (typeof bin === 'string' && require('node:fs').existsSync(bin)) console.log(bin);
    } catch {}
  " 2>/dev/null || true
}

# Runs in the background on the server's stdout: passes every line through and, once the server
# says it is ready, tells how to open the client.
announce() {
  local line url
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ $line =~ Earshot\ server\ ready:\ ([^[:space:]]+) ]]; then
      url=${BASH_REMATCH[1]}
      url=${url/\/\/0.0.0.0:/\/\/127.0.0.1:}
      if [[ -n $(electron_binary) ]]; then
        # TODO: launch the desktop app here once main/ exists.
        echo "Desktop app: Electron is installed; launching it from npm start is not wired up yet — open the web client at $url"
      else
        echo "Desktop app: Electron binary not installed here — open the web client at $url"
      fi
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
}
trap 'forward INT' INT
trap 'forward TERM' TERM

# `wait` returns early when a trapped signal arrives; keep waiting until the server has exited.
rc=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server" && rc=0 || rc=$?
done
exit "$rc"
