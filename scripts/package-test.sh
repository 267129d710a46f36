#!/usr/bin/env bash
# The .deb on this machine: packs the debug build `make app-build` made (scripts/package.sh
# --test-build: nothing is compiled again), installs it with apt-get, checks what it put where
# (CLI on the PATH, desktop entry, icons, AppStream metainfo, systemd user units left disabled),
# runs `duebook --version` and `duebook demo` from /usr/bin, starts the installed app from its
# desktop entry under Xvfb until it has painted the customer list and screenshots it, then purges
# the package and checks that nothing it installed is left under /usr.
# Refuses to run when a duebook package is installed already (it would remove it).
# Needs root or sudo (apt-get). Screenshot: target/package-test/installed.png.
#   scripts/package-test.sh [DEB]   (default: build it with scripts/package.sh --test-build)
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/package-test
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
checks=0
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
pass() { checks=$((checks + 1)); echo "package-test: ok: $*"; }

for tool in apt-get dpkg-deb appstreamcli desktop-file-validate systemd-analyze xvfb-run dbus-run-session \
  setsid import convert; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (make test installs it: scripts/install-deps.sh)"
done
dpkg-query -W -f='${Status}' duebook 2>/dev/null | grep -q "install ok installed" &&
  fail "a duebook package is installed on this machine already; remove it first (apt-get purge duebook)"

if [ $# -ge 1 ]; then
  deb=$(realpath "$1")
else
  scripts/package.sh --test-build >/dev/null
  deb=$(realpath target/debug/bundle/deb/Duebook_*_amd64.deb)
fi
rm -rf "$out" && mkdir -p "$out"
version=$(cargo pkgid --offline -p duebook-cli | sed 's/.*@//')
# The package's version is the workspace's too (tauri.conf.json carries none).
deb_version=$(dpkg-deb -f "$deb" Version)
[ "$deb_version" = "$version" ] || fail "the package is version $deb_version, the workspace's $version"

# The installed CLI and app write their settings and data under a throwaway HOME.
export HOME="$PWD/$out/home" XDG_DATA_HOME="$PWD/$out/home/data" XDG_CONFIG_HOME="$PWD/$out/home/config" \
  XDG_CACHE_HOME="$PWD/$out/home/cache"
mkdir -p -m 700 "$HOME"

# What /usr holds before: after the purge, none of the package's paths that were not there
# before may remain (only its own paths: another process may install things meanwhile).
find /usr -xdev | sort >"$out/usr-before.txt"

installed=false
cleanup() { if $installed; then $sudo apt-get purge -y -qq duebook >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$deb" \
  >"$out/apt-install.log" 2>&1 ||
  fail "apt-get install $deb failed: $(tail -5 "$out/apt-install.log")"
installed=true
pass "apt-get install $(basename "$deb") ($(du -h "$deb" | cut -f1))"

check_files() {
  local listed
  listed=$(dpkg -L duebook)
  sort <<<"$listed" >"$out/package-paths.txt"
  for path in /usr/bin/duebook /usr/bin/duebook-app /usr/share/applications/Duebook.desktop \
    /usr/share/metainfo/app.duebook.desktop.metainfo.xml \
    /usr/lib/systemd/user/duebook-run-due.service /usr/lib/systemd/user/duebook-run-due.timer; do
    grep -qx "$path" <<<"$listed" && [ -f "$path" ] || fail "$path is not installed by the package"
  done
  for size in 16 24 32 48 64 128 256 512; do
    [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/duebook-app.png" ] || fail "no ${size}x${size} icon"
  done
  [ "$(command -v duebook)" = /usr/bin/duebook ] || fail "duebook on the PATH is $(command -v duebook)"
  # Optional units: installed, enabled by nobody (the README says how).
  ! find /etc/systemd/user /usr/lib/systemd/user -path '*.wants/duebook*' 2>/dev/null | grep -q . ||
    fail "the duebook timer was enabled by the package"
  pass "files: CLI and app in /usr/bin, desktop entry, 8 icon sizes, metainfo, systemd user units (disabled)"
}

check_metadata() {
  appstreamcli validate --no-net /usr/share/metainfo/app.duebook.desktop.metainfo.xml \
    >"$out/appstream.log" 2>&1 ||
    fail "appstreamcli validate: $(cat "$out/appstream.log")"
  desktop-file-validate /usr/share/applications/Duebook.desktop >"$out/desktop-file.log" 2>&1 ||
    fail "desktop-file-validate: $(cat "$out/desktop-file.log")"
  # A private runtime directory: a test machine may have no user session.
  mkdir -p -m 700 "$out/runtime"
  XDG_RUNTIME_DIR="$PWD/$out/runtime" systemd-analyze --user verify \
    /usr/lib/systemd/user/duebook-run-due.{service,timer} >"$out/systemd.log" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$out/systemd.log")"
  pass "metainfo (appstreamcli), desktop entry (desktop-file-validate) and units (systemd-analyze) are valid"
}

check_cli() {
  local got
  got=$(/usr/bin/duebook --version)
  [ "$got" = "duebook $version" ] || fail "duebook --version printed '$got', expected 'duebook $version'"
  pass "duebook --version: $got"
  /usr/bin/duebook demo --db "$PWD/$out/demo.sqlite" >"$out/demo.log" 2>&1 ||
    fail "duebook demo: $(cat "$out/demo.log")"
  /usr/bin/duebook aging --db "$PWD/$out/demo.sqlite" --json >"$out/aging.json" ||
    fail "duebook aging on the demo file"
  grep -q '"current"' "$out/aging.json" ||
    fail "duebook aging printed no balances: $(head -c 300 "$out/aging.json")"
  pass "duebook demo --db $out/demo.sqlite, then duebook aging reads it"
}

# The app as a person starts it: the desktop entry's Exec, resolved on the PATH; waits for its
# "list-painted" mark, then screenshots the screen.
check_app() {
  local exec_line
  exec_line=$(sed -n 's/^Exec=//p' /usr/share/applications/Duebook.desktop)
  [ "$(command -v "${exec_line%% *}")" = /usr/bin/duebook-app ] || fail "the desktop entry runs '$exec_line'"
  APP_EXEC="$exec_line" DB="$PWD/$out/demo.sqlite" OUT="$PWD/$out" xvfb-run -a -s "-screen 0 1200x800x24" \
    dbus-run-session -- bash -c '
      setsid $APP_EXEC --db "$DB" 2>"$OUT/app.log" &
      app=$!
      for _ in $(seq 600); do grep -q "^list-painted" "$OUT/app.log" && break; sleep 0.1; done
      sleep 1
      import -window root "$OUT/installed.png"
      kill -- -"$app"; wait "$app"' >"$out/session.log" 2>&1 || true
  grep -q "^list-painted" "$out/app.log" ||
    fail "the installed app painted no list within 60 s: $(tail -5 "$out/app.log")"
  local colours
  colours=$(convert "$out/installed.png" -format %k info:)
  [ "$colours" -gt 200 ] || fail "the screenshot $out/installed.png looks blank ($colours colours)"
  pass "installed app painted the list after $(sed -n 's/^list-painted //p' "$out/app.log") ms;" \
    "screenshot $out/installed.png ($colours colours)"
}

check_removal() {
  $sudo apt-get purge -y -qq duebook >"$out/apt-purge.log" 2>&1 ||
    fail "apt-get purge duebook: $(tail -5 "$out/apt-purge.log")"
  installed=false
  local left
  left=$(comm -23 "$out/package-paths.txt" "$out/usr-before.txt" | while read -r path; do
    [ ! -e "$path" ] || echo "$path"
  done)
  [ -z "$left" ] || fail "left under /usr after the purge: $left"
  [ ! -e /usr/bin/duebook ] || fail "/usr/bin/duebook is still there"
  pass "apt-get purge duebook: nothing left under /usr"
}

check_files
check_metadata
check_cli
check_app
check_removal
echo "package-test: $checks checks passed"
