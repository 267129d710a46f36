# Linux packages (Tauri's bundler; what goes where: src-tauri/tauri.conf.json `bundle`).
# Included by the root Makefile. Targets:
#   package       release .deb and .rpm: target/release/bundle/{deb,rpm}/ (scripts/package.sh)
#   package-test  packs the debug build the end-to-end tests already use into a .deb, installs it
#                 with apt-get, runs the installed CLI and app (screenshot under Xvfb), removes it
#                 and checks nothing is left under /usr (scripts/package-test.sh; needs root or sudo)
# AppImage, .msi and .dmg: .github/workflows/release.yml.

.PHONY: package package-test

package: deps
	scripts/package.sh

package-test: app-build cli-build
	scripts/package-test.sh
