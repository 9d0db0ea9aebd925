#!/bin/sh
# Chromium inside a network namespace, for Playwright (tests/helpers/netns.ts,
# launchChromiumInNamespace). Playwright starts this as the browser executable and talks to
# the browser over inherited pipes (fds 3 and 4), which survive both execs below.
#
#   EARSHOT_NETNS     namespace to run in (required)
#   EARSHOT_CHROMIUM  browser binary (default /usr/bin/chromium)
set -eu
if [ -z "${EARSHOT_NETNS:-}" ]; then
  echo "netnsChromium.sh: EARSHOT_NETNS is not set" >&2
  exit 64
fi
exec ip netns exec "$EARSHOT_NETNS" "${EARSHOT_CHROMIUM:-/usr/bin/chromium}" "$@"
