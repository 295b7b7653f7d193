#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing and this machine allows it.
# Never downloads a browser build of its own (no `playwright install`).
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium; browser tests will fail under CI=true and skip elsewhere."
else
  echo "chromium is missing and cannot be installed here (needs root and apt-get); browser tests will skip unless CI=true."
fi
exit 0
