#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (test/e2e/console-browser.test.ts) when it is missing.
# The tests drive it through puppeteer-core at /usr/bin/chromium (or CHROMIUM_PATH); nothing is downloaded by npm.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "chromium present: $browser"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing at $browser and installing it needs root: run 'apt-get install -y chromium' (Debian) or set CHROMIUM_PATH" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
"$browser" --version 2>/dev/null | head -1 || true
