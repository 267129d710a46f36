#!/usr/bin/env bash
# Runs a command with the real services Duebook's tests need, set up idempotently:
#   - a Python venv with aiosmtpd (target/test-services/venv) for the SMTP test server,
#   - a TLS certificate for localhost / 127.0.0.1 (target/test-services/tls),
#   - a private D-Bus session with gnome-keyring's Secret Service, unlocked.
# Usage: scripts/with-test-services.sh cargo test -p duebook-core -p duebook-cli
# The tests read DUEBOOK_TEST_PYTHON, DUEBOOK_TEST_SMTP_SCRIPT, DUEBOOK_TEST_OAUTH_SCRIPT,
# DUEBOOK_TEST_IMAP_SCRIPT (Dovecot, from scripts/install-deps.sh),
# DUEBOOK_TEST_BROWSER (a $BROWSER that follows the sign-in's redirects), DUEBOOK_TEST_CERT and
# DUEBOOK_TEST_KEY; without them (or without a keychain) they fail rather than skip.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${DUEBOOK_TEST_SERVICES_DIR:-$ROOT/target/test-services}"
AIOSMTPD_VERSION="1.4.6"

die() { echo "with-test-services: $*" >&2; exit 1; }

if [ "${1:-}" = "--inside-session" ]; then
  shift
  # Inside dbus-run-session: start an unlocked keyring with its files in a throwaway directory.
  keyring_home="$(mktemp -d "${TMPDIR:-/tmp}/duebook-keyring.XXXXXX")"
  printf 'duebook-test' | XDG_DATA_HOME="$keyring_home" XDG_RUNTIME_DIR="$keyring_home" \
    gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  keyring_pid=$!
  cleanup() { kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; rm -rf "$keyring_home"; }
  trap cleanup EXIT
  for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then
      break
    fi
    kill -0 "$keyring_pid" 2>/dev/null || die "gnome-keyring-daemon exited at start"
    sleep 0.1
  done
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true \
    || die "the Secret Service did not come up"
  export DUEBOOK_TEST_KEYRING=1
  set +e
  "$@"
  status=$?
  set -e
  exit "$status"
fi

[ $# -gt 0 ] || die "usage: scripts/with-test-services.sh COMMAND [ARGS...]"
for tool in python3 openssl dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/install-deps.sh"
done
mkdir -p "$STATE"

# Python venv with aiosmtpd.
VENV="$STATE/venv"
if ! "$VENV/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" \
    || die "pip could not install aiosmtpd"
fi

# A server certificate for localhost that rustls accepts (CA:FALSE, SANs), valid 30 days.
TLS="$STATE/tls"
mkdir -p "$TLS"
if ! openssl x509 -in "$TLS/cert.pem" -noout -checkend 86400 >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/key.pem" -out "$TLS/cert.pem" -days 30 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -addext basicConstraints=critical,CA:FALSE >/dev/null 2>&1 || die "openssl could not make a certificate"
fi

export DUEBOOK_TEST_PYTHON="$VENV/bin/python"
export DUEBOOK_TEST_SMTP_SCRIPT="$ROOT/tests/servers/smtp_server.py"
export DUEBOOK_TEST_OAUTH_SCRIPT="$ROOT/tests/servers/oauth_server.py"
export DUEBOOK_TEST_IMAP_SCRIPT="$ROOT/tests/servers/imap_server.py"
export DUEBOOK_TEST_BROWSER="$VENV/bin/python $ROOT/tests/servers/browser.py"
export DUEBOOK_TEST_CERT="$TLS/cert.pem"
export DUEBOOK_TEST_KEY="$TLS/key.pem"

exec dbus-run-session -- "$0" --inside-session "$@"
