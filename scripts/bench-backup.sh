#!/usr/bin/env bash
# Backup benchmark (issue 19): `duebook backup` (SQLite's online backup API, then a rename) on
# the 100,000-customer file, beside the sqlite3 shell's `.backup` and `VACUUM INTO` on the same
# file in the same run. Works on a copy, never on the file it is given.
# usage: scripts/bench-backup.sh DB [ROUNDS]   (DUEBOOK_BIN: the duebook binary to time, default
# the release build made here)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: scripts/bench-backup.sh DB [ROUNDS]}
[ -s "$src" ] || { echo "bench-backup: $src does not exist or is empty: run make bench (it generates it)"; exit 1; }
rounds=${2:-3}
# The reference: the sqlite3 shell (and bc for the arithmetic), installed when missing.
if ! command -v sqlite3 >/dev/null || ! command -v bc >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sqlite3 bc; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sqlite3 bc
  fi
fi
if [ -z "${DUEBOOK_BIN:-}" ]; then
  cargo build --release --locked -p duebook-cli --bin duebook
  DUEBOOK_BIN=$PWD/target/release/duebook
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src" "$work/bench.sqlite"
db=$work/bench.sqlite
out=$work/out

# Seconds, to the millisecond, of the command "$@" (after dropping the last round's output).
timed() {
  rm -rf "$out" && mkdir -p "$out"
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

best() { sort -n | head -1; }

size=$(du -m "$db" | cut -f1)
ours=$(for _ in $(seq "$rounds"); do timed "$DUEBOOK_BIN" --db "$db" backup --to "$out"; done | best)
dot=$(for _ in $(seq "$rounds"); do timed sqlite3 "$db" ".backup '$out/ref.sqlite'"; done | best)
vacuum=$(for _ in $(seq "$rounds"); do timed sqlite3 "$db" "VACUUM INTO '$out/ref.sqlite'"; done | best)
printf 'backup of the %s MB file (best of %s):\n' "$size" "$rounds"
printf '  duebook backup        %6.2f s\n' "$ours"
printf '  sqlite3 .backup       %6.2f s (reference)\n' "$dot"
printf '  sqlite3 VACUUM INTO   %6.2f s (reference)\n' "$vacuum"
