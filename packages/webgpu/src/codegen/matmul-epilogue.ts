import type { Graph, NodeId } from '@spikeflow/core';
import type { BufferBinding, KernelSizes } from './kernel-source.js';
import { valueFunctions } from './value-functions.js';

/**
 * A fused elementwise group computed in a matmul's stores: the bias add after a linear layer, a
 * PSN's `W·X + b`. Every member maps elements at the product's shape (see matmulEpilogues), so
 * the value stored at output element i needs the product at element i only, which the thread
 * holds in a register: the product is never written to memory and read back.
 */
export interface MatmulEpilogue {
  readonly graph: Graph;
  /** The group's root: what the kernel stores, at the product's shape. */
  readonly root: NodeId;
  readonly members: readonly NodeId[];
  /** The group's loads in order, the product among them (read from the accumulator, not bound). */
  readonly loads: readonly NodeId[];
  /** The matmul node whose result the group reads. */
  readonly product: NodeId;
  readonly stepStrides: ReadonlyMap<NodeId, number>;
  readonly packed: ReadonlySet<NodeId>;
}

/** What a matmul kernel adds for its epilogue (nothing without one). */
export interface EpilogueCode {
  /** The group's buffers, bound after the operands and before the output. */
  readonly bindings: readonly BufferBinding[];
  /** Module-scope WGSL: the group's value functions and `epilogue`. */
  readonly functions: readonly string[];
  /** WGSL of the value stored at logical output index `index`, given the product there. */
  readonly apply: (index: string, product: string) => string;
}

/** The private variable the product's value function reads. */
const PRODUCT = 'epilogue_product';

export function epilogueCode(epilogue: MatmulEpilogue | undefined, sizes: KernelSizes): EpilogueCode {
  if (epilogue === undefined) return { bindings: [], functions: [], apply: (_index, product) => product };
  const { graph, members, loads, product, stepStrides, packed } = epilogue;
  const fns = valueFunctions(graph, members, loads, stepStrides, packed, sizes, { load: product, read: () => PRODUCT });
  const root = fns.names.get(epilogue.root)!;
  return {
    bindings: fns.bindings,
    functions: [fns.code, `var<private> ${PRODUCT}: f32;`, `fn epilogue(i: u32, product: f32) -> f32 {\n  ${PRODUCT} = product;\n  return ${root}(i);\n}`],
    apply: (index, value) => `epilogue(${index}, ${value})`,
  };
}
