#!/usr/bin/env bash
# Runs `node SCRIPT ARGS...` in a virtual X display inside SESSION (what sets up D-Bus: e.g.
# `dbus-run-session --` or `scripts/with-test-services.sh`), in a process group of its own that
# is killed at the end whatever is left in it: WebKit and at-spi helpers otherwise outlive the
# run. The script's output goes to this terminal; the chatter of Xvfb, D-Bus, portals and at-spi
# goes to LOG. Exits with the script's status.
# usage: scripts/in-virtual-display.sh LOG SCREEN SESSION... -- SCRIPT [ARGS...]
set -uo pipefail
log=$1
screen=$2
shift 2
session=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  session+=("$1")
  shift
done
shift

pgfile="$(mktemp)"
# setsid -w: a new session (and process group) whose leader writes its pid for the cleanup.
exec 3>&1
setsid -w bash -c 'pgfile=$1 screen=$2; shift 2; echo $$ > "$pgfile"; exec xvfb-run -a -s "-screen 0 $screen" "$@"' \
  bash "$pgfile" "$screen" "${session[@]}" sh -c 'exec node "$@" >&3 2>&3' sh "$@" >"$log" 2>&1 &
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
exit "$status"
