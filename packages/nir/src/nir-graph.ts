/**
 * The Neuromorphic Intermediate Representation (NIR) as typed data: what `readNir` returns from a
 * NIR file and what `writeNir` stores, before any mapping to spikeflow ops.
 *
 * Field names are NIR's own (`v_threshold`, `tau_syn`, `kernel_size`, ...), so each node reads
 * against the NIR specification's definitions without a renaming table. Parameter arrays keep the
 * dtype they had in the file (`float32` or `float64`), so a file read and written again holds the
 * same bits.
 */

/** A dense array stored in a NIR file, row-major, with its file dtype. */
export type NirArray =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly shape: readonly number[]; readonly data: Float64Array };

/** Integer hyper-parameters (shapes, strides, padding) are small; NIR stores them as int64. */
type Ints = readonly number[];

export interface NirInput { readonly type: 'Input'; readonly shape: Ints }
export interface NirOutput { readonly type: 'Output'; readonly shape: Ints }
/** y = W x + b, W `[out, in]`. */
export interface NirAffine { readonly type: 'Affine'; readonly weight: NirArray; readonly bias: NirArray }
/** y = W x, W `[out, in]`. */
export interface NirLinear { readonly type: 'Linear'; readonly weight: NirArray }
/** y = s ⊙ x. */
export interface NirScale { readonly type: 'Scale'; readonly scale: NirArray }
/** y = H(x − θ): 1 where x > θ. */
export interface NirThreshold { readonly type: 'Threshold'; readonly threshold: NirArray }
/** Flattens dims `start_dim..end_dim` of the (batch-free) input of shape `input_type`. */
export interface NirFlatten { readonly type: 'Flatten'; readonly start_dim: number; readonly end_dim: number; readonly input_type: Ints | undefined }
/** Cross-correlation as in PyTorch; weight `[out, in/groups, K]`. `input_shape` is the spatial length. */
export interface NirConv1d {
  readonly type: 'Conv1d';
  readonly weight: NirArray;
  readonly bias: NirArray | undefined;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  readonly input_shape: number | undefined;
}
/** Cross-correlation as in PyTorch; weight `[out, in/groups, KH, KW]`. `input_shape` is `[H, W]`. */
export interface NirConv2d {
  readonly type: 'Conv2d';
  readonly weight: NirArray;
  readonly bias: NirArray | undefined;
  readonly stride: Ints;
  readonly padding: Ints;
  readonly dilation: Ints;
  readonly groups: number;
  readonly input_shape: Ints | undefined;
}
export interface NirSumPool2d { readonly type: 'SumPool2d'; readonly kernel_size: Ints; readonly stride: Ints; readonly padding: Ints }
export interface NirAvgPool2d { readonly type: 'AvgPool2d'; readonly kernel_size: Ints; readonly stride: Ints; readonly padding: Ints }
/** y(t) = x(t − delay), per element. */
export interface NirDelay { readonly type: 'Delay'; readonly delay: NirArray }
/** Integrator: dv/dt = R I (no spikes). */
export interface NirI { readonly type: 'I'; readonly r: NirArray }
/** Integrate-and-fire: dv/dt = R I; spike where v > v_threshold, then v = v_reset. */
export interface NirIF { readonly type: 'IF'; readonly r: NirArray; readonly v_threshold: NirArray; readonly v_reset: NirArray | undefined }
/** Leaky integrator: τ dv/dt = (v_leak − v) + R I. */
export interface NirLI { readonly type: 'LI'; readonly tau: NirArray; readonly r: NirArray; readonly v_leak: NirArray }
/** Leaky integrate-and-fire: τ dv/dt = (v_leak − v) + R I; spike where v > v_threshold, then v = v_reset. */
export interface NirLIF {
  readonly type: 'LIF';
  readonly tau: NirArray;
  readonly r: NirArray;
  readonly v_leak: NirArray;
  readonly v_threshold: NirArray;
  readonly v_reset: NirArray | undefined;
}
/** Current-based leaky integrator: τ_syn dI/dt = −I + w_in S; τ_mem dv/dt = (v_leak − v) + R I. */
export interface NirCubaLI {
  readonly type: 'CubaLI';
  readonly tau_syn: NirArray;
  readonly tau_mem: NirArray;
  readonly r: NirArray;
  readonly v_leak: NirArray;
  readonly w_in: NirArray | undefined;
}
/** CubaLI with a threshold: spike where v > v_threshold, then v = v_reset. */
export interface NirCubaLIF {
  readonly type: 'CubaLIF';
  readonly tau_syn: NirArray;
  readonly tau_mem: NirArray;
  readonly r: NirArray;
  readonly v_leak: NirArray;
  readonly v_threshold: NirArray;
  readonly v_reset: NirArray | undefined;
  readonly w_in: NirArray | undefined;
}
/** A graph of named nodes; an edge `[from, to]` feeds `from`'s output into `to`. Graphs nest. */
export interface NirGraph {
  readonly type: 'NIRGraph';
  readonly nodes: ReadonlyMap<string, NirNode>;
  readonly edges: readonly (readonly [string, string])[];
}

export type NirNode =
  | NirInput | NirOutput | NirAffine | NirLinear | NirScale | NirThreshold | NirFlatten
  | NirConv1d | NirConv2d | NirSumPool2d | NirAvgPool2d | NirDelay
  | NirI | NirIF | NirLI | NirLIF | NirCubaLI | NirCubaLIF | NirGraph;

export type NirNodeType = NirNode['type'];

/** A NIR file: its format version string and top-level graph. */
export interface NirDocument {
  readonly version: string;
  readonly graph: NirGraph;
}
