// Shared by the WebGPU and WebAssembly backends' tests of their kernel lowering tables: each table is
// typed by its backend's rules, so every primitive whose rule is `kernel` must have a lowering and
// nothing else may. Shown by comparing the table's keys with the rules, and by type-checking small
// tables against the real types with the TypeScript compiler API.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageOf, typeCheck } from './type-check.js';

export interface KernelLoweringTableCase {
  /** The rules' name in test titles, e.g. `WGSL`. */
  readonly rulesName: string;
  /** The backend's rule table: primitive -> rule with a `kind`. */
  readonly rules: Readonly<Record<string, { readonly kind: string }>>;
  readonly kernelLowerings: object;
  /** The test's folder; the in-memory tables are placed there, importing `../src/compiler/*`. */
  readonly testDir: string;
}

/** A module declaring a lowering table with these entries, as a file beside the test would. */
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

export function describeKernelLoweringTable({ rulesName, rules, kernelLowerings, testDir }: KernelLoweringTableCase): void {
  /** tsc's messages for in-memory modules (file name -> source) placed in the test's folder. */
  function typeErrors(modules: Readonly<Record<string, string>>): Map<string, string[]> {
    const files = new Map(Object.entries(modules).map(([name, text]) => [join(testDir, name), text]));
    const diagnostics = typeCheck({ files });
    return new Map(Object.keys(modules).map((name) => [name, diagnostics.get(join(testDir, name))!.map(messageOf)]));
  }

  describe('kernel lowering table', () => {
    it(`has an entry for exactly the primitives whose ${rulesName} rule is a kernel`, () => {
      const kernels = Object.entries(rules).filter(([, rule]) => rule.kind === 'kernel').map(([op]) => op);
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
}
