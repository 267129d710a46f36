#!/usr/bin/env bash
# Sign-in and TLS benchmark (issue 16): sends the same messages through Duebook's SmtpMailer with
# a password over STARTTLS, with XOAUTH2 (a token from the OAuth2 test server, checked by the SMTP
# server) and with a password over implicit TLS, beside a bare lettre pool over STARTTLS and over
# implicit TLS, round by round. The servers are the tests' own (tests/servers/smtp_server.py and
# oauth_server.py on 127.0.0.1), started by the bench; scripts/with-test-services.sh provides
# their venv and certificate.
# usage: scripts/bench-mail-auth.sh [extra cargo bench args]
# Sizes: DUEBOOK_BENCH_MAIL_AUTH_SEND, _ROUNDS (see src-tauri/core/benches/mail_auth/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-test-services.sh cargo bench --locked -p duebook-core --bench mail_auth "$@"
