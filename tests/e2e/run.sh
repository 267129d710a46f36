#!/usr/bin/env bash
# Runs tests/e2e/run.mjs (all tests, or `--screenshot FILE`) in a virtual X display with its own
# D-Bus session (with an unlocked gnome-keyring and the SMTP test server's settings, from
# scripts/with-test-services.sh), in a process group of its own that is killed at the end: WebKit and at-spi
# helpers otherwise outlive the run. Fails — never skips — when something needed is missing.
#   SCREEN=1280x800x24 tests/e2e/run.sh [--screenshot FILE]
set -uo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "e2e: $*"; echo "0 passed, 1 failed"; exit 1; }
for tool in xvfb-run dbus-run-session WebKitWebDriver import setsid node; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (make test installs: xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick)"
done
[ -x "${DUEBOOK_APP_BIN:-target/debug/duebook-app}" ] || fail "${DUEBOOK_APP_BIN:-target/debug/duebook-app} is missing: run make app-build"
[ -d node_modules/@crabnebula/tauri-driver-linux-x64-gnu ] || fail "tauri-driver is not installed: run make ui-deps (Linux x64 only)"

screen="${SCREEN:-1280x800x24}"
mkdir -p target/e2e
log=target/e2e/session.log
pgfile="$(mktemp)"
# setsid -w: a new session (and process group) whose leader writes its pid, so the whole group can
# be killed afterwards whatever is left in it. The test runner writes to fd 3 (this terminal); the
# chatter of Xvfb, D-Bus, portals and at-spi goes to $log.
exec 3>&1
setsid -w bash -c 'echo $$ > "$0"; exec xvfb-run -a -s "-screen 0 $1" scripts/with-test-services.sh sh -c '"'"'exec node tests/e2e/run.mjs "$@" >&3 2>&3'"'"' sh "${@:2}"' \
  "$pgfile" "$screen" "$@" >"$log" 2>&1 &
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
# Also when this script is interrupted or its output pipe closes.
trap 'cleanup; exit 130' INT TERM HUP PIPE
wait "$runner"
status=$?
cleanup
[ "$status" -eq 0 ] || echo "e2e: X/D-Bus session output is in $log"
exit "$status"
