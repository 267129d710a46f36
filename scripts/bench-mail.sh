#!/usr/bin/env bash
# Mail benchmark (issue 5): renders 10,000 reminders, then sends 1,000 messages through Duebook's
# outbox to postfix smtp-sink and compares, in the same run, with a bare lettre pool of the same
# size and with postfix smtp-source (the floor). Installs postfix's test tools if missing
# (non-interactive, "No configuration": the postfix mail system itself is neither configured nor
# started), runs smtp-sink on a free 127.0.0.1 port for the run only, and stops it at the end.
# usage: scripts/bench-mail.sh [extra cargo bench args]
# DUEBOOK_BENCH_MAIL_TARGET runs another bench against the same sink (scripts/bench-campaign.sh).
# Sizes: DUEBOOK_BENCH_MAIL_CUSTOMERS, _RENDER, _SEND, _ROUNDS (see src-tauri/core/benches/mail/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bench-mail: $*" >&2; exit 1; }
command -v cargo >/dev/null 2>&1 || die "cargo is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (to find a free port)"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed"; then
  echo "bench-mail: installing postfix for its smtp-sink / smtp-source test tools"
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postfix; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postfix
  fi
fi
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
[ -x "$SINK" ] && [ -x "$SOURCE" ] || die "smtp-sink / smtp-source not found after installing postfix"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
user_opt=()
[ "$(id -u)" -ne 0 ] || user_opt=(-u nobody)   # smtp-sink refuses to run as root without -u
# Loopback only; backlog 256. It announces AUTH PLAIN LOGIN and accepts any login, like a server.
"$SINK" "${user_opt[@]}" "127.0.0.1:$port" 256 &
sink_pid=$!
stop_sink() { kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; }
trap stop_sink EXIT
python3 - "$port" <<'EOF' || die "smtp-sink did not start on 127.0.0.1:$port"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
kill -0 "$sink_pid" 2>/dev/null || die "smtp-sink exited at start"
echo "bench-mail: smtp-sink (pid $sink_pid) on 127.0.0.1:$port"

DUEBOOK_BENCH_SMTP="127.0.0.1:$port" DUEBOOK_BENCH_SMTP_SOURCE="$SOURCE" \
  cargo bench --locked -p duebook-core --bench "${DUEBOOK_BENCH_MAIL_TARGET:-mail}" "$@"
