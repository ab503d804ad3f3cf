#!/usr/bin/env bash
# Runs every test: formatting, lints, unit tests (Rust and Python), the deploy files'
# checks, and end-to-end tests in headless Chromium against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
scripts/setup.sh --browser --python
step "format"
cargo fmt --all -- --check
step "dashboard build"
scripts/build-dashboard.sh
step "clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p logdash-app --target wasm32-unknown-unknown -- -D warnings
step "python tests (example app, deploy files)"
.venv/bin/python -m pytest -q examples/flask-app/tests deploy/tests
step "rust tests (unit, HTTP, end-to-end in Chromium)"
cargo build --locked -p logdash-server
cargo test --locked --workspace
