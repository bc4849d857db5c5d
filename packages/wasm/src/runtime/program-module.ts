import { addKernelLibrary } from '../codegen/kernel-library.js';
import type { KernelStep, Program, Step } from '../compiler/program.js';
import { get, ModuleBuilder } from '../module-builder/index.js';

/** Where a program's module imports its shared memory from. */
export const PROGRAM_MEMORY = { module: 'env', name: 'memory' } as const;

/** Every kernel step of a program, loops walked, in order. */
export function kernelStepsOf(steps: readonly Step[]): KernelStep[] {
  return steps.flatMap((s) => (s.kind === 'kernel' ? [s] : s.kind === 'loop' ? kernelStepsOf(s.body) : []));
}

/**
 * The module of a program: the kernel library once, then every kernel as an exported function
 * `k<n>(lo, hi, step)`, addresses baked in from the memory plan. Returns its binary and the
 * function name of each kernel step.
 */
export function programModule(program: Program, pages: number): { binary: Uint8Array<ArrayBuffer>; names: Map<KernelStep, string> } {
  const module = new ModuleBuilder().importMemory({ ...PROGRAM_MEMORY, initial: pages, maximum: pages, shared: true });
  const lib = addKernelLibrary(module);
  const offsetOf = (value: string): number => {
    const offset = program.offsets.get(value);
    if (offset === undefined) throw new Error(`internal: value '${value}' has no memory`);
    return offset;
  };
  const names = new Map<KernelStep, string>();
  for (const step of kernelStepsOf(program.steps)) {
    if (names.has(step)) continue;
    const name = `k${names.size}`;
    names.set(step, name);
    module.function(name, { params: { lo: 'i32', hi: 'i32', step: 'i32' } }, (p, fn) => ({
      body: step.emit({ fn, lib, lo: get(p.lo), hi: get(p.hi), step: get(p.step), offsetOf, threads: program.threads }),
    }));
  }
  return { binary: module.encode(), names };
}
