#!/usr/bin/env bash
# The customer-screen benchmark of issue 4 on a big database: tests/e2e/bench.mjs drives the
# release app (target/release/duebook-app, built by scripts/bench-startup.sh or here) through
# WebDriver in a virtual X display with its own D-Bus session, in a process group of its own that
# is killed at the end (WebKit helpers otherwise outlive the run). The database is copied first.
# With `reports`, tests/e2e/bench-reports.mjs times the Reports tab's paint instead (issue 18).
# usage: scripts/bench-ui.sh DB_PATH [reports]
set -uo pipefail
cd "$(dirname "$0")/.."
# A missing file would be opened as a new, empty database and measured as such.
[ -s "$1" ] || { echo "bench-ui: $1 does not exist or is empty: run make bench (it generates it)"; exit 1; }
db=$(realpath "$1")
bench=tests/e2e/bench.mjs
[ "${2:-}" = reports ] && bench=tests/e2e/bench-reports.mjs

fail() { echo "bench-ui: $*"; exit 1; }
for tool in xvfb-run dbus-run-session WebKitWebDriver setsid node; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (make test installs it)"
done
[ -d node_modules/@crabnebula/tauri-driver-linux-x64-gnu ] || fail "tauri-driver is not installed: run make ui-deps"
if [ -z "${DUEBOOK_APP_BIN:-}" ]; then
  npx --no-install tauri build --no-bundle --ci >/dev/null || fail "the release build failed"
  export DUEBOOK_APP_BIN=target/release/duebook-app
fi

mkdir -p target/e2e
log=target/bench-ui.log
scripts/in-virtual-display.sh "$log" 1280x800x24 dbus-run-session -- "$bench" "$db"
status=$?
[ "$status" -eq 0 ] || echo "bench-ui: X/D-Bus session output is in $log"
exit "$status"
