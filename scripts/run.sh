#!/usr/bin/env bash
# Builds everything and runs logdash with demo traffic (--demo); extra arguments go to
# logdash, e.g. scripts/run.sh --listen 127.0.0.1:8081.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-dashboard.sh
cargo build --release --locked -p logdash-server
exec target/release/logdash --demo "$@"
