// Adding a primitive must make tsc name every table that needs an entry for it: each table of
// per-primitive rules is typed over the whole primitive set (or one op family), so none can
// silently miss a new op. Shown by type-checking the packages' sources with three hypothetical
// primitives and reading off, per file and top-level declaration, which of them tsc says is missing.
//
// - `newOp`, a primitive with its own attrs, is added by augmenting core's `PrimitiveAttrs`.
// - `newUnary` and `newReduce` join the op families `UNARY_OPS` and `REDUCE_OPS`. Those are const
//   tuples (the types `UnaryOp` and `ReduceOp` are derived from their values), which declaration
//   merging cannot extend, so here primitives.ts is type-checked with the names added to its text.
//
// A new kernel primitive (a WGSL rule of kind `kernel`) also needs an entry in webgpu's
// `kernelLowerings`; packages/webgpu/test/kernel-lowerings.test.ts shows tsc demands it.
// Only the packages' sources are checked: they hold every table, and tests, examples and bench
// would triple the time.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { messageOf, REPO_ROOT, typeCheck } from './support/type-check.js';

const NEW_OPS = ['newOp', 'newUnary', 'newReduce'] as const;

const PRIMITIVES = join(REPO_ROOT, 'packages/core/src/primitives.ts');
const AUGMENTATION = join(REPO_ROOT, 'test/new-primitive.ts');

/** `text` with `from` replaced by `to`, failing loudly when the text has moved on. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`primitives.ts no longer contains ${JSON.stringify(from)}; update this test`);
  return text.replace(from, to);
}

function primitivesWithNewFamilyMembers(): string {
  const text = readFileSync(PRIMITIVES, 'utf8');
  const withUnary = edit(text, "'logicalNot',\n] as const", "'logicalNot', 'newUnary',\n] as const");
  return edit(withUnary, "REDUCE_OPS = ['sum', 'max', 'mean'] as const", "REDUCE_OPS = ['sum', 'max', 'mean', 'newReduce'] as const");
}

const AUGMENTATION_SOURCE = [
  "import type { NoAttrs } from '../packages/core/src/primitives.js';",
  '',
  "declare module '../packages/core/src/graph.js' {",
  '  interface PrimitiveAttrs {',
  '    newOp: NoAttrs;',
  '  }',
  '}',
].join('\n');

/** The name of the top-level declaration of `source` that contains position `at`. */
function declarationAt(source: ts.SourceFile, at: number): string {
  const statement = source.statements.find((s) => s.getStart(source) <= at && at < s.end);
  if (statement === undefined) return '<file>';
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((d) => d.name.getText(source)).join(', ');
  if ((ts.isFunctionDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement)) && statement.name !== undefined) {
    return statement.name.text;
  }
  return `<${ts.SyntaxKind[statement.kind]}>`;
}

/** Which of the new ops a message says is missing (or, for a kernel lowering, is not a kernel op). */
function missingOps(message: string): string[] {
  const named = [
    ...[...message.matchAll(/Property '(\w+)' is missing in type/g)].map((m) => [m[1]!]),
    ...[...message.matchAll(/is missing the following properties from type .*': ([\w, ]+)$/gm)].map((m) => m[1]!.split(', ')),
    ...[...message.matchAll(/Type '"(\w+)"' is not assignable to type '(?:Wasm)?KernelOp'/g)].map((m) => [m[1]!]),
  ].flat();
  return NEW_OPS.filter((op) => named.includes(op));
}

describe('primitive tables', () => {
  it('tsc names every table that lacks a new primitive, and nothing else', () => {
    const diagnostics = typeCheck({
      files: new Map([
        [PRIMITIVES, primitivesWithNewFamilyMembers()],
        [AUGMENTATION, AUGMENTATION_SOURCE],
      ]),
      // The CLI's sources hold no primitive table and need Node's types, which this check leaves out.
      include: (path) => /^packages\/(?!cli\/)[^/]+\/src\//.test(path),
    });
    // `file > declaration` -> the new ops its errors name as missing.
    const found: Record<string, string[]> = {};
    for (const [file, list] of diagnostics) {
      for (const d of list) {
        const key = `${relative(REPO_ROOT, file)} > ${d.file === undefined || d.start === undefined ? '<program>' : declarationAt(d.file, d.start)}`;
        found[key] = [...new Set([...(found[key] ?? []), ...missingOps(messageOf(d))])].sort();
      }
    }
    expect(found).toEqual({
      // core: what a reduction computes (read by every backend).
      'packages/core/src/primitives.ts > REDUCTIONS': ['newReduce'],
      // core: shape/dtype inference and the CPU reference.
      'packages/core/src/rules/index.ts > inferRules': ['newOp'],
      'packages/core/src/rules/index.ts > cpuRules': ['newOp'],
      'packages/core/src/rules/elementwise.ts > UNARY': ['newUnary'],
      'packages/core/src/rules/reduce.ts > DTYPES': ['newReduce'],
      'packages/core/src/rules/reduce.ts > reduceInfer': ['newReduce'],
      'packages/core/src/rules/reduce.ts > reduceCpu': ['newReduce'],
      // core: graph JSON's attr schemas.
      'packages/core/src/json/schema.ts > attrSchemas': ['newOp', 'newReduce', 'newUnary'],
      // autodiff: VJPs.
      'packages/autodiff/src/rules/index.ts > vjpRules': ['newOp'],
      'packages/autodiff/src/rules/elementwise.ts > elementwiseVjp': ['newUnary'],
      'packages/autodiff/src/rules/reduce.ts > reduceVjp': ['newReduce'],
      // webgpu: WGSL rules (`rules` is checked by `satisfies`; `wgslRules` is it, typed; `KernelOp`
      // indexes it by every primitive, so it fails too, naming none).
      'packages/webgpu/src/codegen/wgsl-rules.ts > rules': ['newOp', 'newReduce', 'newUnary'],
      'packages/webgpu/src/codegen/wgsl-rules.ts > wgslRules': ['newOp', 'newReduce', 'newUnary'],
      'packages/webgpu/src/codegen/wgsl-rules.ts > KernelOp': [],
      // webgpu: a reduction's lowering takes only kernel ops, so a reduction needs the WGSL rule `kernel`.
      'packages/webgpu/src/compiler/reduce-steps.ts > lowerReduction': ['newReduce'],
      // wasm: the same for the WebAssembly rules and the WebAssembly compiler's reduction lowering.
      'packages/wasm/src/codegen/wasm-rules.ts > rules': ['newOp', 'newReduce', 'newUnary'],
      'packages/wasm/src/codegen/wasm-rules.ts > wasmRules': ['newOp', 'newReduce', 'newUnary'],
      'packages/wasm/src/codegen/wasm-rules.ts > WasmKernelOp': [],
      'packages/wasm/src/compiler/reduce-steps.ts > lowerReduction': ['newReduce'],
      'packages/wasm/src/compiler/reduce-steps.ts > splitSteps': ['newReduce'],
    });
    expect(diagnostics.get(AUGMENTATION)).toEqual([]);
  });
});
