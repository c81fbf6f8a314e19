#!/usr/bin/env bash
# Installs what dromos needs to build (and, with --test, to test) on a
# Debian machine with rustup. Idempotent: skips what is already there.
#
#   scripts/setup.sh          build and run
#   scripts/setup.sh --test   also what the test suite needs (browser, ZooKeeper)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

command -v rustup >/dev/null || die "rustup is required: https://rustup.rs"
command -v cargo >/dev/null || die "cargo is not on PATH (rustup's ~/.cargo/bin)"

# --- Debian packages -------------------------------------------------------
packages=(pkg-config gcc curl python3 brotli)
if $want_test; then
    packages+=(chromium chromium-driver zookeeper)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    note "Debian packages present: ${packages[*]}"
fi

# --- Rust components ---------------------------------------------------------
for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || { step "rustup component add $c"; rustup component add "$c"; }
done

# --- The WASM compiler: rustup's target first, Debian's build-std second ----
if rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    note "WASM compiler: rustup target wasm32-unknown-unknown"
elif rustup target add wasm32-unknown-unknown; then
    note "WASM compiler: rustup target wasm32-unknown-unknown (just added)"
else
    step "rustup cannot add wasm32; using Debian's rustc-web with build-std"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        rustc-web cargo-web rust-web-src rust-web-llvm lld-22 >/dev/null
    note "WASM compiler: Debian rustc-web (-Zbuild-std)"
fi

# The standard library's sources let the console's WASM rebuild std for size
# (scripts/build-frontend.sh); without them it is built with std as shipped.
if rustup target list --installed | grep -q '^wasm32-unknown-unknown$' &&
    ! rustup component list --installed | grep -q '^rust-src'; then
    step "rustup component add rust-src"
    rustup component add rust-src || note "rust-src unavailable: the console's WASM uses std as shipped (about 8% larger)"
fi

# --- wasm-bindgen-cli, pinned to the crate's version in Cargo.lock ----------
wbg="$(wasm_bindgen_version)"
[ -n "$wbg" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    step "installing wasm-bindgen-cli $wbg (a few minutes, once)"
    cargo install --quiet wasm-bindgen-cli --version "$wbg" --force
else
    note "wasm-bindgen-cli $wbg present"
fi

# --- wasm-split-cli: cuts the console's WASM into per-page chunks ------------
wsplit="0.2.4"
if ! cargo install --list | grep -q "^wasm_split_cli_support v$wsplit:"; then
    step "installing wasm-split-cli $wsplit (a few minutes, once)"
    cargo install --quiet --locked wasm_split_cli_support --version "$wsplit" --features build-binary --force
else
    note "wasm-split-cli $wsplit present"
fi
