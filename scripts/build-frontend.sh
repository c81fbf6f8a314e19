#!/usr/bin/env bash
# Builds the console's browser side into target/site/ (pkg/dromos.js, the
# main module pkg/dromos.wasm and the lazily loaded page chunks, pkg/dromos.css,
# static assets), which the server embeds.
#
# The WASM is linked with its relocations (.cargo/config.toml), so that
# wasm-split-cli can cut it at the pages' split points (app/src/lazy_pages.rs):
# a cold load of one page fetches the main module and that page's chunks only,
# packed into one bundle per page (pkg/pages/<page>.bundle) that the
# server-rendered page preloads.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

site="$ROOT/target/site"
out="$site/pkg"
front="$ROOT/target/front"

# With rustup's target and its standard library sources (rust-src), std is
# rebuilt for the console with the smallest panic and formatting code:
# panics abort without a message and without a source location, and
# `{:?}` prints nothing (the console shows no Debug output). The cold load
# of a page is about 8% smaller. DROMOS_WASM_PANIC_MESSAGES=1 builds with
# panic messages in the browser console instead, as does a compiler that
# refuses these options.
small_flags="-Clink-args=--emit-relocs -Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort"
wasm=""
if rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    if [ "${DROMOS_WASM_PANIC_MESSAGES:-0}" != 1 ] &&
        rustup component list --installed | grep -q '^rust-src'; then
        step "building the WASM console (rustup target, std rebuilt for size)"
        if RUSTC="$(rustup which rustc)" RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$small_flags" \
            cargo build -p frontend --lib --target wasm32-unknown-unknown \
            --profile wasm-release -Zbuild-std=std,panic_abort --target-dir "$front-small"; then
            wasm="$front-small/wasm32-unknown-unknown/wasm-release/frontend.wasm"
        else
            note "the size-optimised build failed; building with the standard library as shipped"
        fi
    fi
    if [ -z "$wasm" ]; then
        step "building the WASM console (rustup target)"
        RUSTC="$(rustup which rustc)" \
            cargo build -p frontend --lib --target wasm32-unknown-unknown \
            --profile wasm-release --target-dir "$front"
    fi
else
    step "building the WASM console (Debian rustc-web, -Zbuild-std)"
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build \
        -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
        -Zbuild-std=std,panic_abort --target-dir "$front"
fi
[ -n "$wasm" ] || wasm="$front/wasm32-unknown-unknown/wasm-release/frontend.wasm"

step "wasm-split-cli: one chunk per page"
split="$front/split"
rm -rf "$split" "$out"
mkdir -p "$split" "$out"
wasm-split-cli --target web --out-name dromos \
    "$wasm" "$split" >/dev/null
# The chunks go out as they are, minus their function names.
mv "$split"/__wasm_split.js "$out/"
for chunk in "$split"/*.wasm; do
    [ "$(basename "$chunk")" = dromos.wasm ] || mv "$chunk" "$out/"
done
# DROMOS_WASM_NAMES=1 keeps the function names everywhere, for profiling
# the console in a browser (each module is then several times larger).
names="--remove-name-section"
if [ "${DROMOS_WASM_NAMES:-0}" = 1 ]; then
    names=""
    note "keeping the function names (DROMOS_WASM_NAMES=1)"
else
    note "$("$ROOT/scripts/wasm-strip-names.py" "$out"/*.wasm)"
fi
# Which files each page needs, packed into one bundle per page that the
# server-rendered page preloads (the loader takes its chunks from there).
"$ROOT/scripts/wasm-split-manifest.py" "$out/__wasm_split.js" > "$out/split-manifest.json"
bundled=$("$ROOT/scripts/wasm-bundle.py" "$out")
note "$bundled"

step "wasm-bindgen"
wasm-bindgen --target web --no-typescript $names --remove-producers-section \
    --keep-lld-exports --no-demangle --out-dir "$out" --out-name dromos "$split/dromos.wasm"
# leptos requests /pkg/dromos.wasm; wasm-bindgen writes dromos_bg.wasm.
mv -f "$out/dromos_bg.wasm" "$out/dromos.wasm"
sed -i 's/dromos_bg\.wasm/dromos.wasm/g' "$out/dromos.js"
patched=$("$ROOT/scripts/wasm-bundle.py" --patch-init "$out/dromos.js")
note "$patched"

cp "$ROOT/style/main.css" "$out/dromos.css"
cp -r "$ROOT/public/." "$site/"

# Brotli copies (quality 11), sent as they are to browsers that accept them
# (server/src/http/assets.rs); without the tool the server compresses on the fly.
if command -v brotli >/dev/null; then
    step "brotli copies of the console's files"
    find "$out" -type f \( -name '*.wasm' -o -name '*.bundle' -o -name '*.js' -o -name '*.css' \) -print0 |
        xargs -0 -n 16 -P 2 brotli -q 11 -f -k
else
    note "brotli not installed: the server will compress the console's files on the fly"
fi

raw=$(stat -c %s "$out/dromos.wasm")
gz=$(gzip -9 -c "$out/dromos.wasm" | wc -c)
chunks=$(find "$out" -name '*.wasm' ! -name dromos.wasm | wc -l)
chunk_bytes=$(find "$out" -name '*.wasm' ! -name dromos.wasm -printf '%s\n' | awk '{s+=$1} END {print s+0}')
all_br=$(find "$out" -name '*.wasm.br' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
note "console: dromos.wasm ${raw} bytes raw, ${gz} bytes gzip; ${chunks} lazily loaded chunks, ${chunk_bytes} bytes raw; all WASM ${all_br} bytes brotli"
