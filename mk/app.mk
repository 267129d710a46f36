# The desktop app: UI (ui/), Tauri shell (src-tauri/), end-to-end tests (tests/e2e/).
# Included by the root Makefile. Targets:
#   ui-deps     npm ci (root package.json: Svelte/Vite, Tauri CLI, WebdriverIO, tauri-driver); skipped
#               when node_modules is newer than package-lock.json
#   ui-check    svelte-check (TypeScript + Svelte), warnings are errors
#   app-build   the test/E2E binary with the UI embedded and the test seams compiled in
#               (feature e2e-hooks): target/debug/duebook-app
#   cli-build   the `duebook` CLI the end-to-end tests use (an import from another process, a
#               100,000-customer demo file): target/debug/duebook
#   e2e         end-to-end tests against that binary under Xvfb + D-Bus; fails, never skips
#   app-run     opens the window on the demo database in the foreground (needs a display)
#   screenshot  docs/screenshot.png (light) and docs/screenshot-dark.png from the real window
#               under Xvfb

# System packages the app builds and its tests run with (the root Makefile installs them).
APP_APT_PACKAGES := libwebkit2gtk-4.1-dev build-essential curl wget file libssl-dev \
	libayatana-appindicator3-dev librsvg2-dev libxdo-dev pkg-config
E2E_APT_PACKAGES := xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick x11-utils

APP_BIN ?= target/debug/duebook-app
# `make run` opens the demo file beside the user's default database (the core's demo_db_path).
DEMO_DB ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/app.duebook.desktop/demo.sqlite
E2E_SCREEN ?= 1280x800x24

.PHONY: ui-deps ui-check app-build cli-build e2e app-run screenshot

NPM_STAMP := node_modules/.duebook-npm-ci

# --ignore-scripts: nothing here needs install scripts (tauri-driver and the Tauri CLI ship
# prebuilt binaries as optional packages), and WebdriverIO's browser-driver downloaders must not run.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20.19+ (e.g. apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

ui-deps: $(NPM_STAMP)

ui-check: ui-deps
	npm run --silent ui:check

# `tauri build` runs `npm run ui:build` first (beforeBuildCommand) and compiles with the
# custom-protocol feature, so the binary serves ui/dist instead of the dev server. Incremental: a
# few seconds when nothing changed. e2e-hooks: the DUEBOOK_TEST_* seams the end-to-end tests use
# (src-tauri/src/test_hooks.rs); release builds (scripts/bench-*.sh) are made without them.
app-build: ui-deps
	npx --no-install tauri build --debug --no-bundle --ci --features e2e-hooks

cli-build:
	$(or $(CARGO),cargo) build --locked -p duebook-cli --bin duebook

e2e: app-build cli-build
	DUEBOOK_APP_BIN=$(abspath $(APP_BIN)) SCREEN=$(E2E_SCREEN) tests/e2e/run.sh

app-run:
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the Duebook window cannot open here."; \
		echo "Run 'make run' inside a desktop session, or 'make screenshot' to see the window rendered under Xvfb."; \
		exit 1; \
	fi
	@$(MAKE) --no-print-directory app-build
	@if [ ! -s "$(DEMO_DB)" ]; then \
		echo "creating the demo database $(DEMO_DB)"; \
		cargo run --quiet -p duebook-cli --bin duebook -- demo --db "$(DEMO_DB)"; \
	fi
	$(APP_BIN) --db "$(DEMO_DB)"

# Window size 1200x800 on a screen of the same size: the picture is the window, no black margins.
screenshot: app-build
	@mkdir -p docs
	DUEBOOK_APP_BIN=$(abspath $(APP_BIN)) SCREEN=1200x800x24 tests/e2e/run.sh --screenshot docs/screenshot.png \
		--screenshot-dark docs/screenshot-dark.png
