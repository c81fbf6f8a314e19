// dromos: compiles the console's WebAssembly while the browser is still
// parsing, styling and laying out the server-rendered page.
//
// The hydration script is a module script, which runs only once the whole
// page is parsed; the WebAssembly it then compiles, and the page's chunks
// compiled after it, used to wait until then although their bytes had
// arrived long before (they are preloaded). Started here, in the head,
// compilation runs on the engine's background threads in parallel with the
// parser, and the loaders only instantiate what is ready:
//
// * globalThis.__dromosMain: the main module (this script's data-wasm),
//   taken by the wasm-bindgen loader (dromos.js, patched by
//   scripts/wasm-bundle.py --patch-init), which fetches it itself if this
//   failed.
// * globalThis.__dromosBundle: {names, parts} for the page's bundle of
//   chunks (the <link data-wasm-bundle> before this script; format in
//   scripts/wasm-bundle.py); parts resolves to a Map from chunk file name
//   to its compiling module, taken by the chunk loader (__wasm_split.js),
//   which fetches a chunk itself when the bundle or its compilation failed.
(() => {
  const script = document.currentScript;
  const main = WebAssembly.compileStreaming(fetch(script.dataset.wasm, { credentials: 'same-origin' }));
  main.catch(() => {});
  globalThis.__dromosMain = main;

  const link = document.querySelector('link[data-wasm-bundle]');
  if (!link) return;
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
      const modules = new Map();
      for (const [name, size] of entries) {
        const module = WebAssembly.compile(new Uint8Array(buffer, at, size));
        module.catch(() => {});
        modules.set(name, module);
        at += size;
      }
      return modules;
    });
  parts.catch(() => {});
  globalThis.__dromosBundle = { names, parts };
})();
