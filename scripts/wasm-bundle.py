#!/usr/bin/env python3
"""Packs each page's WebAssembly chunks into one file, `pages/<page>.bundle`.

A cold load of a page needs its page chunk and every shared chunk it uses
(about 70 small files for the services list). Fetched one by one they are
compressed one by one, and the code the chunks have in common is sent over
and over: brotli over the whole set is about a quarter smaller, and one
request replaces seventy. The server-rendered page preloads its bundle, and
a script in its head (app/src/early_compile.js) compiles the chunks in it
while the page is parsed; the loader (`__wasm_split.js`, patched by
`patch_loader` below) instantiates those and fetches any other chunk on its
own, as after a navigation to another page.

    scripts/wasm-bundle.py target/site/pkg
    scripts/wasm-bundle.py --patch-init target/site/pkg/dromos.js

The second form makes wasm-bindgen's loader take the main module that the
same script compiles.

reads `split-manifest.json` (scripts/wasm-split-manifest.py) and writes the
bundles next to it. Format, little-endian:

    b"DRB1"  u32 count
    count × (u16 name length, name (UTF-8), u32 size)
    the chunks' bytes, in the same order
"""
import json
import os
import struct
import sys

MAGIC = b"DRB1"
# Loader calls look like `fetch(new URL("./chunk_12.wasm", import.meta.url))`
# and instantiate what they fetched with INSTANTIATE.
FETCH = "fetch(new URL("
INSTANTIATE = "WebAssembly.instantiateStreaming(src, imports)"
# wasm-bindgen's loader (dromos.js) turns a URL into a fetch here; patched
# to take the module the page's head compiles (`--patch-init`).
INIT_FETCH = """    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }
"""
INIT_EARLY = """    if (globalThis.__dromosMain) {
        const url = module_or_path;
        module_or_path = globalThis.__dromosMain.catch(() => fetch(url));
    } else
"""
SHIM = """// dromos: a page's chunks come compiled from its bundle, which the page's
// head started compiling (app/src/early_compile.js); others are fetched.
const __bundle = globalThis.__dromosBundle || null;
function __bundledFetch(url) {
    const name = url.pathname.split('/').pop();
    if (!__bundle || !__bundle.names.has(name)) return fetch(url);
    return __bundle.parts.then((modules) => modules.get(name)).catch(() => fetch(url));
}
function __instantiate(source, imports) {
    return Promise.resolve(source).then((module) =>
        module instanceof WebAssembly.Module
            ? WebAssembly.instantiate(module, imports).then((instance) => ({ instance, module }))
            : WebAssembly.instantiateStreaming(module, imports));
}
"""


def pack(pkg, files):
    header = bytearray(MAGIC + struct.pack("<I", len(files)))
    body = bytearray()
    for name in files:
        with open(os.path.join(pkg, name), "rb") as f:
            data = f.read()
        encoded = name.encode()
        header += struct.pack("<H", len(encoded)) + encoded + struct.pack("<I", len(data))
        body += data
    return bytes(header + body)


def patch_loader(path):
    with open(path, encoding="utf-8") as f:
        loader = f.read()
    calls = loader.count(FETCH)
    if calls == 0 or loader.count(INSTANTIATE) != calls:
        sys.exit(f"{path}: {calls} chunk fetches, {loader.count(INSTANTIATE)} instantiations (has the loader's format changed?)")
    loader = loader.replace(FETCH, "__bundledFetch(new URL(").replace(INSTANTIATE, "__instantiate(src, imports)")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SHIM + loader)
    return calls


def patch_init(path):
    """Makes wasm-bindgen's loader take the main module the head compiles."""
    with open(path, encoding="utf-8") as f:
        init = f.read()
    if init.count(INIT_FETCH) != 1:
        sys.exit(f"{path}: wasm-bindgen's fetch of the module not found (has its format changed?)")
    with open(path, "w", encoding="utf-8") as f:
        f.write(init.replace(INIT_FETCH, INIT_EARLY + INIT_FETCH.lstrip()))


if __name__ == "__main__":
    if sys.argv[1] == "--patch-init":
        patch_init(sys.argv[2])
        print(f"{sys.argv[2]}: takes the main module the page's head compiles")
        sys.exit(0)
    pkg = sys.argv[1]
    with open(os.path.join(pkg, "split-manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    os.makedirs(os.path.join(pkg, "pages"), exist_ok=True)
    for page, files in manifest.items():
        with open(os.path.join(pkg, "pages", f"{page}.bundle"), "wb") as f:
            f.write(pack(pkg, files))
    calls = patch_loader(os.path.join(pkg, "__wasm_split.js"))
    print(f"bundled the chunks of {len(manifest)} pages; {calls} chunk fetches go through the bundles")
