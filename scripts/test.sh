#!/usr/bin/env bash
# Runs every test: formatting, lints, unit tests (Rust and Python), the deploy files'
# checks, end-to-end tests in headless Chromium against the real binary, and the scenarios
# of tests/scenarios against a real Elasticsearch (scripts/engine.sh) and the store.
set -euo pipefail
cd "$(dirname "$0")/.."
# One full run, not an edit loop: incremental caches would only add gigabytes to target/.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
scripts/setup.sh --browser --python --engine
step "format"
cargo fmt --all -- --check
step "dashboard build"
scripts/build-dashboard.sh
step "clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p logdash-app --target wasm32-unknown-unknown -- -D warnings
step "python tests (example app, deploy files)"
.venv/bin/python -m pytest -q examples/flask-app/tests deploy/tests
step "rust tests (unit, HTTP, end-to-end in Chromium; scenarios judged by a real Elasticsearch)"
cargo build --locked -p logdash-server
trap 'scripts/engine.sh stop' EXIT
LOGDASH_ENGINE_URL=$(scripts/engine.sh start --nodes 3 | tail -n 1)
export LOGDASH_ENGINE_URL LOGDASH_ENGINE_REQUIRED=1
cargo test --locked --workspace -- --skip scenarios_answer_as_the_engine_does
# alone and uncaptured, so that its count of steps matching the engine is printed
cargo test --locked -p logdash-e2e --test engine_scenarios -- --nocapture
