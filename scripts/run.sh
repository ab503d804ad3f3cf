#!/usr/bin/env bash
# Builds everything and runs logdash with demo traffic; extra arguments go to logdash.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-dashboard.sh
cargo build --release --locked -p logdash-server
exec target/release/logdash "$@"
