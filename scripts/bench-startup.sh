#!/usr/bin/env bash
# App cold start on a big database: launches the release app under Xvfb several times and reads
# the "list-painted <ms since process start>" mark the shell prints when the UI has painted the
# customer list; then the memory of the app and its WebKit processes after browsing.
# usage: scripts/bench-startup.sh DB_PATH [RUNS]
#   DUEBOOK_APP_BIN=/usr/bin/duebook-app ...: that binary (e.g. the installed package) instead of a
#   fresh release build
set -euo pipefail
cd "$(dirname "$0")/.."
# A missing file would be opened as a new, empty database and measured as such.
[ -s "$1" ] || { echo "bench-startup: $1 does not exist or is empty: run make bench (it generates it)"; exit 1; }
db=$(realpath "$1")
runs=${2:-5}

if [ -z "${DUEBOOK_APP_BIN:-}" ]; then
  npx --no-install tauri build --no-bundle --ci >/dev/null
  DUEBOOK_APP_BIN=target/release/duebook-app
fi
app=$(realpath "$DUEBOOK_APP_BIN")

export DB="$db" APP="$app" RUNS="$runs"
# X, D-Bus and portal chatter goes to a log; the figures go to stdout.
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  sandbox=$(mktemp -d)
  export HOME=$sandbox XDG_DATA_HOME=$sandbox/data XDG_CONFIG_HOME=$sandbox/config XDG_CACHE_HOME=$sandbox/cache
  descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
  for run in $(seq "$RUNS"); do
    log=$sandbox/run$run.log
    setsid "$APP" --db "$DB" 2>"$log" &
    pid=$!
    for _ in $(seq 300); do grep -q "^list-painted" "$log" && break; sleep 0.1; done
    mark=$(grep -m1 "^list-painted" "$log" || echo "list-painted ? (no mark within 30 s)")
    echo "run $run: ${mark#list-painted } ms from process start to painted list"
    if [ "$run" = "$RUNS" ]; then
      sleep 2
      rss=0 pss=0
      for p in $pid $(descendants $pid); do
        r=$(awk "/^Rss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
        s=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
        rss=$((rss + r)) pss=$((pss + s))
      done
      echo "memory after start (app + WebKit processes): $((pss / 1024)) MB PSS ($((rss / 1024)) MB RSS, shared pages counted in each)"
    fi
    kill -- -"$pid" 2>/dev/null || kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$sandbox"
' 2>target/bench-startup.log
