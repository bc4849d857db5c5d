// The step-loop plan of small scans, checked by hand: which values the carries live in, which body
// nodes are per-step slices (and their strides), which stacked outputs a step copies, how carries
// are updated, and the steps a backend gets from it.
import { describe, expect, it } from 'vitest';
import { nodeAs, type Graph, type NodeId, type Primitive } from '../src/graph.js';
import { ELEMENTWISE } from '../src/passes/elementwise-nodes.js';
import { partition } from '../src/passes/partition.js';
import { elementReaders, planStepLoop, type StepLoopOptions, type StepLoopPlan } from '../src/passes/step-loop-plan.js';
import { stepLoopSteps, wholeScanInputs, type StepLoopBackend } from '../src/passes/step-loop-steps.js';
import { trace, type GraphBuilder, type Tensor } from '../src/trace/builder.js';
import type { TensorType } from '../src/types.js';

/** Elementwise ops and reshapes fuse; matmuls, leaves and tuple elements get values of their own. */
const isFusible = (op: Primitive) => ELEMENTWISE.has(op) || op === 'reshape';
/** The reader of tuple element k writes value `out:k` (a backend names it after the reader). */
const options = (readers: ReadonlyMap<number, NodeId>, extra: Partial<StepLoopOptions> = {}): StepLoopOptions => ({
  partition: (body) => partition(body, Infinity, isFusible),
  readerValue: (reader) => `out:${[...readers].find(([, r]) => r === reader)![0]}`,
  ...extra,
});

type Body = (b: GraphBuilder, carries: Tensor[], slices: Tensor[], consts: Tensor[]) => { carries: Tensor[]; outputs?: Tensor[] };

/**
 * A scan over xs [4, 2, 3] with carries h, g [2, 3] and the constant w [3, 3], every tuple element
 * read after it; the outer values of its inputs are named h0, g0, xs and w.
 */
function scanOf(body: Body, reverse = false): { graph: Graph; scan: ReturnType<typeof nodeAs<'scan'>>; readers: Map<number, NodeId> } {
  const graph = trace((b) => {
    const xs = b.input('xs', [4, 2, 3]);
    const w = b.param('w', [3, 3], { kind: 'zeros' });
    const { carries, outputs } = b.scan({ carries: [b.input('h0', [2, 3]), b.input('g0', [2, 3])], sequences: [xs], consts: [w], body, reverse });
    return Object.fromEntries([...carries, ...outputs].map((t, k) => [`e${k}`, t]));
  });
  const scan = nodeAs(graph, Object.values(graph.nodes).find((n) => n.op === 'scan')!.id, 'scan');
  return { graph, scan, readers: elementReaders(graph, scan.id) };
}

const INPUTS = ['h0', 'g0', 'xs', 'w'];
const outputNode = (plan: StepLoopPlan, name: string) => plan.body.outputs.find((o) => o.name === name)!.node;
const inputNode = (plan: StepLoopPlan, k: number) => plan.body.inputs[k]!;
const f32 = (...shape: number[]): TensorType => ({ shape, dtype: 'f32' });

describe('elementReaders', () => {
  it('finds the tupleGet reading each tuple element', () => {
    const { graph, scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [h!.add(x!), g!], outputs: [x!] }));
    expect([...readers.keys()].sort()).toEqual([0, 1, 2]);
    for (const [k, id] of readers) {
      const reader = nodeAs(graph, id, 'tupleGet');
      expect(reader.inputs[0]).toBe(scan.id);
      expect(reader.attrs.index).toBe(k);
    }
  });
});

describe('planStepLoop', () => {
  // h' = h·w + x (a kernel, then fused), g unchanged; outputs: y = h·w · 2 (computed), x (passed through).
  const recurrent: Body = (_b, [h, g], [x], [w]) => {
    const hw = h!.matmul(w!);
    return { carries: [hw.add(x!), g!], outputs: [hw.mul(2), x!] };
  };

  it('keeps read carries in their readers values, seeded from the scan inputs', () => {
    const { scan, readers } = scanOf(recurrent);
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    expect(plan.carries).toEqual([
      { value: 'out:0', type: f32(2, 3), init: 'h0' },
      { value: 'out:1', type: f32(2, 3), init: 'g0' },
    ]);
    expect(plan.valueOf(inputNode(plan, 0))).toBe('out:0');
    expect(plan.valueOf(inputNode(plan, 1))).toBe('out:1');
  });

  it('reads the sequence as a slice of 2·3 = 6 elements a step and the constant whole', () => {
    const { scan, readers } = scanOf(recurrent);
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    expect(plan.valueOf(inputNode(plan, 2))).toBe('xs');
    expect(plan.strides.get(inputNode(plan, 2))).toBe(6);
    expect(plan.valueOf(inputNode(plan, 3))).toBe('w');
    expect(plan.strides.has(inputNode(plan, 3))).toBe(false);
  });

  it('writes a computed per-step output straight into its stacked value and copies a passed-through slice', () => {
    const { scan, readers } = scanOf(recurrent);
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    const y = outputNode(plan, 'out0');
    expect(plan.valueOf(y)).toBe('out:2');
    expect(plan.strides.get(y)).toBe(6);
    expect(plan.stacked).toEqual([{ index: 1, reader: readers.get(3), type: f32(2, 3), from: { value: 'xs', stride: 6 }, to: { value: 'out:3', stride: 6 }, converted: false }]);
  });

  it('copies a computed new carry into its carry and leaves an unchanged carry alone', () => {
    const { scan, readers } = scanOf(recurrent);
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    const next = outputNode(plan, 'carry0');
    expect(plan.valueOf(next)).toBe(`scan/${next}`);
    expect(plan.carryUpdates).toEqual([{ carry: 0, value: `scan/${next}` }]);
  });

  it('runs the steps in order, or from last to first for a reverse scan', () => {
    const { scan, readers } = scanOf(recurrent);
    expect(planStepLoop(scan, 'scan', INPUTS, readers, options(readers)).times).toEqual([0, 1, 2, 3]);
    const back = scanOf(recurrent, true);
    expect(planStepLoop(back.scan, 'scan', INPUTS, back.readers, options(back.readers)).times).toEqual([3, 2, 1, 0]);
  });

  it('stages carries that are body inputs, so swapping them reads neither after it is overwritten', () => {
    // (h, g) -> (g, x): both new carries are body inputs (a carry, a sequence slice).
    const { scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [g!, x!], outputs: [h!.neg()] }));
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    expect(plan.carryUpdates).toEqual([
      { carry: 0, value: 'scan/next0', staged: { from: { value: 'out:1', stride: 0 }, type: f32(2, 3) } },
      { carry: 1, value: 'scan/next1', staged: { from: { value: 'xs', stride: 6 }, type: f32(2, 3) } },
    ]);
  });

  it('gives a carry nobody reads a temporary of the loop', () => {
    const { scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [h!.add(x!), g!], outputs: [h!.neg()] }));
    const unread = new Map([...readers].filter(([k]) => k !== 0));
    const plan = planStepLoop(scan, 'scan', INPUTS, unread, options(readers));
    expect(plan.carries[0]).toEqual({ value: 'scan/carry0', type: f32(2, 3), init: 'h0' });
    expect(plan.valueOf(inputNode(plan, 0))).toBe('scan/carry0');
  });

  it('copies an output returned twice from the body instead of writing it twice', () => {
    const { scan, readers } = scanOf((_b, [h, g], [x]) => {
      const y = h!.add(x!);
      return { carries: [y, g!], outputs: [y, y] };
    });
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    const y = outputNode(plan, 'carry0');
    expect(plan.stacked.map((o) => [o.index, o.from, o.to])).toEqual([
      [0, { value: `scan/${y}`, stride: 0 }, { value: 'out:2', stride: 6 }],
      [1, { value: `scan/${y}`, stride: 0 }, { value: 'out:3', stride: 6 }],
    ]);
  });

  it('gives a reshape of a slice (an alias) the slice stride, and copies it out through its source', () => {
    const { scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [h!.add(x!), g!], outputs: [x!.reshape([6])] }));
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    const aliases = [...plan.part.aliases].filter(([, source]) => source === inputNode(plan, 2));
    expect(aliases.length).toBe(1);
    for (const [alias] of aliases) expect(plan.strides.get(alias)).toBe(6);
    expect(plan.stacked).toEqual([{ index: 0, reader: readers.get(2), type: f32(2, 3), from: { value: 'xs', stride: 6 }, to: { value: 'out:2', stride: 6 }, converted: false }]);
  });

  it('leaves an output the backend converts per step in the body value, for the backend to store', () => {
    const { scan, readers } = scanOf(recurrent);
    const y = readers.get(2)!;
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers, { convertedPerStep: (reader) => reader === y }));
    const yBody = outputNode(plan, 'out0');
    expect(plan.valueOf(yBody)).toBe(`scan/${yBody}`);
    expect(plan.strides.has(yBody)).toBe(false);
    expect(plan.stacked.map((o) => [o.index, o.from.value, o.to.value, o.converted])).toEqual([
      [0, `scan/${yBody}`, 'out:2', true],
      [1, 'xs', 'out:3', false],
    ]);
  });
});

/** A backend recording what it is asked for: steps are strings. */
function recordingBackend(): StepLoopBackend<string> & { temps: string[] } {
  const temps: string[] = [];
  return {
    temps,
    addTemp: (id, type) => temps.push(`${id}[${type.shape.join(',')}]`),
    bytesOf: () => 24,
    copySlice: (label, _type, from, to) => `${label}: ${from.value}+${from.stride}t -> ${to.value}+${to.stride}t`,
    lowerBody: () => ['body'],
    storeConverted: (out) => `convert ${out.from.value} -> ${out.to.value}`,
  };
}

describe('stepLoopSteps', () => {
  it('seeds the carries, then loops over the body, stacked stores, staged carries and carry copies', () => {
    const { scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [g!, h!.add(x!)], outputs: [x!] }));
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers));
    const next = outputNode(plan, 'carry1');
    const backend = recordingBackend();
    expect(stepLoopSteps(plan, 'scan', backend)).toEqual([
      { kind: 'copy', from: 'h0', to: 'out:0', bytes: 24 },
      { kind: 'copy', from: 'g0', to: 'out:1', bytes: 24 },
      {
        kind: 'loop',
        times: [0, 1, 2, 3],
        label: 'scan',
        body: [
          'body',
          'scan/output0: xs+6t -> out:2+6t',
          'scan/carry0: out:1+0t -> scan/next0+0t',
          { kind: 'copy', from: 'scan/next0', to: 'out:0', bytes: 24 },
          { kind: 'copy', from: `scan/${next}`, to: 'out:1', bytes: 24 },
        ],
      },
    ]);
    expect(backend.temps).toEqual(['out:0[2,3]', 'out:1[2,3]', 'scan/next0[2,3]']);
  });

  it('asks the backend to store a converted output instead of copying it', () => {
    const { scan, readers } = scanOf((_b, [h, g], [x]) => ({ carries: [h!.add(x!), g!], outputs: [h!.mul(x!)] }));
    const plan = planStepLoop(scan, 'scan', INPUTS, readers, options(readers, { convertedPerStep: () => true }));
    const y = outputNode(plan, 'out0');
    const loop = stepLoopSteps(plan, 'scan', recordingBackend()).at(-1) as { readonly body: readonly unknown[] };
    expect(loop.body).toContain(`convert scan/${y} -> out:2`);
  });
});

describe('wholeScanInputs', () => {
  it('copies out an input that is a per-step slice of an enclosing loop and passes whole values through', () => {
    const { scan } = scanOf((_b, [h, g], [x]) => ({ carries: [h!.add(x!), g!] }));
    const backend = recordingBackend();
    const types = [f32(2, 3), f32(2, 3), f32(4, 2, 3), f32(3, 3)];
    const slices = [{ value: 'H', stride: 6 }, { value: 'g0', stride: 0 }, { value: 'xs', stride: 0 }, { value: 'w', stride: 0 }];
    const { inputs, steps } = wholeScanInputs(scan, 'scan', slices, types, backend);
    expect(inputs).toEqual(['scan/in0', 'g0', 'xs', 'w']);
    expect(steps).toEqual([`${scan.name}/input0: H+6t -> scan/in0+0t`]);
    expect(backend.temps).toEqual(['scan/in0[2,3]']);
  });
});
