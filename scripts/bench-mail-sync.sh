#!/usr/bin/env bash
# Mailbox sync benchmark (issue 17): the first sync of 10,000 messages and an incremental sync
# with nothing new, each beside a bare async-imap session giving the same IMAP commands, against
# the tests' own Dovecot (tests/servers/imap_server.py on 127.0.0.1, started by the bench);
# scripts/with-test-services.sh provides its Python and certificate.
# usage: scripts/bench-mail-sync.sh [extra cargo bench args]
# Sizes: DUEBOOK_BENCH_MAIL_SYNC_MESSAGES, _ROUNDS (see src-tauri/core/benches/mail_sync/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-test-services.sh cargo bench --locked -p duebook-core --bench mail_sync "$@"
