#!/usr/bin/env bash
# The `ui` benchmark of the web console: builds the console's WASM and a
# release dromos, then runs `cargo bench -p end2end --bench ui` (headless
# Chromium through chromedriver; a few minutes). The last line of its output
# is `ui: wasm_brotli_kb=… tti_ms=… ratio_tti=… long_tasks=… event_to_paint_p95_ms=…`.
# Set SKIP_BUILD=1 to reuse what is built; UI_BENCH_RUNS and
# UI_BENCH_STREAM_SECS change the number of cold loads and the streaming time.
# The workload is 1,000 apps of 10 simulated instances (10,000 tasks, running
# about 7 s after they are submitted); UI_BENCH_INSTANCES=1 runs the same
# 1,000 apps with one task each.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export RUSTC="$(rustup which rustc)"

command -v chromedriver >/dev/null || die "chromedriver not found: run scripts/setup.sh --test (Debian's chromium and chromium-driver)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    "$ROOT/scripts/build-frontend.sh"
    step "building dromos (release, with the console embedded)"
    cargo build --release -p server --bin dromos --locked
fi

step "ui benchmark"
DROMOS_BIN="$ROOT/target/release/dromos" cargo bench -p end2end --bench ui --locked
