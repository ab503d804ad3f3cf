#!/usr/bin/env bash
# Runs each fuzz target (fuzz/targets, what they run in fuzz/src) for a bounded time:
# the Lucene parser, the link decoder, the /es/ request check, the query DSL and the
# _bulk reader. Arguments: [SECONDS per target] [TARGET...] (default 60, all of them).
# A crash stops the run and names its input (fuzz/targets/artifacts/); once fixed, copy
# that input into fuzz/corpus/<target>/, where the test command replays it for good.
# cargo-fuzz drives libFuzzer with flags a stable rustc accepts under RUSTC_BOOTSTRAP;
# the sanitizer is off (the code is safe Rust: what is looked for is panics).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --fuzz
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(lucene view_link es_request query_dsl bulk)
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir fuzz/targets --sanitizer none --release
for target in "${targets[@]}"; do
  # new inputs go to a scratch folder: the committed corpus stays the seeds
  scratch=$(mktemp -d)
  dict=()
  [ -f "fuzz/dicts/$target.dict" ] && dict=("-dict=fuzz/dicts/$target.dict")
  echo "fuzz: $target for ${seconds}s"
  cargo fuzz run --fuzz-dir fuzz/targets --sanitizer none --release "$target" \
    "$scratch" "fuzz/corpus/$target" -- -max_total_time="$seconds" -max_len=4096 "${dict[@]}"
  rm -rf "$scratch"
done
