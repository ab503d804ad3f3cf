#!/usr/bin/env bash
# Proxy mode in one command: starts a real three-node Elasticsearch on loopback
# (scripts/engine.sh), daily logstash-* indices with 3 shards and 1 replica, and logdash in
# front of it (--elasticsearch) with its input sending the demo traffic on to the cluster
# (--ingest --demo). Prints the URL; Ctrl-C stops logdash and the cluster. Extra arguments
# go to logdash.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --engine
scripts/build-dashboard.sh
cargo build --release --locked -p logdash-server
trap 'scripts/engine.sh stop' EXIT
url=$(scripts/engine.sh start --nodes 3 | tail -n 1)
# Logstash's own template with 3 shards and 1 replica: logdash leaves a template of that
# name as it finds it, so the daily indices are mapped as Logstash maps them, and spread
sed 's/"number_of_shards": 1/"number_of_shards": 3, "number_of_replicas": 1/' \
  crates/store/src/logstash-template.json |
  curl -fsS -X PUT "$url/_index_template/logstash" -H 'Content-Type: application/json' \
    --data-binary @- >/dev/null
echo "Elasticsearch $url: take a node away with scripts/engine.sh node stop node-2 (and start it again)" >&2
target/release/logdash --elasticsearch "$url" --ingest --demo "$@"
