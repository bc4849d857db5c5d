/** @spikeflow/autodiff will hold grad() as a graph transform, VJP rules, surrogate spikes, scan/BPTT and customVjp; nothing is exported yet. */
export {};
