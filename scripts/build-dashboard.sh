#!/usr/bin/env bash
# Builds the dashboard (wasm, release, optimised by wasm-opt) into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
trunk build --release --offline
