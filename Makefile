# Duebook — `make run` opens the app on demo data; `make test` runs every test.
# Both install what is missing first (scripts/install-deps.sh for Debian packages, npm ci).

SHELL := /bin/bash
CARGO ?= cargo
CORE := -p duebook-core
CLI := -p duebook-cli

.PHONY: deps run test bench lint core-test bindings-check

deps:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory ui-deps

include mk/app.mk
include mk/package.mk

run: deps app-run

test: deps lint core-test bindings-check ui-check app-build e2e package-test
	@echo "make test: all green"

# The app twice: as released, and with the end-to-end tests' seams (feature e2e-hooks).
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy -p duebook-app --all-targets --locked --features e2e-hooks -- -D warnings

# Core and CLI tests run against real services: an SMTP server (aiosmtpd, STARTTLS + AUTH) and
# a Secret Service keychain (gnome-keyring) in a private D-Bus session.
core-test:
	scripts/with-test-services.sh $(CARGO) test $(CORE) $(CLI) --locked

# ts-rs rewrites ui/src/lib/bindings during `cargo test` (core and shell types); committed
# bindings must match.
bindings-check: core-test
	$(CARGO) test -p duebook-app --locked
	@if [ -n "$$(git status --porcelain -- ui/src/lib/bindings)" ]; then \
	  git status --short -- ui/src/lib/bindings; \
	  echo "error: TypeScript bindings are stale: run 'cargo test -p duebook-core' and commit ui/src/lib/bindings"; \
	  exit 1; \
	fi

BENCH_DIR := target/bench

# Release build; generates the 100k-customer file, prints figures beside raw-SQL references,
# measures the app's cold start on that file, then rendering and sending email (against
# postfix's smtp-sink on loopback, beside a bare lettre pool and smtp-source), then the SMTP login
# with XOAUTH2 and implicit TLS against the test servers, beside bare lettre.
# Campaigns: planning 50,000 customers, `run-due` with nothing to send, a 1,000-message run.
# Backups: `duebook backup` of the 100k file beside sqlite3's .backup and VACUUM INTO.
bench: deps
	rm -rf $(BENCH_DIR) && mkdir -p $(BENCH_DIR)
	# Absolute: cargo runs a bench in its package's folder, where a relative path would land.
	DUEBOOK_BENCH_KEEP=$(abspath $(BENCH_DIR)) $(CARGO) bench --locked $(CORE) --bench figures
	scripts/bench-startup.sh $(BENCH_DIR)/bench-100000.sqlite
	DUEBOOK_APP_BIN=target/release/duebook-app scripts/bench-ui.sh $(BENCH_DIR)/bench-100000.sqlite
	scripts/bench-mail.sh
	scripts/bench-mail-auth.sh
	scripts/bench-mail-sync.sh
	scripts/bench-campaign.sh
	scripts/bench-backup.sh $(BENCH_DIR)/bench-100000.sqlite
