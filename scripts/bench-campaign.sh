#!/usr/bin/env bash
# Campaign benchmark (issue 7): plans a campaign over 50,000 customers, times `duebook run-due`
# with nothing to send as a process of the release binary, and runs a 1,000-message campaign
# against postfix smtp-sink beside smtp-source. smtp-sink is started (and stopped) by
# scripts/bench-mail.sh, which runs the `campaign` bench instead of `mail` here.
# usage: scripts/bench-campaign.sh [extra cargo bench args]
# Sizes: DUEBOOK_BENCH_CAMPAIGN_CUSTOMERS, _SEND, _ROUNDS (see src-tauri/core/benches/campaign.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p duebook-cli --bin duebook
DUEBOOK_BENCH_DUEBOOK="$PWD/target/release/duebook" DUEBOOK_BENCH_MAIL_TARGET=campaign \
  scripts/bench-mail.sh "$@"
