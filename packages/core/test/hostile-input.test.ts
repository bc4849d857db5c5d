import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../src/graph.js';
import { initParams } from '../src/init.js';
import { evaluate } from '../src/interpreter/evaluate.js';
import { toArray } from '../src/host-tensor.js';
import { graphFromJSON, graphToJSON } from '../src/json/graph-json.js';
import { MAX_EVALUATION_BYTES, MAX_JSON_DEPTH, MAX_SCAN_LENGTH, MAX_TENSOR_ELEMENTS } from '../src/limits.js';
import { RESERVED_NAMES } from '../src/reserved-names.js';
import { trace } from '../src/trace/builder.js';
import { errorOf } from './support/trace-helpers.js';

/**
 * Graph JSON and feeds written by an attacker: prototype names, deep nesting, huge sizes, long
 * scans and duplicate keys. Each is rejected with one SpikeflowError naming the field or node,
 * before it can overflow the stack, allocate, or change a prototype.
 */

/** A parsed file, edited freely as an attacker would. */
type Json = any;

/** Every own property of Object.prototype with its descriptor: pollution changes this. */
function prototypeSnapshot(): PropertyDescriptorMap {
  return Object.getOwnPropertyDescriptors(Object.prototype);
}

/** Sets an own, enumerable property even for `__proto__`, so JSON.stringify writes it as a key. */
function setOwn(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function idOf(graph: Graph, op: string): string {
  const node = Object.values(graph.nodes).find((n) => n.op === op);
  if (node === undefined) throw new Error(`no ${op} node`);
  return node.id;
}

/** Input, param and state leaves, a state update, a scan with a body, and one output. */
const base = trace((b) => {
  const x = b.input('x', [2]);
  const w = b.param('w', [2], { kind: 'ones' });
  const s = b.state('s', [2]);
  const h = x.mul(w).add(s);
  b.setState(s, h);
  const r = b.scan({ length: 3, carries: [h], body: (_bb, [c]) => ({ carries: [c!.neg()] }) });
  return { y: r.carries[0]!.exp() };
});
const baseText = graphToJSON(base);
const ids = { x: idOf(base, 'input'), w: idOf(base, 'param'), s: idOf(base, 'state'), mul: idOf(base, 'mul'), scan: idOf(base, 'scan') };
const body = (base.nodes[ids.scan]!.attrs as { body: Graph }).body;
const bodyNeg = idOf(body, 'neg');

interface Position {
  readonly label: string;
  /** Puts `name` at this position of the parsed file. */
  readonly put: (json: Json, name: string) => void;
  /** The field the error must name. */
  readonly where: (name: string) => string;
}

/** Renames node `id` of `graph` (a parsed graph) to `name`, with every reference to it. */
function renameNode(graph: Json, id: string, name: string): void {
  const nodes: Json = {};
  for (const [k, node] of Object.entries<Json>(graph.nodes)) {
    node.inputs = node.inputs.map((i: string) => (i === id ? name : i));
    if (k === id) node.id = name;
    setOwn(nodes, k === id ? name : k, node);
  }
  graph.nodes = nodes;
}

const positions: readonly Position[] = [
  { label: 'node id', put: (j, n) => renameNode(j.graph, ids.mul, n), where: (n) => `graph.nodes.${n}` },
  { label: 'node input', put: (j, n) => (j.graph.nodes[ids.mul].inputs[0] = n), where: () => `graph.nodes.${ids.mul}.inputs[0]` },
  { label: 'output name', put: (j, n) => (j.graph.outputs[0].name = n), where: () => 'graph.outputs[0].name' },
  { label: 'output node', put: (j, n) => (j.graph.outputs[0].node = n), where: () => 'graph.outputs[0].node' },
  { label: 'inputs entry', put: (j, n) => (j.graph.inputs[0] = n), where: () => 'graph.inputs[0]' },
  { label: 'params entry', put: (j, n) => (j.graph.params[0] = n), where: () => 'graph.params[0]' },
  { label: 'state node', put: (j, n) => (j.graph.state[0].node = n), where: () => 'graph.state[0].node' },
  { label: 'state update', put: (j, n) => (j.graph.state[0].update = n), where: () => 'graph.state[0].update' },
  { label: 'input name', put: (j, n) => (j.graph.nodes[ids.x].attrs.name = n), where: () => `graph.nodes.${ids.x}.attrs.name` },
  { label: 'param name', put: (j, n) => (j.graph.nodes[ids.w].attrs.name = n), where: () => `graph.nodes.${ids.w}.attrs.name` },
  { label: 'state name', put: (j, n) => (j.graph.nodes[ids.s].attrs.name = n), where: () => `graph.nodes.${ids.s}.attrs.name` },
  { label: 'attr name', put: (j, n) => setOwn(j.graph.nodes[ids.mul].attrs, n, 1), where: (n) => `graph.nodes.${ids.mul}.attrs.${n}` },
  { label: 'node field', put: (j, n) => setOwn(j.graph.nodes[ids.mul], n, 1), where: (n) => `graph.nodes.${ids.mul}.${n}` },
  { label: 'envelope field', put: (j, n) => setOwn(j, n, 1), where: (n) => n },
  { label: 'scan body node id', put: (j, n) => renameNode(j.graph.nodes[ids.scan].attrs.body, bodyNeg, n), where: (n) => `graph.nodes.${ids.scan}.attrs.body.nodes.${n}` },
  {
    label: 'scan body node input',
    put: (j, n) => (j.graph.nodes[ids.scan].attrs.body.nodes[bodyNeg].inputs[0] = n),
    where: () => `${base.nodes[ids.scan]!.name}#graph0.nodes.${bodyNeg}.inputs[0]`,
  },
];

describe('prototype names in graph JSON', () => {
  it('cover every member of Object.prototype', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) expect(RESERVED_NAMES.has(name)).toBe(true);
    expect(RESERVED_NAMES.has('prototype')).toBe(true);
  });

  it('a node input "__proto__" is rejected at its field and leaves Object.prototype alone', () => {
    const before = prototypeSnapshot();
    const json = JSON.parse(baseText);
    json.graph.nodes[ids.mul].inputs = ['__proto__', ids.w];
    const e = errorOf(() => graphFromJSON(JSON.stringify(json)));
    expect(e.code).toBe('schema');
    expect(e.where).toBe(`graph.nodes.${ids.mul}.inputs[0]`);
    expect(e.message).toContain("reserved name '__proto__'");
    expect(prototypeSnapshot()).toEqual(before);
    expect(({} as Record<string, unknown>)[ids.mul]).toBeUndefined();
    expect(graphFromJSON(baseText)).toEqual(base);
  });

  it('constructor, valueOf and toString as inputs, outputs or state updates are named, not TypeErrors', () => {
    for (const name of ['constructor', 'valueOf', 'toString']) {
      for (const [field, put] of [
        [`graph.nodes.${ids.mul}.inputs[0]`, (j: Json) => (j.graph.nodes[ids.mul].inputs[0] = name)],
        ['graph.outputs[0].node', (j: Json) => (j.graph.outputs[0].node = name)],
        ['graph.state[0].update', (j: Json) => (j.graph.state[0].update = name)],
      ] as const) {
        const json = JSON.parse(baseText);
        put(json);
        const e = errorOf(() => graphFromJSON(JSON.stringify(json)));
        expect(e.where).toBe(field);
        expect(e.message).toContain(`reserved name '${name}'`);
      }
    }
  });

  it('an output or param named __proto__ is rejected instead of vanishing', () => {
    const out = JSON.parse(baseText);
    out.graph.outputs[0].name = '__proto__';
    expect(errorOf(() => graphFromJSON(JSON.stringify(out))).where).toBe('graph.outputs[0].name');
    const param = JSON.parse(baseText);
    param.graph.nodes[ids.w].attrs.name = '__proto__';
    expect(errorOf(() => graphFromJSON(JSON.stringify(param))).where).toBe(`graph.nodes.${ids.w}.attrs.name`);
  });

  it('anywhere in a graph: rejected naming the field, with no prototype changed and later loads intact', () => {
    const names = [...RESERVED_NAMES];
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.constantFrom(...names), fc.boolean(), (position, name, pretty) => {
        const before = prototypeSnapshot();
        const json = JSON.parse(baseText);
        position.put(json, name);
        const text = JSON.stringify(json, null, pretty ? 2 : undefined);
        expect(text).toContain(JSON.stringify(name));
        const e = errorOf(() => graphFromJSON(text));
        expect(e.where).toBe(position.where(name));
        expect(e.message).toContain(`at '${position.where(name)}'`);
        expect(e.message).toContain(`reserved name '${name}'`);
        expect(e.message).not.toContain('\n');
        expect(prototypeSnapshot()).toEqual(before);
        expect(graphFromJSON(baseText)).toEqual(base);
      }),
      { numRuns: 400 },
    );
  });

  it('a key spelled with escapes is the same key: "__proto\\u005f_" is rejected too', () => {
    const text = baseText.replace(`"${ids.mul}":{`, `"${ids.mul}":{"__proto\\u005f_":1,`);
    expect(JSON.parse(text).graph.nodes[ids.mul]).toHaveProperty(['__proto__']);
    expect(errorOf(() => graphFromJSON(text)).where).toBe(`graph.nodes.${ids.mul}.__proto__`);
  });
});

describe('evaluate keys results and feeds by own names only', () => {
  it('an output named __proto__ is an ordinary key of the result', () => {
    const g = trace((b) => ({ ['__proto__']: b.input('x', [2]).neg(), constructor: b.input('k', [1]).exp() }));
    const r = evaluate(g, { inputs: { x: [1, -2], k: [0] } });
    expect(Object.keys(r.outputs)).toEqual(['__proto__', 'constructor']);
    expect(toArray(r.outputs['__proto__']!)).toEqual([-1, 2]);
    expect(toArray(r.outputs['constructor']!)).toEqual([1]);
  });

  it('a param named __proto__ is an ordinary key of initParams, and feeds back', () => {
    const g = trace((b) => ({ y: b.input('x', [2]).mul(b.param('__proto__', [2], { kind: 'fill', value: 3 })) }));
    const params = initParams(g);
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(toArray(evaluate(g, { inputs: { x: [1, 2] }, params }).outputs['y']!)).toEqual([3, 6]);
  });

  it('an input named toString is missing from a plain {} feed, not read from its prototype', () => {
    const g = trace((b) => ({ y: b.input('toString', [2]).neg() }));
    const e = errorOf(() => evaluate(g, { inputs: {} }));
    expect({ code: e.code, where: e.where }).toEqual({ code: 'feed', where: 'inputs.toString' });
    expect(e.message).toContain("missing input 'toString'");
  });
});

// --- nesting depth -----------------------------------------------------------------------------

/** Nesting depth of JSON text: the most brackets open at once outside strings (for the test's own truth). */
function depthOf(text: string): number {
  let depth = 0;
  let most = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') most = Math.max(most, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return most;
}

const X = '{"id":"n0","op":"input","inputs":[],"attrs":{"name":"x","shape":[2],"dtype":"f32"},"type":{"shape":[2],"dtype":"f32"},"name":"x"}';
const chainGraph = (op: string, attrs: string) =>
  `{"nodes":{"n0":${X},"n1":{"id":"n1","op":"${op}","inputs":["n0"],"attrs":${attrs},"type":{"shape":[2],"dtype":"f32"},"name":"${op}"}},"inputs":["n0"],"params":[],"state":[],"outputs":[{"name":"d","node":"n1"}]}`;

/**
 * The file of x -> spike, whose custom surrogate derivative is the same graph one level shorter;
 * the shortest is x -> neg. Written as text, each level five containers deeper, so it scales to
 * thousands of levels.
 */
function surrogateChainText(levels: number): string {
  const [before, after] = chainGraph('spike', '{"surrogate":{"kind":"custom","derivative":@}}').split('@');
  return `{"format":"spikeflow-graph","version":1,"graph":${before!.repeat(levels)}${chainGraph('neg', '{}')}${after!.repeat(levels)}}`;
}

describe('nesting depth', () => {
  it('custom surrogates nested 3,000 deep are rejected as too deep, not a stack overflow', () => {
    for (const levels of [0, 1, 3]) {
      const text = surrogateChainText(levels);
      expect(JSON.parse(graphToJSON(graphFromJSON(text)))).toEqual(JSON.parse(text));
    }
    const e = errorOf(() => graphFromJSON(surrogateChainText(3000)));
    expect(e.code).toBe('limit');
    expect(e.where.startsWith('graph.nodes.n1.attrs.surrogate.derivative.nodes.n1.attrs')).toBe(true);
    expect(e.message).toContain(`JSON nested deeper than ${MAX_JSON_DEPTH} arrays and objects`);
  });

  it('attrs nested 200,000 arrays deep are rejected naming the attr', () => {
    const g = trace((b) => ({ y: b.input('x', [1]).add(b.constant([2], [1])) }));
    const c = idOf(g, 'constant');
    const deep = `${'['.repeat(200_000)}1${']'.repeat(200_000)}`;
    const text = graphToJSON(g).replace('"value":[2]', `"value":${deep}`);
    expect(text).not.toBe(graphToJSON(g));
    const e = errorOf(() => graphFromJSON(text));
    expect(e.code).toBe('limit');
    expect(e.where).toBe(`graph.nodes.${c}.attrs.value[0][0][0][0][0][0][0]...`);
  });

  it('graphs nested below the limit load; above it, a clean limit error', () => {
    const limitAt = Math.floor(MAX_JSON_DEPTH / 5);
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: limitAt + 15 }), (levels) => {
        const text = surrogateChainText(levels);
        if (depthOf(text) <= MAX_JSON_DEPTH) {
          expect(JSON.parse(graphToJSON(graphFromJSON(text)))).toEqual(JSON.parse(text));
          loaded++;
        } else {
          const e = errorOf(() => graphFromJSON(text));
          expect(e.code).toBe('limit');
          expect(e.where.startsWith('graph.nodes.n1.attrs.surrogate.derivative')).toBe(true);
          refused++;
        }
      }),
      { numRuns: 60 },
    );
    expect(loaded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('arrays and objects at random depths around the limit: a schema error below, a limit error above', () => {
    const g = trace((b) => ({ y: b.input('x', [1]).add(b.constant([2], [1])) }));
    const c = idOf(g, 'constant');
    fc.assert(
      // One level would be a valid value ([1]); from two on, only the schema or the limit can object.
      fc.property(fc.integer({ min: 2, max: MAX_JSON_DEPTH + 40 }), fc.boolean(), (levels, objects) => {
        const [open, close] = objects ? ['{"a":', '}'] : ['[', ']'];
        const text = graphToJSON(g).replace('"value":[2]', `"value":${open.repeat(levels)}1${close.repeat(levels)}`);
        const e = errorOf(() => graphFromJSON(text));
        expect(e.message).not.toContain('\n');
        if (depthOf(text) > MAX_JSON_DEPTH) {
          expect(e.code).toBe('limit');
          expect(e.where.startsWith(`graph.nodes.${c}.attrs.value`)).toBe(true);
        } else {
          expect(e.code).toBe('attr');
          expect(e.where.startsWith(`${g.nodes[c]!.name}.attrs.value`)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});

// --- sizes -------------------------------------------------------------------------------------

describe('sizes', () => {
  it('a 2e9-wide layer is rejected while tracing, naming the param', () => {
    const e = errorOf(() =>
      trace((b) => {
        const x = b.input('x', [1, 4]);
        return { y: b.scope('layer', () => x.matmul(b.param('w', [4, 2e9], { kind: 'zeros' }))) };
      }),
    );
    expect({ code: e.code, where: e.where }).toEqual({ code: 'limit', where: 'layer/w' });
    expect(e.message).toContain(`exceeds the limit of ${MAX_TENSOR_ELEMENTS} elements per tensor`);
    expect(e.found).toBe('f32[4, 2000000000]');
  });

  it('a batch of 1e8 is rejected naming the input', () => {
    const e = errorOf(() => trace((b) => ({ y: b.input('images', [1e8, 784]).sum([1]) })));
    expect({ code: e.code, where: e.where }).toEqual({ code: 'limit', where: 'images' });
  });

  it('tensors each under the limit but over the bytes of one evaluation are rejected before allocating', () => {
    // 2^27 f32 elements are 2^29 bytes: four fit in 2^31 bytes, the fifth (exp_1) does not.
    expect(MAX_EVALUATION_BYTES).toBe(2 ** 31);
    const g = trace((b) => ({ y: b.input('x', [2 ** 27]).neg().exp().neg().exp() }));
    const e = errorOf(() => evaluate(g, { inputs: { x: [0] } }));
    expect({ code: e.code, where: e.where }).toEqual({ code: 'limit', where: 'exp_1' });
    expect(e.found).toBe(`${5 * 2 ** 29} bytes (f32)`);
    // At f64 each is 2^30 bytes: the third (exp) crosses.
    expect(errorOf(() => evaluate(g, { inputs: { x: [0] } }, { precision: 'f64' })).where).toBe('exp');
  });

  it('a scan whose stacked outputs cross the bytes of one evaluation is named before any step runs', () => {
    // h is 2^25 f32 (2^27 bytes); the scan holds its carry (2^27) and two stacked [8, 2^25] (2^30 each).
    const g = trace((b) => {
      const r = b.scan({ length: 8, carries: [b.input('h', [2 ** 25])], body: (_bb, [c]) => ({ carries: [c!.neg()], outputs: [c!.exp(), c!.sin()] }) });
      return { y: r.outputs[0]! };
    });
    const e = errorOf(() => evaluate(g, { inputs: { h: [0] } }));
    expect({ code: e.code, where: e.where, found: e.found }).toEqual({ code: 'limit', where: 'scan', found: `${2 ** 28 + 2 ** 31} bytes (f32)` });
  });

  it('random shapes in graph JSON: over the limit rejected naming the node, under it loaded', () => {
    const g = trace((b) => ({ y: b.input('x', [2]) }));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 31 }), { minLength: 1, maxLength: 4 }), (shape) => {
        const json = JSON.parse(graphToJSON(g));
        json.graph.nodes.n0.attrs.shape = shape;
        json.graph.nodes.n0.type.shape = shape;
        const text = JSON.stringify(json);
        const size = shape.reduce((a, d) => a * d, 1);
        if (size <= MAX_TENSOR_ELEMENTS) expect(graphFromJSON(text).nodes['n0']!.type).toEqual({ shape, dtype: 'f32' });
        else {
          const e = errorOf(() => graphFromJSON(text));
          expect({ code: e.code, where: e.where }).toEqual({ code: 'limit', where: 'x' });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a scan length over the limit is rejected at load, naming the scan; the limit itself is accepted', () => {
    const scanOf = (length: number) => trace((b) => ({ y: b.scan({ length, carries: [b.input('h', [1])], body: (_bb, [c]) => ({ carries: [c!.neg()] }) }).carries[0]! }));
    const atLimit = scanOf(MAX_SCAN_LENGTH);
    expect(graphFromJSON(graphToJSON(atLimit))).toEqual(atLimit);
    const scan = idOf(atLimit, 'scan');
    for (const length of [MAX_SCAN_LENGTH + 1, 2 ** 32]) {
      const json = JSON.parse(graphToJSON(atLimit));
      json.graph.nodes[scan].attrs.length = length;
      const e = errorOf(() => graphFromJSON(JSON.stringify(json)));
      expect({ code: e.code, where: e.where, found: e.found }).toEqual({ code: 'limit', where: 'scan', found: `${length}` });
    }
    expect(errorOf(() => scanOf(MAX_SCAN_LENGTH + 1)).code).toBe('limit');
  });
});

// --- duplicate keys ----------------------------------------------------------------------------

/** Every non-empty object of a parsed file with its path. */
function objectsOf(root: Json): { object: Json; path: (string | number)[] }[] {
  const found: { object: Json; path: (string | number)[] }[] = [];
  const todo: { value: Json; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (todo.length > 0) {
    const { value, path } = todo.pop()!;
    if (Array.isArray(value)) value.forEach((v, i) => todo.push({ value: v, path: [...path, i] }));
    else if (typeof value === 'object' && value !== null) {
      if (Object.keys(value).length > 0) found.push({ object: value, path });
      for (const [k, v] of Object.entries(value)) todo.push({ value: v, path: [...path, k] });
    }
  }
  return found;
}

/** JSON text of `value` in which `target` has `key` a second time, inserted at entry `at`. */
function withDuplicate(value: Json, target: Json, key: string, at: number): string {
  if (Array.isArray(value)) return `[${value.map((v) => withDuplicate(v, target, key, at)).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.keys(value).map((k) => `${JSON.stringify(k)}:${withDuplicate(value[k], target, key, at)}`);
  if (value === target) entries.splice(at % (entries.length + 1), 0, `${JSON.stringify(key)}:${JSON.stringify(value[key])}`);
  return `{${entries.join(',')}}`;
}

/** `graph.nodes.n1.inputs[0]`, written out independently of the loader. */
const pathText = (path: readonly (string | number)[]) => path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '');

describe('duplicate keys', () => {
  it('a node key given twice (JSON.parse keeps the last) is rejected naming it', () => {
    const json = JSON.parse(baseText);
    const mul = JSON.stringify(json.graph.nodes[ids.mul]);
    const text = baseText.replace(`"${ids.mul}":${mul}`, `"${ids.mul}":${mul.replace('"mul"', '"add"')},"${ids.mul}":${mul}`);
    expect(graphFromJSON.bind(null, baseText)).not.toThrow();
    expect(JSON.parse(text)).toEqual(json);
    const e = errorOf(() => graphFromJSON(text));
    expect({ code: e.code, where: e.where }).toEqual({ code: 'json', where: `graph.nodes.${ids.mul}` });
    expect(e.message).toContain(`duplicate key '${ids.mul}'`);
    // The same key spelled with an escape is the same key.
    const escaped = text.replace(`,"${ids.mul}":`, `,"${ids.mul.slice(0, -1)}\\u00${ids.mul.charCodeAt(ids.mul.length - 1).toString(16)}":`);
    expect(escaped).not.toBe(text);
    expect(errorOf(() => graphFromJSON(escaped)).where).toBe(`graph.nodes.${ids.mul}`);
  });

  it('at random objects and depths, rejected naming the key and its path', () => {
    const files = [JSON.parse(baseText), JSON.parse(surrogateChainText(6))];
    fc.assert(
      fc.property(fc.nat({ max: files.length - 1 }), fc.nat(), fc.nat(), fc.nat(), (f, pick, keyPick, at) => {
        const root = files[f];
        const objects = objectsOf(root);
        const { object, path } = objects[pick % objects.length]!;
        const keys = Object.keys(object);
        const key = keys[keyPick % keys.length]!;
        const text = withDuplicate(root, object, key, at);
        expect(JSON.parse(text)).toEqual(root);
        const e = errorOf(() => graphFromJSON(text));
        // Messages show at most 12 segments of a path.
        const segments = [...path, key];
        const where = segments.length > 12 ? `${pathText(segments.slice(0, 12))}...` : pathText(segments);
        expect({ code: e.code, where: e.where }).toEqual({ code: 'json', where });
        expect(e.message).toContain(`duplicate key '${key}'`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('long graphs', () => {
  it('a chain of 20,000 nodes loads and runs without a stack overflow', () => {
    const n = 20_000;
    const t = '{"shape":[1],"dtype":"f32"}';
    const nodes = [`"n0":{"id":"n0","op":"input","inputs":[],"attrs":{"name":"x","shape":[1],"dtype":"f32"},"type":${t},"name":"x"}`];
    for (let i = 1; i < n; i++) nodes.push(`"n${i}":{"id":"n${i}","op":"neg","inputs":["n${i - 1}"],"attrs":{},"type":${t},"name":"neg${i}"}`);
    const text = `{"format":"spikeflow-graph","version":1,"graph":{"nodes":{${nodes.join(',')}},"inputs":["n0"],"params":[],"state":[],"outputs":[{"name":"y","node":"n${n - 1}"}]}}`;
    const g = graphFromJSON(text);
    // n - 1 negations of 3: an odd count gives -3.
    expect(toArray(evaluate(g, { inputs: { x: [3] } }).outputs['y']!)).toEqual([(n - 1) % 2 === 1 ? -3 : 3]);
  });
});
