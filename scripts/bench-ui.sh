#!/usr/bin/env bash
# The customer-screen benchmark of issue 4 on a big database: tests/e2e/bench.mjs drives the
# release app (target/release/duebook-app, built by scripts/bench-startup.sh or here) through
# WebDriver in a virtual X display with its own D-Bus session, in a process group of its own that
# is killed at the end (WebKit helpers otherwise outlive the run). The database is copied first.
# usage: scripts/bench-ui.sh DB_PATH
set -uo pipefail
cd "$(dirname "$0")/.."
db=$(realpath "$1")

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
pgfile="$(mktemp)"
exec 3>&1
setsid -w bash -c 'echo $$ > "$0"; exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '"'"'exec node tests/e2e/bench.mjs "$1" >&3 2>&3'"'"' sh "$1"' \
  "$pgfile" "$db" >"$log" 2>&1 &
runner=$!

cleanup() {
  local pg
  pg="$(cat "$pgfile" 2>/dev/null)"
  rm -f "$pgfile"
  if [ -n "$pg" ]; then
    kill -TERM -- "-$pg" 2>/dev/null && sleep 0.5
    kill -KILL -- "-$pg" 2>/dev/null
  fi
  return 0
}
trap 'cleanup; exit 130' INT TERM HUP PIPE
wait "$runner"
status=$?
cleanup
[ "$status" -eq 0 ] || echo "bench-ui: X/D-Bus session output is in $log"
exit "$status"
