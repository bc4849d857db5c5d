import { describe, expect, it } from 'vitest';
import { SpikeflowError } from '../src/errors.js';
import { leafName, nodesOf, type Graph, type PrimitiveAttrs } from '../src/graph.js';
import { evaluate } from '../src/interpreter/evaluate.js';
import { toArray } from '../src/host-tensor.js';
import { trace, type CustomVjpOptions } from '../src/trace/builder.js';
import { formatType } from '../src/types.js';
import { validateGraph } from '../src/validate.js';
import { errorOf } from './support/trace-helpers.js';

/** y = x*x with residual x; the backward returns 2*x*dy. */
const square: CustomVjpOptions = {
  forward: (_b, [x]) => ({ outputs: [x!.mul(x!)], residuals: [x!] }),
  backward: (_b, [x], [dy]) => [x!.mul(2).mul(dy!)],
};

/** Traces a customVjp over x: f32[3] inside scope `layer1`. */
function traced(options: CustomVjpOptions): Graph {
  return trace((b) => {
    const x = b.input('x', [3]);
    const [y] = b.scope('layer1', () => b.customVjp([x], options));
    return { y: y! };
  });
}

function customNode(graph: Graph) {
  const node = nodesOf(graph, 'customVjp')[0]!;
  return { node, attrs: node.attrs };
}

describe('customVjp: forward semantics', () => {
  it('runs the forward graph: x*x', () => {
    const graph = traced(square);
    validateGraph(graph);
    // [1.5, -2, 3]^2 = [2.25, 4, 9]
    const { outputs } = evaluate(graph, { inputs: { x: [1.5, -2, 3] } }, { precision: 'f64' });
    expect(toArray(outputs.y!)).toEqual([2.25, 4, 9]);
  });

  it('records the forward as (outputs..., residuals...) and the backward as (residuals..., cotangents...) -> cotangents', () => {
    const { node, attrs } = customNode(traced(square));
    expect(node.name).toBe('layer1/customVjp');
    expect(attrs.numOutputs).toBe(1);
    expect(formatType(node.type)).toBe('(f32[3])');
    expect(attrs.forward.outputs.map((o) => o.name)).toEqual(['y0', 'residual0']);
    expect(attrs.backward.inputs.map((id) => leafName(attrs.backward.nodes[id]!))).toEqual(['residual0', 'dy0']);
    expect(attrs.backward.outputs.map((o) => o.name)).toEqual(['dx0']);
  });

  it('returns several outputs and drops the residuals', () => {
    const graph = trace((b) => {
      const x = b.input('x', [2]);
      const s = b.input('s', []);
      const [p, q] = b.customVjp([x, s], {
        forward: (_b, [xx, ss]) => ({ outputs: [xx!.mul(ss!), xx!.sum()], residuals: [xx!, ss!] }),
        backward: (_b, [xx, ss], [dp, dq]) => [dp!.mul(ss!).add(dq!), dp!.mul(xx!).sum()],
      });
      return { p: p!, q: q! };
    });
    validateGraph(graph);
    expect(formatType(customNode(graph).node.type)).toBe('(f32[2], f32[])');
    // x = [1, 4], s = 0.5: p = x*s = [0.5, 2]; q = 1 + 4 = 5
    const { outputs } = evaluate(graph, { inputs: { x: [1, 4], s: 0.5 } }, { precision: 'f64' });
    expect(toArray(outputs.p!)).toEqual([0.5, 2]);
    expect(toArray(outputs.q!)).toEqual([5]);
  });
});

describe('customVjp: errors name the node', () => {
  it('rejects a backward that returns too many cotangents', () => {
    const e = errorOf(() => traced({ ...square, backward: (_b, [x], [dy]) => [x!.mul(dy!), dy!] }));
    expect(e.code).toBe('custom-vjp');
    expect(e.where).toBe('layer1/customVjp');
    expect(e.message).toContain('the backward graph must return one cotangent per primal input; expected 1; found 2');
  });

  it('rejects a backward whose cotangent has the wrong type', () => {
    const e = errorOf(() => traced({ ...square, backward: (_b, [x], [dy]) => [x!.mul(dy!).sum()] }));
    expect(e.message).toContain("at 'layer1/customVjp': backward output 0 (the cotangent of input 0) has the wrong type; expected f32[3]; found f32[]");
  });

  it('rejects hand-made halves whose interfaces disagree with the node', () => {
    // Primal x: f32[3]. Forward: y = sum(x): f32[], residual x: f32[3].
    const forward = trace((b) => {
      const x = b.input('x', [3]);
      return { y: x.sum(), r: x };
    });
    const dx = trace((b) => {
      const r = b.input('r', [3]);
      const dy = b.input('dy', []);
      return { dx: r.mul(dy) };
    });
    // Cotangent first, residual second: the wrong order.
    const swapped = trace((b) => {
      const dy = b.input('dy', []);
      const r = b.input('r', [3]);
      return { dx: r.mul(dy) };
    });
    const build = (attrs: PrimitiveAttrs['customVjp'], shape = [3]) => () =>
      trace((b) => {
        const x = b.input('x', shape);
        return { y: b.scope('layer1', () => b.op('customVjp', [x], attrs, 'customVjp')).get(0) };
      });

    validateGraph(build({ forward, backward: dx, numOutputs: 1 })());
    expect(errorOf(build({ forward, backward: swapped, numOutputs: 1 })).message).toContain(
      "at 'layer1/customVjp': backward input 0 does not match residual 0; expected f32[3]; found f32[]",
    );
    expect(errorOf(build({ forward, backward: dx, numOutputs: 1 }, [4])).message).toContain(
      'forward input 0 does not match primal input 0; expected f32[4]; found f32[3]',
    );
    expect(errorOf(build({ forward, backward: dx, numOutputs: 3 })).message).toContain(
      'the forward graph returns fewer outputs than numOutputs; expected >= 3; found 2',
    );
    // numOutputs 2 makes r an output, so the backward should take just two cotangents.
    expect(errorOf(build({ forward, backward: dx, numOutputs: 2 })).message).toContain(
      'backward input 0 does not match the cotangent of output 0; expected f32[]; found f32[3]',
    );
    expect(errorOf(build({ forward, backward: dx, numOutputs: 0 })).message).toContain('customVjp numOutputs must be a positive integer');
  });

  it('rejects reading a customVjp output that does not exist', () => {
    const e = errorOf(() =>
      trace((b) => {
        const x = b.input('x', [3]);
        const forward = trace((f) => {
          const xx = f.input('x', [3]);
          return { y: xx.mul(xx), r: xx };
        });
        const backward = trace((g) => {
          const r = g.input('r', [3]);
          const dy = g.input('dy', [3]);
          return { dx: r.mul(dy) };
        });
        // One output: index 1 would be the residual, which the node does not expose.
        return { y: b.scope('layer1', () => b.op('customVjp', [x], { forward, backward, numOutputs: 1 }).get(1)) };
      }),
    );
    expect(e.where).toBe('layer1/tupleGet');
    expect(e.message).toContain('tupleGet index out of range for a tuple of 1; expected an integer in [0, 0]; found 1');
  });
});
