#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, checks
# formatting and lints (server and WASM builds), builds the console and the
# binary, then runs every test: unit, property, integration against the real
# binary, SQLite, ZooKeeper and Docker where present, and the browser tests
# in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

started=$(date +%s)
export RUSTC="$(rustup which rustc)"
export RUST_BACKTRACE=1

"$ROOT/scripts/setup.sh" --test

step "cargo fmt --check"
cargo fmt --all -- --check

step "building the console (WASM)"
"$ROOT/scripts/build-frontend.sh"

step "clippy: server side (ssr)"
cargo clippy --workspace --exclude frontend --all-targets --locked -- -D warnings

step "clippy: browser side (hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown --target-dir "$ROOT/target/front" --locked -- -D warnings

step "building dromos (with the console embedded)"
cargo build -p server --bin dromos --locked

step "tests"
cargo test --workspace --exclude frontend --locked --no-fail-fast

note "screenshots of the console: $ROOT/target/e2e/"
step "all checks passed in $(( $(date +%s) - started )) s"
