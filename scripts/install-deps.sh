#!/usr/bin/env bash
# Installs what building and testing Duebook needs on Debian/Ubuntu, idempotently:
# Debian packages (non-interactive, with sudo when not root) and the npm packages from the
# committed lock file. Rust (cargo) and Node.js (npm) must already be on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build the Tauri app
  build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # run it headless, drive it through WebDriver, take screenshots
  xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick x11-apps
  fonts-dejavu-core fonts-noto-cjk
)

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required ($2)" >&2; exit 1; }; }
need cargo "install Rust from https://rustup.rs"
need npm "install Node.js 20 or newer"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.duebook-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
