// The `lif` layer kind is a neuron defined through defineNeuron; these are its layer-level names.
export { buildLif, lif, lifLayer, lifStep, type LifSpec } from '../neurons/lif.js';
