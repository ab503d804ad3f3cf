#!/usr/bin/env bash
# Benchmarks, printed as Markdown tables for BENCHMARKS.md: the dashboard's download size
# (gzip) against its budget, the proxy against nginx (and what its middleware layers
# cost per request, and the instructions it runs per request), ingest and the dashboard's queries
# on the release binary, the same against a real Elasticsearch (engine_bench), the store's own
# ingest (no TCP), then the dashboard in headless
# Chromium (first data on screen, the stream under 1,000 events/s, a pushed line to screen).
# Arguments: [EVENTS] [CONNECTIONS] (default 1000000 4).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench --browser --engine
scripts/build-dashboard.sh >/dev/null
echo "| dashboard file | bytes | gzip -9 bytes |"
echo "|---|---|---|"
# One row per file after the first argument (its name, then that argument), their gzip
# sizes summed into $sum.
sizes() {
  local suffix=$1
  shift
  sum=0
  for file in "$@"; do
    raw=$(wc -c <"$file")
    gz=$(gzip -9c "$file" | wc -c)
    sum=$((sum + gz))
    echo "| $(basename "$file")$suffix | $raw | $gz |"
  done
}
# the first download: what index.html loads; the investigation tools' module and styles
# (logdash-investigate*, investigate.css) are fetched only when they are first opened
sizes "" dist/logdash-app*.wasm dist/logdash-app*.js dist/snippets/*/*.js dist/main*.css
echo "| **first download (budget 300 KB = 307200)** | | **$sum** |"
sizes " (when first opened)" dist/logdash-investigate* dist/investigate.css
echo "| investigation tools, loaded when first opened | | $sum |"
echo
cargo build --release --locked -p logdash-server --bins --examples
target/release/examples/proxy_bench 10 32
echo
target/release/examples/layers_bench
echo
scripts/proxy_instructions.py target/release/logdash
echo
target/release/examples/bench "${1:-1000000}" "${2:-4}"
echo
# the same events and queries against a real Elasticsearch on this machine (one node; 2 GB
# of heap, as 512 MB trips its circuit breaker under this _bulk load)
trap 'scripts/engine.sh stop' EXIT
LOGDASH_ENGINE_URL=$(scripts/engine.sh start --heap 2048 | tail -n 1) target/release/examples/engine_bench "${1:-1000000}"
scripts/engine.sh stop
echo
cargo build --release --locked -p logdash-store --example ingest
target/release/examples/ingest "${1:-1000000}"
echo
cargo build --release --locked -p logdash-e2e --example spa_bench
LOGDASH_BIN=target/release/logdash target/release/examples/spa_bench "${1:-1000000}"
echo
cargo build --release --locked -p logdash-e2e --example push_bench
LOGDASH_BIN=target/release/logdash target/release/examples/push_bench
