#!/usr/bin/env bash
# The peers benchmark in one run: builds the streamhooks example plugins if they are missing,
# the Extism guest (wasm32-unknown-unknown), then runs bench/peers (release) and prints its
# table. Its own target directory (default target/bench; set BENCH_TARGET_DIR), so it never
# waits on, or invalidates, the workspace's target/. Timings go to BENCHMARKS.md by hand.
#   PEERS_ROUNDS (10) x PEERS_PER_ROUND (1000) calls per case.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target="${BENCH_TARGET_DIR:-$root/target/bench}"

step() { printf '== %s\n' "$*" >&2; }

if [ ! -f target/plugins/examples/screen-pop/plugin.toml ]; then
  step "scripts/build-plugins.sh"
  bash scripts/build-plugins.sh
fi
if command -v rustup >/dev/null 2>&1 \
  && ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  timeout 120 rustup target add wasm32-unknown-unknown
fi

step "cargo build: the Extism guest (wasm32-unknown-unknown, release)"
cargo build --release --target wasm32-unknown-unknown \
  --manifest-path bench/peers/extism-guest/Cargo.toml --target-dir "$target/guest" \
  ${CARGO_LOCKED:+--locked}

step "cargo run: bench/peers (release)"
EXTISM_GUEST="$target/guest/wasm32-unknown-unknown/release/extism_screen_pop.wasm" \
  cargo run --release --manifest-path bench/peers/Cargo.toml --target-dir "$target" \
  ${CARGO_LOCKED:+--locked}
