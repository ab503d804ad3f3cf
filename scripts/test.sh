#!/usr/bin/env bash
# Runs every test: formatting, lints, unit tests, and end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
scripts/setup.sh --browser
step "format"
cargo fmt --all -- --check
step "dashboard build"
scripts/build-dashboard.sh
step "clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p logdash-app --target wasm32-unknown-unknown -- -D warnings
step "tests"
cargo build --locked -p logdash-server
cargo test --locked --workspace
