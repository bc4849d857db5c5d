// The WebAssembly kernel lowering table is typed by the WASM rules: every primitive whose rule is `kernel`
// must have a lowering, and nothing else may. Shown by type-checking small tables against the real
// types with the TypeScript compiler API, and by comparing the table's keys with the rules.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasmRules } from '../src/codegen/wasm-rules.js';
import { kernelLowerings } from '../src/compiler/kernel-lowerings.js';
import { messageOf, typeCheck } from '../../../test/support/type-check.js';

const TEST_DIR = dirname(fileURLToPath(import.meta.url));

/** A module declaring a lowering table with these entries, as a file beside this test would. */
function tableSource(entries: readonly string[]): string {
  return [
    "import type { KernelLoweringTable } from '../src/compiler/kernel-lowerings.js';",
    "import { lowerConv } from '../src/compiler/conv-steps.js';",
    "import { lowerMatmul } from '../src/compiler/matmul-steps.js';",
    "import { lowerReduction } from '../src/compiler/reduce-steps.js';",
    `export const table: KernelLoweringTable = { ${entries.join(', ')} };`,
  ].join('\n');
}

const COMPLETE = ['sum: lowerReduction', 'max: lowerReduction', 'mean: lowerReduction', 'matmul: lowerMatmul', 'conv1d: lowerConv', 'conv2d: lowerConv'];

/** tsc's messages for in-memory modules (file name -> source) placed in this test's folder. */
function typeErrors(modules: Readonly<Record<string, string>>): Map<string, string[]> {
  const files = new Map(Object.entries(modules).map(([name, text]) => [join(TEST_DIR, name), text]));
  const diagnostics = typeCheck({ files });
  return new Map(Object.keys(modules).map((name) => [name, diagnostics.get(join(TEST_DIR, name))!.map(messageOf)]));
}

describe('kernel lowering table', () => {
  it('has an entry for exactly the primitives whose WASM rule is a kernel', () => {
    const kernels = Object.entries(wasmRules).filter(([, rule]) => rule.kind === 'kernel').map(([op]) => op);
    expect(Object.keys(kernelLowerings).sort()).toEqual(kernels.sort());
    expect(kernels.sort()).toEqual(['conv1d', 'conv2d', 'matmul', 'max', 'mean', 'sum']);
  });

  it('fails type-checking without a kernel primitive, or with a primitive that is not one', () => {
    const errors = typeErrors({
      'complete-lowerings.ts': tableSource(COMPLETE),
      'missing-lowering.ts': tableSource(COMPLETE.filter((e) => !e.startsWith('conv2d'))),
      'extra-lowering.ts': tableSource([...COMPLETE, 'add: lowerReduction']),
    });
    expect(errors.get('complete-lowerings.ts')).toEqual([]);
    expect(errors.get('missing-lowering.ts')).toHaveLength(1);
    expect(errors.get('missing-lowering.ts')![0]).toMatch(/Property 'conv2d' is missing in type .* but required in type 'KernelLoweringTable'/);
    expect(errors.get('extra-lowering.ts')).toHaveLength(1);
    expect(errors.get('extra-lowering.ts')![0]).toMatch(/'add' does not exist in type 'KernelLoweringTable'/);
  });
});
