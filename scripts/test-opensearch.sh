#!/usr/bin/env bash
# logdash in front of OpenSearch 2.19: the scenarios of tests/scenarios judged by a real
# OpenSearch (differences from the Elasticsearch-recorded answers listed in
# tests/scenarios/known-differences-opensearch.json) and the proxy's refusals in front of it.
# Not part of `make test`: Elasticsearch is the judge there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --engine
cargo build --locked -p logdash-server
trap 'scripts/engine.sh stop' EXIT
LOGDASH_ENGINE_URL=$(scripts/engine.sh start --flavor opensearch --nodes "${NODES:-1}" | tail -n 1)
export LOGDASH_ENGINE_URL LOGDASH_ENGINE_REQUIRED=1 LOGDASH_ENGINE_FLAVOR=opensearch
cargo test --locked -p logdash-e2e --test engine_scenarios -- --nocapture
cargo test --locked -p logdash-server --test proxy_real_cluster
