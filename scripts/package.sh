#!/usr/bin/env bash
# Builds the Linux packages of the app with Tauri's bundler: a .deb and an .rpm holding the app
# (/usr/bin/duebook-app), the `duebook` CLI (/usr/bin/duebook), the desktop entry, icons, the
# AppStream metainfo and the systemd user timer (installed disabled). What goes where is
# src-tauri/tauri.conf.json `bundle`; the CLI is staged at target/package/duebook for it.
#   scripts/package.sh              release build: target/release/bundle/{deb,rpm}/
#   scripts/package.sh --test-build the debug build `make app-build` already made (with the
#                                   end-to-end seams), .deb only: target/debug/bundle/deb/, for
#                                   scripts/package-test.sh. `tauri bundle` packs that binary as
#                                   it is: `tauri build` would rebuild ui/dist and so recompile
#                                   the app, and would patch the binary in place
# AppImage, .msi and .dmg are built by .github/workflows/release.yml.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
tauri_args=(build --bundles deb,rpm)
cargo_args=(--release)
if [ "${1:-}" = "--test-build" ]; then
  profile=debug
  tauri_args=(bundle --debug --no-binary-patching --bundles deb)
  cargo_args=()
  [ -x target/debug/duebook-app ] || { echo "target/debug/duebook-app is missing: run make app-build" >&2; exit 1; }
fi

cargo build --locked "${cargo_args[@]}" -p duebook-cli --bin duebook
mkdir -p target/package
cp "target/$profile/duebook" target/package/duebook
npx --no-install tauri "${tauri_args[@]}" --ci
ls -l target/$profile/bundle/*/*.{deb,rpm} 2>/dev/null || true
