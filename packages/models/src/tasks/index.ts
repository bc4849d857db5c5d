export * from './task.js';
// Exported as TaskRng: the trainer's data generator already takes the name `Rng` in the package index.
export { Rng as TaskRng, permutation } from './rng.js';
export type { Scale } from './options.js';
export type { SpikeCode } from './batch-writer.js';
export * from './mnist-data.js';
export * from './sequential-mnist.js';
export * from './store-recall.js';
export * from './evidence-accumulation.js';
export * from './delayed-xor.js';
export * from './adding.js';
export * from './pattern-completion.js';
export * from './cue-association.js';
