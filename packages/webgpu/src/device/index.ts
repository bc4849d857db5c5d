export { acquireDevice, type AcquireOptions } from './acquire.js';
export { selectBackend, type Backend, type SelectBackendOptions } from './backend.js';
export { BACKEND_KINDS, chooseTrainBackend, describeChoice, parseBackendPreference, type BackendKind, type BackendPreference, type ChooseBackendOptions, type ChosenBackend, type WasmOffer } from './choose.js';
export type { GpuContext } from './context.js';
export { adapterFacts, describeFacts, softwareAdapterReason, softwareRendererName, type AdapterFacts } from './software-adapter.js';
