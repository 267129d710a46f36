#!/usr/bin/env bash
# Runs tests/e2e/run.mjs (all tests, or `--screenshot FILE`) in a virtual X display with its own
# D-Bus session (with an unlocked gnome-keyring and the SMTP test server's settings, from
# scripts/with-test-services.sh), in a process group of its own that is killed at the end: WebKit and at-spi
# helpers otherwise outlive the run. Fails — never skips — when something needed is missing.
#   SCREEN=1280x800x24 tests/e2e/run.sh [--screenshot FILE]
set -uo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "e2e: $*"; echo "0 passed, 1 failed"; exit 1; }
for tool in xvfb-run dbus-run-session WebKitWebDriver import xwininfo setsid node; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (make test installs: xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick x11-utils)"
done
[ -x "${DUEBOOK_APP_BIN:-target/debug/duebook-app}" ] || fail "${DUEBOOK_APP_BIN:-target/debug/duebook-app} is missing: run make app-build"
[ -d node_modules/@crabnebula/tauri-driver-linux-x64-gnu ] || fail "tauri-driver is not installed: run make ui-deps (Linux x64 only)"

screen="${SCREEN:-1280x800x24}"
mkdir -p target/e2e
log=target/e2e/session.log
scripts/in-virtual-display.sh "$log" "$screen" scripts/with-test-services.sh -- tests/e2e/run.mjs "$@"
status=$?
[ "$status" -eq 0 ] || echo "e2e: X/D-Bus session output is in $log"
exit "$status"
