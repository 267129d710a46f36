#!/usr/bin/env bash
# Installs the Debian packages that building and testing Duebook needs, idempotently
# (non-interactive, with sudo when not root). npm packages come from `make ui-deps`.
# Rust (cargo) and Node.js (npm) must already be on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build the Tauri app
  build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # run it headless, drive it through WebDriver, take screenshots
  xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick x11-apps
  # the E2E tests read the window's title (xwininfo)
  x11-utils
  fonts-dejavu-core fonts-noto-cjk
  # mail tests (scripts/with-test-services.sh): Secret Service keychain, aiosmtpd venv, test certificate
  gnome-keyring libsecret-tools python3 python3-venv openssl
  # the IMAP test server (tests/servers/imap_server.py). A system Dovecot the package may start
  # does not matter: the tests run their own instance on free ports with its own base_dir.
  dovecot-imapd
  # statement PDF tests read the PDFs back: pdftotext, pdfinfo, pdffonts, pdftoppm
  poppler-utils
  # the package test (scripts/package-test.sh) validates what the .deb installs
  appstream desktop-file-utils
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
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

