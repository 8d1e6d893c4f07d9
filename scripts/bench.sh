#!/usr/bin/env bash
# Every benchmark in BENCHMARKS.md, one after the other (timings are never pass/fail: copy the
# tables into BENCHMARKS.md by hand, with the machine and the load). Ratios are taken within
# each benchmark's own run. Takes a while: release builds with thin LTO, and bench/peers is its
# own workspace (Extism and a second wasmtime) in target/bench.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "plugins and release function binaries"
bash scripts/build-plugins.sh --all
cargo build --release --locked -p streamhooks-ingest-http -p streamhooks-contact-events -p streamhooks-agent-events

step "engine: instantiate + call per event, p50/p99, 1 and 5 plugins"
cargo bench --locked -p streamhooks-tests --bench engine
step "decode throughput per source format"
cargo bench --locked -p streamhooks-tests --bench decode
step "executor at Amazon Connect's 2 requests/s quota (local stand-in)"
cargo bench --locked -p streamhooks-tests --bench executor
step "memory per pooled instance (Rust, JavaScript, Python)"
cargo bench --locked -p streamhooks-tests --bench memory
step "cold start and resident memory of each function binary"
COLD_START_RUNS="${COLD_START_RUNS:-20}" cargo bench --locked -p streamhooks-tests --bench cold_start
step "baselines: native, naive wasmtime, Extism (bench/peers)"
CARGO_LOCKED=1 bash bench/peers/run.sh
