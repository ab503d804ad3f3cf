#!/usr/bin/env bash
# Builds the dashboard (wasm, release, optimised by wasm-opt) into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The bundle is size-bound (300 KB gzip, BENCHMARKS.md). Panic locations (file paths,
# lines) are dead weight in it: panics abort and nobody reads them in a browser. Leaving
# them out takes rustc's -Zlocation-detail=none, an unstable flag that a stable rustc
# accepts with RUSTC_BOOTSTRAP; it saves about 5 KB gzip and changes no behaviour.
# For the same reason the standard library is rebuilt with the dashboard (cargo's
# build-std, from rustup's rust-src, which scripts/setup.sh adds) with the
# immediate-abort panic strategy: a panic traps at once, with none of the message
# formatting a panic otherwise pulls in; about 21 KB gzip (BENCHMARKS.md).
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zlocation-detail=none -Zunstable-options -Cpanic=immediate-abort"
export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
trunk build --release --offline
