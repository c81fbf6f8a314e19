#!/usr/bin/env bash
# Builds dromos (console and server, release) and runs it. With no arguments
# it serves the embedded single-machine cluster on http://127.0.0.1:8080;
# any arguments are passed to `dromos` (try `scripts/run.sh --help`).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-frontend.sh"
step "building the dromos server (release)"
RUSTC="$(rustup which rustc)" cargo build --release -p server --bin dromos
step "starting dromos: open http://127.0.0.1:8080"
exec "$ROOT/target/release/dromos" "$@"
