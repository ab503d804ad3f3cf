#!/usr/bin/env bash
# The soak (tests/examples/soak.rs) on the release binary: ten minutes unless given
# another number of minutes. Prints a Markdown table for BENCHMARKS.md; fails if the
# server did not hold (errors, unanswered refreshes, memory or latency growing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-dashboard.sh >/dev/null
cargo build --release --locked -p logdash-server --bins
cargo build --release --locked -p logdash-e2e --example soak
LOGDASH_BIN=target/release/logdash target/release/examples/soak "${1:-10}"
