#!/usr/bin/env bash
# Re-records the expected answers of tests/scenarios/*.json from a real Elasticsearch
# (scripts/engine.sh): each step keeps the parts of the answer it checked, with the engine's
# values; a step whose "expect" is null gets the engine's whole answer but its volatile parts.
# Then the store is judged against them as `make test` does; review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --engine
cargo build --locked -p logdash-server
trap 'scripts/engine.sh stop' EXIT
LOGDASH_ENGINE_URL=$(scripts/engine.sh start | tail -n 1)
export LOGDASH_ENGINE_URL LOGDASH_RECORD=1
cargo test --locked -p logdash-e2e --test engine_scenarios -- --nocapture
