import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { SpikeflowError, type ErrorCode } from '../src/errors.js';
import type { Graph } from '../src/graph.js';
import { evaluate } from '../src/interpreter/evaluate.js';
import { tensor, toArray } from '../src/host-tensor.js';
import { graphFromJSON, graphToJSON } from '../src/json/graph-json.js';
import { trace } from '../src/trace/builder.js';

/**
 * Bad input at every boundary (building, JSON loading, feeding) is rejected with a SpikeflowError
 * whose code, `where` (scope path or field path) and message say what was expected and found.
 */

interface Expected {
  readonly code: ErrorCode;
  readonly where: string;
  /** Substrings of the message. */
  readonly says: readonly string[];
  readonly expected?: string;
  readonly found?: string;
}

function expectRejected(fn: () => unknown, want: Expected): SpikeflowError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpikeflowError);
  const e = error as SpikeflowError;
  expect({ code: e.code, where: e.where }).toEqual({ code: want.code, where: want.where });
  expect(e.message).toContain(`at '${want.where}'`);
  for (const s of want.says) expect(e.message).toContain(s);
  if (want.expected !== undefined) {
    expect(e.expected).toBe(want.expected);
    expect(e.message).toContain(`expected ${want.expected}`);
  }
  if (want.found !== undefined) {
    expect(e.found).toBe(want.found);
    expect(e.message).toContain(`found ${want.found}`);
  }
  return e;
}

/** x -> net/neg -> net/exp -> net/sum, with node ids n0..n3. */
const small = trace((b) => {
  const x = b.input('x', [2, 3]);
  return b.scope('net', () => ({ y: x.neg().exp().sum([1]) }));
});

type Json = { version: unknown; graph: { nodes: Record<string, Record<string, unknown> & { attrs: Record<string, unknown> }>; inputs: string[] } };

/** The JSON text of `graph` after `change` edits its parsed form. */
function edited(graph: Graph, change: (json: Json) => void): string {
  const json = JSON.parse(graphToJSON(graph)) as Json;
  change(json);
  return JSON.stringify(json);
}

function idOf(graph: Graph, name: string): string {
  const node = Object.values(graph.nodes).find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node named ${name}`);
  return node.id;
}

describe('building rejects', () => {
  it('a matmul of mismatched shapes, naming the scoped node', () => {
    expectRejected(
      () =>
        trace((b) => {
          const x = b.input('x', [2, 3]);
          return { y: b.scope('layer1', () => x.matmul(b.param('w', [4, 5], { kind: 'zeros' }))) };
        }),
      { code: 'shape', where: 'layer1/matmul', says: ['matmul inner dimensions differ', 'f32[2, 3]', 'f32[4, 5]'], expected: 'K = 3', found: 'K = 4' },
    );
  });

  it('operands that do not broadcast', () => {
    expectRejected(
      () =>
        trace((b) => {
          const x = b.input('x', [2, 3]);
          return { y: b.scope('enc', () => x.add(b.input('bias', [4]))) };
        }),
      { code: 'shape', where: 'enc/add', says: ['add operands do not broadcast'], expected: 'shapes equal or 1 in each trailing dimension', found: '[2, 3] and [4]' },
    );
  });

  it('f32 + i32', () => {
    expectRejected(() => trace((b) => ({ y: b.input('x', [3]).add(b.input('k', [3], 'i32')) })), {
      code: 'dtype',
      where: 'add',
      says: ['add needs operands of one dtype (cast first)'],
      expected: 'f32 and f32',
      found: 'f32 and i32',
    });
  });

  it('an axis out of range', () => {
    expectRejected(() => trace((b) => ({ y: b.scope('pool', () => b.input('x', [2, 3]).sum(5)) })), {
      code: 'attr',
      where: 'pool/sum',
      says: ['axis out of range'],
      expected: 'an integer in [-2, 1]',
      found: '5',
    });
  });

  it('a reshape that changes the number of elements', () => {
    expectRejected(() => trace((b) => ({ y: b.input('x', [2, 3]).reshape([4, 4]) })), {
      code: 'shape',
      where: 'reshape',
      says: ['reshape of f32[2, 3] to [4, 4] changes the number of elements'],
      expected: '6 elements',
      found: '16',
    });
  });

  it('a scan body whose carry changes type', () => {
    expectRejected(
      () =>
        trace((b) => {
          const xs = b.input('xs', [3, 2]);
          const r = b.scope('rnn', () => b.scan({ carries: [b.constant(0, [2])], sequences: [xs], body: (_bb, [c], [x]) => ({ carries: [c!.add(x!).sum()] }) }));
          return { v: r.carries[0]! };
        }),
      { code: 'scan', where: 'rnn/scan', says: ['carry 0 changes type in the body'], expected: 'f32[2]', found: 'f32[]' },
    );
  });

  it('a scan sequence of the wrong length', () => {
    expectRejected(
      () =>
        trace((b) => {
          const xs = b.input('xs', [3, 2]);
          const r = b.scan({ length: 5, carries: [b.constant(0, [2])], sequences: [xs], body: (_bb, [c], [x]) => ({ carries: [c!.add(x!)] }) });
          return { v: r.carries[0]! };
        }),
      { code: 'scan', where: 'scan', says: ['sequence 0 has the wrong length along axis 0'], expected: '5 (the scan length)', found: '3 in f32[3, 2]' },
    );
  });

  it('a customVjp backward of the wrong arity', () => {
    expectRejected(
      () =>
        trace((b) => {
          const x = b.input('x', [3]);
          const [y] = b.scope('ste', () =>
            b.customVjp([x], { forward: (_fb, [xi]) => ({ outputs: [xi!.sign()] }), backward: (_bb, _r, [dy]) => [dy!, dy!] }),
          );
          return { y: y! };
        }),
      { code: 'custom-vjp', where: 'ste/customVjp', says: ['the backward graph must return one cotangent per primal input'], expected: '1', found: '2' },
    );
  });

  it('tupleGet on a tensor', () => {
    expectRejected(() => trace((b) => ({ y: b.scope('net', () => b.input('x', [3]).get(0)) })), {
      code: 'dtype',
      where: 'net/tupleGet',
      says: ['tupleGet reads a tuple'],
      expected: 'a tuple',
      found: 'f32[3]',
    });
  });
});

describe('graphFromJSON rejects', () => {
  it('malformed JSON text, saying where the syntax error is', () => {
    const text = '{"format": "spikeflow-graph"\n  "version": 1}';
    const e = expectRejected(() => graphFromJSON(text), { code: 'json', where: 'line 2, column 3', says: ['not valid JSON', 'position 31'], expected: 'valid JSON', found: '"\\"version\\": 1}"' });
    expect(text.slice(31, 40)).toBe('"version"');
    expect(e.message).toMatch(/Expected ',' or '}'/);
  });

  it('a file that is not a spikeflow graph', () => {
    expectRejected(() => graphFromJSON('[1, 2]'), { code: 'schema', where: '<root>', says: ['a spikeflow graph file is a JSON object'], found: '[1,2]' });
    expectRejected(() => graphFromJSON(edited(small, (j) => Object.assign(j, { format: 'onnx' }))), {
      code: 'schema',
      where: 'format',
      says: ['not a spikeflow graph file'],
      expected: '"spikeflow-graph"',
      found: '"onnx"',
    });
  });

  it('a graph of a future format version', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => (j.version = 2))), {
      code: 'schema',
      where: 'version',
      says: ['written by a newer spikeflow (format version 2)'],
      expected: '1',
      found: '2',
    });
  });

  it('a node with a missing field, at its JSON path', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => delete j.graph.nodes['n1']!.inputs)), {
      code: 'schema',
      where: 'graph.nodes.n1.inputs',
      says: ["node 'net/neg'", 'Invalid input: expected array, received undefined'],
      expected: 'array',
      found: 'nothing',
    });
  });

  it('an unknown op, naming the node and the op', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => (j.graph.nodes['n2']!.op = 'expm1'))), {
      code: 'unknown-op',
      where: 'net/exp',
      says: ["unknown op 'expm1'"],
      expected: 'a spikeflow primitive',
      found: 'expm1',
    });
  });

  it('an attr of the wrong JSON type, naming the node and the attr field', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => (j.graph.nodes['n3']!.attrs.axes = ['1']))), {
      code: 'attr',
      where: 'net/sum.attrs.axes[0]',
      says: ['bad sum attrs', 'expected number, received string'],
      expected: 'number',
      found: '"1"',
    });
  });

  it('a misspelt attr field', () => {
    expectRejected(
      () =>
        graphFromJSON(
          edited(small, (j) => {
            const attrs = j.graph.nodes['n3']!.attrs;
            attrs.keepdims = attrs.keepDims;
            delete attrs.keepDims;
          }),
        ),
      { code: 'attr', where: 'net/sum.attrs.keepDims', says: ['bad sum attrs', 'expected boolean, received undefined'], expected: 'boolean', found: 'nothing' },
    );
  });

  it('a structural error inside a scan body, at its nested JSON path', () => {
    const g = trace((b) => {
      const xs = b.input('xs', [3, 2]);
      const r = b.scope('rnn', () => b.scan({ carries: [b.constant(0, [2])], sequences: [xs], body: (_bb, [c], [x]) => ({ carries: [c!.add(x!)] }) }));
      return { v: r.carries[0]! };
    });
    const scan = idOf(g, 'rnn/scan');
    const body = (g.nodes[scan]!.attrs as { body: Graph }).body;
    const add = idOf(body, 'rnn/scan/body/add');
    const text = edited(g, (j) => {
      const nested = j.graph.nodes[scan]!.attrs.body as Json['graph'];
      nested.nodes[add]!.inputs = 'n0';
    });
    expectRejected(() => graphFromJSON(text), {
      code: 'schema',
      where: `graph.nodes.${scan}.attrs.body.nodes.${add}.inputs`,
      says: ["node 'rnn/scan/body/add'", 'expected array, received string'],
      expected: 'array',
      found: '"n0"',
    });
  });

  it('a cycle outside scan, naming the nodes on it', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => (j.graph.nodes['n1']!.inputs = ['n2']))), {
      code: 'cycle',
      where: 'net/exp',
      says: ['the graph has a cycle outside scan'],
      expected: 'an acyclic graph',
      found: 'a cycle through net/exp -> net/neg',
    });
  });

  it('a node whose stored type disagrees with its inputs', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => ((j.graph.nodes['n2']!.type as { shape: number[] }).shape = [3, 2]))), {
      code: 'shape',
      where: 'net/exp',
      says: ['stored type of exp disagrees with its inputs'],
      expected: 'f32[2, 3]',
      found: 'f32[3, 2]',
    });
  });

  it('an interface list naming a node of the wrong kind', () => {
    expectRejected(() => graphFromJSON(edited(small, (j) => (j.graph.inputs = ['n1']))), {
      code: 'interface',
      where: 'graph.inputs[0]',
      says: ["refers to node 'net/neg'"],
      expected: 'input',
      found: 'neg',
    });
  });

  it('two inputs of one name', () => {
    const two = trace((b) => ({ y: b.input('x', [2]).add(b.input('bias', [2])) }));
    expectRejected(() => graphFromJSON(edited(two, (j) => (j.graph.nodes['n1']!.attrs.name = 'x'))), {
      code: 'interface',
      where: 'graph.inputs',
      says: ["the name 'x' is used twice"],
      expected: 'unique names',
      found: 'x',
    });
  });
});

describe('graphToJSON rejects', () => {
  it('a number JSON cannot hold, at its path, instead of writing null', () => {
    const g = trace((b) => ({ y: b.input('x', [2]).mul(b.constant([1, 2], [2])) }));
    const broken = produce(g, (draft) => {
      (draft.nodes['n1']!.attrs as { value: number[] }).value[1] = Number.NaN;
    });
    expectRejected(() => graphToJSON(broken), { code: 'json', where: 'graph.nodes.n1.attrs.value[1]', says: ['JSON cannot hold this number'], expected: 'a finite number', found: 'NaN' });
  });
});

describe('evaluate rejects feeds', () => {
  const net = trace((b) => ({ y: b.scope('net', () => b.input('x', [2, 3]).log()) }));

  it('a missing input', () => {
    expectRejected(() => evaluate(net, { inputs: {} }), { code: 'feed', where: 'inputs.x', says: ["missing input 'x'"], expected: 'f32[2, 3]', found: 'nothing' });
  });

  it('an array of the wrong length', () => {
    expectRejected(() => evaluate(net, { inputs: { x: [1, 2, 3, 4] } }), {
      code: 'feed',
      where: 'inputs.x',
      says: ['fed array has the wrong length for shape [2, 3]'],
      expected: '6 elements',
      found: '4',
    });
  });

  it('a HostTensor of the wrong shape', () => {
    expectRejected(() => evaluate(net, { inputs: { x: tensor([3, 2], [1, 2, 3, 4, 5, 6]) } }), {
      code: 'feed',
      where: 'inputs.x',
      says: ['fed tensor has the wrong shape'],
      expected: '[2, 3]',
      found: '[3, 2]',
    });
  });

  it('an unknown name', () => {
    expectRejected(() => evaluate(net, { inputs: { x: [1, 2, 3, 4, 5, 6], z: [0] } }), {
      code: 'feed',
      where: 'inputs.z',
      says: ['the graph has no input of this name'],
      expected: 'x',
      found: 'z',
    });
  });

  it('a NaN, when asked to check, naming the node that made it', () => {
    const feeds = { inputs: { x: [1, 2, -1, 4, 5, 6] } };
    expect(Number.isNaN(toArray(evaluate(net, feeds).outputs.y!)[2])).toBe(true);
    expectRejected(() => evaluate(net, feeds, { checkNaN: true }), { code: 'nan', where: 'net/log', says: ['log produced NaN'], expected: 'finite values', found: 'NaN' });
  });
});

describe('a failed load changes nothing', () => {
  it('leaves a previously loaded graph frozen, unchanged and working', () => {
    const loaded = graphFromJSON(graphToJSON(small));
    const before = graphToJSON(loaded);
    const x = [0, 1, 2, -1, -2, 0.5];
    const y = toArray(evaluate(loaded, { inputs: { x } }).outputs.y!);

    const bad = [
      '{"format": "spikeflow-graph", "version": 1, "graph": ',
      edited(loaded, (j) => (j.graph.nodes['n1']!.op = 'negate')),
      edited(loaded, (j) => (j.graph.nodes['n1']!.inputs = ['n3'])),
      edited(loaded, (j) => (j.graph.nodes['n3']!.attrs.axes = [9])),
    ];
    for (const text of bad) expect(() => graphFromJSON(text)).toThrow(SpikeflowError);

    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.nodes)).toBe(true);
    expect(Object.isFrozen(loaded.nodes['n1']!.inputs)).toBe(true);
    expect(() => {
      (loaded.nodes['n1'] as { op: string }).op = 'negate';
    }).toThrow(TypeError);
    expect(graphToJSON(loaded)).toBe(before);
    expect(loaded).toEqual(small);
    expect(toArray(evaluate(loaded, { inputs: { x } }).outputs.y!)).toEqual(y);
    expect(y[0]).toBeCloseTo(Math.exp(0) + Math.exp(-1) + Math.exp(-2), 5);
  });
});
