// Documents built in code for the read/write and malformed-file tests.
import type { NirArray, NirDocument, NirGraph, NirNode, NirNodeType } from '../src/index.js';

export function f32(shape: number[], values?: number[]): NirArray {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from(values ?? Array.from({ length: size }, (_, i) => 0.25 * (i + 1))) };
}

export function f64(shape: number[], values?: number[]): NirArray {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float64', shape, data: Float64Array.from(values ?? Array.from({ length: size }, (_, i) => 1 / (i + 3))) };
}

export function graph(nodes: [string, NirNode][], edges: [string, string][]): NirGraph {
  return { type: 'NIRGraph', nodes: new Map(nodes), edges };
}

/** Every node type of NirNode; a type added there must be added here (the Record says so). */
export const EVERY_NODE_TYPE: Record<NirNodeType, true> = {
  Input: true, Output: true, Affine: true, Linear: true, Scale: true, Threshold: true, Flatten: true, Conv1d: true,
  Conv2d: true, SumPool2d: true, AvgPool2d: true, Delay: true, I: true, IF: true, LI: true, LIF: true, CubaLI: true,
  CubaLIF: true, NIRGraph: true,
};

/**
 * One node of every type, wired in a chain (shapes need not compose: the file format does not
 * check that), with values whose bits are easy to get wrong: -0, a float32 subnormal, the
 * largest float32 and float64, and float64 values that float32 cannot hold.
 */
export function everyTypeDocument(): NirDocument {
  const nested = graph(
    [['in', { type: 'Input', shape: [4] }], ['lif', { type: 'LIF', tau: f64([4]), r: f64([4]), v_leak: f64([4], [0, -0, 1e-300, -2]), v_threshold: f64([]), v_reset: f64([4]) }], ['out', { type: 'Output', shape: [4] }]],
    [['in', 'lif'], ['lif', 'out']],
  );
  const nodes: [string, NirNode][] = [
    ['input', { type: 'Input', shape: [2, 6, 6] }],
    ['conv2d', { type: 'Conv2d', weight: f32([4, 2, 3, 3]), bias: undefined, stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 1, input_shape: [6, 6] }],
    ['sum_pool', { type: 'SumPool2d', kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }],
    ['avg_pool', { type: 'AvgPool2d', kernel_size: [3, 1], stride: [1, 1], padding: [1, 0] }],
    ['flatten', { type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [4, 2, 2] }],
    ['flatten_untyped', { type: 'Flatten', start_dim: 1, end_dim: 2, input_type: undefined }],
    ['conv1d', { type: 'Conv1d', weight: f64([4, 2, 3]), bias: f64([4]), stride: 2, padding: 1, dilation: 1, groups: 2, input_shape: 16 }],
    ['conv1d_bare', { type: 'Conv1d', weight: f32([2, 1, 1]), bias: undefined, stride: 1, padding: 0, dilation: 3, groups: 1, input_shape: undefined }],
    ['fc.affine', { type: 'Affine', weight: f32([3, 16], Array.from({ length: 48 }, (_, i) => (i % 2 ? -0 : 3.4028234663852886e38 * (i / 48)))), bias: f32([3], [1.401298464324817e-45, -1, 0]) }],
    ['fc.linear', { type: 'Linear', weight: f64([3, 3], [Math.PI, Math.E, 0.1, 1.7976931348623157e308, -0, 5e-324, 1, 2, 3]) }],
    ['scale', { type: 'Scale', scale: f32([3]) }],
    ['threshold', { type: 'Threshold', threshold: f64([]) }],
    ['delay', { type: 'Delay', delay: f32([3], [0, 1, 2]) }],
    ['integrator', { type: 'I', r: f32([3]) }],
    ['if', { type: 'IF', r: f32([3]), v_threshold: f32([3]), v_reset: f32([3], [0, -0.5, 0]) }],
    ['if_no_reset', { type: 'IF', r: f64([3]), v_threshold: f64([3]), v_reset: undefined }],
    ['li', { type: 'LI', tau: f32([3]), r: f32([3]), v_leak: f32([3]) }],
    ['lif', { type: 'LIF', tau: f64([3]), r: f64([3]), v_leak: f64([3]), v_threshold: f64([3]), v_reset: undefined }],
    ['cuba_li', { type: 'CubaLI', tau_syn: f32([3]), tau_mem: f32([3]), r: f32([3]), v_leak: f32([3]), w_in: f32([3]) }],
    ['cuba_lif', { type: 'CubaLIF', tau_syn: f64([3]), tau_mem: f64([3]), r: f64([3]), v_leak: f64([3]), v_threshold: f64([3]), v_reset: f64([3]), w_in: undefined }],
    ['sub', nested],
    ['output', { type: 'Output', shape: [4] }],
  ];
  const edges = nodes.slice(1).map(([to], i): [string, string] => [nodes[i]![0], to]);
  // A recurrent edge and a node feeding two others, as real graphs have.
  edges.push(['cuba_lif', 'li'], ['scale', 'delay']);
  return { version: '0.2.0', graph: graph(nodes, edges) };
}
