#!/usr/bin/env python3
"""Writes which WebAssembly files each lazily loaded page needs, read from
the loader that wasm-split-cli generates (`__wasm_split.js`).

The server puts these files in the head of a server-rendered page as
`<link rel="preload">`, so the browser fetches a page's chunks while it
parses the HTML, instead of only after the main module has started
hydrating.

    scripts/wasm-split-manifest.py target/site/pkg/__wasm_split.js > manifest.json

Output: {"services": ["split___services_route_view_….wasm", "chunk_12.wasm", …], …}
keyed by the page's lazy route (`ServicesRoute` → "services"). Fails when
the loader has no page in it: a changed loader format must not go unnoticed.
"""
import json
import re
import sys

CHUNK = re.compile(r'const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)"')
PAGE = re.compile(
    r'export const __wasm_split_load___(\w+?)_route_view_\d+ = wrapAsyncCb\(makeLoad\('
    r'(?:\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)"|\(\) => async)'
    r'.*?\n, \[([^\]]*)\]\)\);',
    re.S,
)


def manifest(loader):
    chunks = {name: file for name, file in CHUNK.findall(loader)}
    pages = {}
    for page, own, deps in PAGE.findall(loader):
        files = [own] if own else []
        for dep in filter(None, (d.strip() for d in deps.split(","))):
            if dep not in chunks:
                sys.exit(f"page {page} needs {dep}, which the loader does not define")
            files.append(chunks[dep])
        pages[page] = files
    if not pages:
        sys.exit("no lazily loaded page found in the loader (has its format changed?)")
    return pages


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(json.dumps(manifest(f.read()), indent=1, sort_keys=True))
