#!/usr/bin/env bash
# Builds the console's browser side into target/site/ (pkg/dromos.js,
# pkg/dromos.wasm, pkg/dromos.css, static assets), which the server embeds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

site="$ROOT/target/site"
out="$site/pkg"
mkdir -p "$out"

if rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    step "building the WASM console (rustup target)"
    RUSTC="$(rustup which rustc)" cargo build -p frontend --lib --target wasm32-unknown-unknown \
        --profile wasm-release --target-dir "$ROOT/target/front"
else
    step "building the WASM console (Debian rustc-web, -Zbuild-std)"
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build \
        -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
        -Zbuild-std=std,panic_abort --target-dir "$ROOT/target/front"
fi

step "wasm-bindgen"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$out" --out-name dromos \
    "$ROOT/target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
# leptos requests /pkg/dromos.wasm; wasm-bindgen writes dromos_bg.wasm.
mv -f "$out/dromos_bg.wasm" "$out/dromos.wasm"
sed -i 's/dromos_bg\.wasm/dromos.wasm/g' "$out/dromos.js"

cp "$ROOT/style/main.css" "$out/dromos.css"
cp -r "$ROOT/public/." "$site/"

raw=$(stat -c %s "$out/dromos.wasm")
gz=$(gzip -9 -c "$out/dromos.wasm" | wc -c)
note "console: dromos.wasm ${raw} bytes raw, ${gz} bytes gzip"
