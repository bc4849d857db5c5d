export { acquireDevice, type AcquireOptions } from './acquire.js';
export { selectBackend, type Backend, type SelectBackendOptions } from './backend.js';
export type { GpuContext } from './context.js';
