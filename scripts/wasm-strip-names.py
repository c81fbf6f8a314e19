#!/usr/bin/env python3
"""Removes the custom sections a browser never reads (function names,
producers, target features, DWARF) from WebAssembly files, in place.

wasm-bindgen strips the console's main module itself; the lazily loaded
chunks that wasm-split-cli writes keep their function names, which are
about half of their bytes.

    scripts/wasm-strip-names.py target/site/pkg/chunk_*.wasm
"""
import sys

DROPPED = (b"name", b"producers", b"target_features")


def uleb(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def strip(path):
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        sys.exit(f"{path}: not a WebAssembly module")
    out, at = bytearray(data[:8]), 8
    while at < len(data):
        start, section = at, data[at]
        size, body = uleb(data, at + 1)
        end = body + size
        if section == 0:
            name_len, name_at = uleb(data, body)
            name = data[name_at : name_at + name_len]
            if name in DROPPED or name.startswith(b".debug"):
                at = end
                continue
        out += data[start:end]
        at = end
    open(path, "wb").write(out)
    return len(data), len(out)


if __name__ == "__main__":
    before = after = 0
    for file in sys.argv[1:]:
        b, a = strip(file)
        before, after = before + b, after + a
    print(f"stripped {len(sys.argv) - 1} modules: {before} -> {after} bytes")
