#!/usr/bin/env python3
"""Packs each page's WebAssembly chunks into one file, `pages/<page>.bundle`.

A cold load of a page needs its page chunk and every shared chunk it uses
(about 70 small files for the services list). Fetched one by one they are
compressed one by one, and the code the chunks have in common is sent over
and over: brotli over the whole set is about a quarter smaller, and one
request replaces seventy. The server-rendered page preloads its bundle; the
loader (`__wasm_split.js`, patched by `patch_loader` below) takes the chunks
it holds from it and fetches any other chunk on its own, as after a
navigation to another page.

    scripts/wasm-bundle.py target/site/pkg

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
# Loader calls look like `fetch(new URL("./chunk_12.wasm", import.meta.url))`.
FETCH = "fetch(new URL("
SHIM = """// dromos: chunks come from the page's bundle when it holds them (scripts/wasm-bundle.py).
const __bundle = (() => {
    const link = document.querySelector('link[data-wasm-bundle]');
    if (!link) return null;
    const names = new Set(link.dataset.wasmBundle.split(' '));
    const parts = fetch(link.href, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`bundle: ${r.status}`))))
        .then((buffer) => {
            const view = new DataView(buffer);
            const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
            if (magic !== 'DRB1') throw new Error('bundle: not a dromos bundle');
            const count = view.getUint32(4, true);
            const entries = [];
            let at = 8;
            for (let i = 0; i < count; i++) {
                const length = view.getUint16(at, true);
                const name = new TextDecoder().decode(new Uint8Array(buffer, at + 2, length));
                entries.push([name, view.getUint32(at + 2 + length, true)]);
                at += 6 + length;
            }
            const chunks = new Map();
            for (const [name, size] of entries) {
                chunks.set(name, new Uint8Array(buffer, at, size));
                at += size;
            }
            return chunks;
        });
    parts.catch(() => {});
    return { names, parts };
})();
function __bundledFetch(url) {
    const name = url.pathname.split('/').pop();
    if (!__bundle || !__bundle.names.has(name)) return fetch(url);
    return __bundle.parts.then(
        (chunks) => new Response(chunks.get(name), { headers: { 'content-type': 'application/wasm' } }),
        () => fetch(url),
    );
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
    if calls == 0:
        sys.exit(f"{path}: no chunk fetch found (has the loader's format changed?)")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SHIM + loader.replace(FETCH, "__bundledFetch(new URL("))
    return calls


if __name__ == "__main__":
    pkg = sys.argv[1]
    with open(os.path.join(pkg, "split-manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    os.makedirs(os.path.join(pkg, "pages"), exist_ok=True)
    for page, files in manifest.items():
        with open(os.path.join(pkg, "pages", f"{page}.bundle"), "wb") as f:
            f.write(pack(pkg, files))
    calls = patch_loader(os.path.join(pkg, "__wasm_split.js"))
    print(f"bundled the chunks of {len(manifest)} pages; {calls} chunk fetches go through the bundles")
