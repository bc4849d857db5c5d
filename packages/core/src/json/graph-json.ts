import type { z } from 'zod';
import { fail, SpikeflowError } from '../errors.js';
import { freezeGraph, type Graph } from '../graph.js';
import { validateGraph } from '../validate.js';
import { formatPath, type Path } from './path.js';
import { envelopeSchema, GRAPH_JSON_FORMAT, GRAPH_JSON_VERSION, NEGATIVE_ZERO } from './schema.js';
import { checkJsonText } from './text-structure.js';

/**
 * Graph JSON I/O. The file is an envelope `{ format, version, graph }`. Reading checks, in
 * order: JSON syntax, the text's nesting depth, duplicate and reserved keys, the envelope, the
 * zod schema (structure, ops, attrs), then `validateGraph` (reserved names, cycles, interface,
 * re-inferred types, sizes). The result is a new frozen graph or a
 * SpikeflowError; nothing is half loaded.
 */

export interface GraphToJSONOptions {
  /** Indent with two spaces. */
  readonly pretty?: boolean;
}

// --- writing ---------------------------------------------------------------------------------

/** Fields of the envelope, graph and node in reading order; other keys follow alphabetically. */
const KEY_ORDER = ['format', 'version', 'graph', 'id', 'op', 'nodes', 'inputs', 'params', 'state', 'outputs', 'attrs', 'type', 'name', 'node', 'update'];
const keyRank = (k: string) => {
  const i = KEY_ORDER.indexOf(k);
  return i < 0 ? KEY_ORDER.length : i;
};
const byKey = (a: string, b: string) => keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0);
/** Node ids in natural order (n2 before n10). */
const byId = new Intl.Collator('en', { numeric: true }).compare;

/**
 * A copy with keys in a fixed order, so equal graphs give equal text however they were built.
 * JSON.stringify would write NaN and Infinity as null, so they are refused here, at their path.
 */
function canonical(value: unknown, path: Path): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('json', formatPath(path), 'JSON cannot hold this number', 'a finite number', String(value));
    return Object.is(value, -0) ? NEGATIVE_ZERO : value;
  }
  if (Array.isArray(value)) return value.map((v, i) => canonical(v, [...path, i]));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value).sort(path[path.length - 1] === 'nodes' ? byId : byKey);
  return Object.fromEntries(keys.map((k) => [k, canonical((value as Record<string, unknown>)[k], [...path, k])]));
}

/** The graph as JSON text: `{ "format": "spikeflow-graph", "version": 1, "graph": {...} }`. */
export function graphToJSON(graph: Graph, options: GraphToJSONOptions = {}): string {
  const envelope = { format: GRAPH_JSON_FORMAT, version: GRAPH_JSON_VERSION, graph };
  return JSON.stringify(canonical(envelope, []), null, options.pretty ? 2 : undefined);
}

// --- reading ---------------------------------------------------------------------------------

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** A short rendering of a found value for messages. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The innermost node a path runs through (nested graphs included), with the path after it. */
function enclosingNode(root: unknown, path: Path): { name: string; op: unknown; rest: Path } | undefined {
  let found: { name: string; op: unknown; rest: Path } | undefined;
  for (let i = 0; i + 1 < path.length; i++) {
    if (path[i] !== 'nodes') continue;
    const node = valueAt(root, path.slice(0, i + 2)) as { name?: unknown; op?: unknown } | undefined;
    if (typeof node !== 'object' || node === null) continue;
    const name = typeof node.name === 'string' ? node.name : String(path[i + 1]);
    found = { name, op: node.op, rest: path.slice(i + 2) };
  }
  return found;
}

/** Follows a failed union into the option that came closest (fewest issues), for a precise message. */
function leafIssue(issue: z.core.$ZodIssue, prefix: Path = []): { issue: z.core.$ZodIssue; path: Path } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
    if (closest[0] !== undefined) return leafIssue(closest[0], path);
  }
  return { issue, path };
}

function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' or ');
    case 'unrecognized_keys':
      return 'only the documented fields';
    case 'too_small':
      return `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    default:
      return undefined;
  }
}

/**
 * A zod issue as a SpikeflowError: an unknown op names the node; a bad attr names the node's scope
 * path plus the attr field; anything else names the JSON path. The message keeps zod's text.
 */
function issueError(first: z.core.$ZodIssue, root: unknown, others: number): SpikeflowError {
  const { issue, path } = leafIssue(first);
  const more = others > 0 ? ` (and ${others} more problem${others === 1 ? '' : 's'})` : '';
  const found = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : describe(valueAt(root, path));
  const node = enclosingNode(root, path);
  if (node !== undefined && node.rest.length === 1 && node.rest[0] === 'op') {
    if (typeof node.op === 'string') {
      return new SpikeflowError({ code: 'unknown-op', where: node.name, message: `unknown op '${node.op}'${more}`, expected: 'a spikeflow primitive', found: node.op });
    }
    return new SpikeflowError({ code: 'schema', where: formatPath(path), message: `node '${node.name}' needs an op naming a primitive${more}`, expected: 'a string', found });
  }
  if (node !== undefined && node.rest[0] === 'attrs') {
    const field = formatPath(node.rest);
    return new SpikeflowError({ code: 'attr', where: `${node.name}.${field}`, message: `bad ${String(node.op)} attrs: ${issue.message}${more}`, expected: expectedOf(issue), found });
  }
  const context = node === undefined ? '' : `node '${node.name}': `;
  return new SpikeflowError({ code: 'schema', where: formatPath(path), message: `${context}${issue.message}${more}`, expected: expectedOf(issue), found });
}

/** Where a parser message's "position N" points: line and column (1-based) and the text there. */
function syntaxLocation(text: string, message: string): { where: string; found: string } {
  const m = /position (\d+)/.exec(message);
  if (m === null) return { where: /end of JSON/i.test(message) ? 'end of JSON text' : 'JSON text', found: describe(text) };
  const at = Number(m[1]);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { where: `line ${line}, column ${at - before.lastIndexOf('\n')}`, found: describe(text.slice(at, at + 24)) };
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const { where, found } = syntaxLocation(text, message);
    return fail('json', where, `not valid JSON: ${message}`, 'valid JSON', found);
  }
}

/** Format and version first: a newer file may differ anywhere, so its structure is not judged. */
function checkHeader(raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('schema', '<root>', 'a spikeflow graph file is a JSON object', `{ "format": "${GRAPH_JSON_FORMAT}", "version": ${GRAPH_JSON_VERSION}, "graph": ... }`, describe(raw));
  }
  const { format, version } = raw as { format?: unknown; version?: unknown };
  if (format !== GRAPH_JSON_FORMAT) fail('schema', 'format', 'not a spikeflow graph file', JSON.stringify(GRAPH_JSON_FORMAT), describe(format));
  if (typeof version === 'number' && version > GRAPH_JSON_VERSION) {
    fail('schema', 'version', `this graph was written by a newer spikeflow (format version ${version}); upgrade to read it`, `${GRAPH_JSON_VERSION}`, `${version}`);
  }
  if (version !== GRAPH_JSON_VERSION) fail('schema', 'version', 'unsupported graph format version', `${GRAPH_JSON_VERSION}`, describe(version));
}

/**
 * Reads a graph from JSON text, checking everything before returning: syntax, depth, duplicate
 * and reserved keys, envelope, schema, ops, attrs, then `validateGraph`. Returns a new frozen graph or throws a SpikeflowError.
 */
export function graphFromJSON(text: string): Graph {
  const raw = parseText(text);
  // Before anything walks the parsed value recursively (zod, describe's JSON.stringify).
  checkJsonText(text);
  checkHeader(raw);
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const [first, ...others] = parsed.error.issues;
    throw issueError(first!, raw, others.length);
  }
  const graph = parsed.data.graph;
  validateGraph(graph);
  return freezeGraph(graph);
}
