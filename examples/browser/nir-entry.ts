// The page's NIR support as a module of its own (/nir.js): h5wasm's WebAssembly is 4 MB, so the page
// loads it only when a NIR file is written or read (nir-module.ts).
export * from '@spikeflow/nir';
