// SIMD elementwise f32 kernels over an element range [start, end) of row-major buffers: four lanes
// per step, then a scalar tail. The thread pool gives each thread a range whose start is a multiple
// of four, so only the last range has a tail.
import { f32, f32x4, get, i32, set, v128, type Expr, type LocalAllocator, type ModuleBuilder, type Stmt } from '../module-builder/index.js';
import { forRange } from './loops.js';

/** The address of f32 element `index` of the buffer at byte offset `base`. */
const element = (base: Expr<'i32'>, index: Expr<'i32'>) => i32.add(base, i32.shl(index, i32.const(2)));

/** The vector loop over whole groups of four from `start`, then the scalar tail up to `end`. */
function simdThenScalar(fn: LocalAllocator, start: Expr<'i32'>, end: Expr<'i32'>, vector: (i: Expr<'i32'>) => Stmt, scalar: (i: Expr<'i32'>) => Stmt): Stmt[] {
  const i = fn.local('i32');
  const vectorEnd = fn.local('i32');
  return [
    set(vectorEnd, i32.add(start, i32.and(i32.sub(end, start), i32.const(~3)))),
    ...forRange(i, start, get(vectorEnd), 4, [vector(get(i))]),
    ...forRange(i, get(vectorEnd), end, 1, [scalar(get(i))]),
  ];
}

/**
 * Adds the exported elementwise kernels, each over elements [start, end):
 * `scale(x, out, alpha, start, end)`: out = alpha·x; `add(x, y, out, start, end)`: out = x + y;
 * `mul(x, y, out, start, end)`: out = x·y. Buffers are byte offsets; `out` may alias an input.
 */
export function addElementwiseKernels(module: ModuleBuilder): void {
  module.function('scale', { params: { x: 'i32', out: 'i32', alpha: 'f32', start: 'i32', end: 'i32' } }, (p, fn) => {
    const alpha4 = fn.local('v128');
    return {
      body: [
        set(alpha4, f32x4.splat(get(p.alpha))),
        ...simdThenScalar(
          fn,
          get(p.start),
          get(p.end),
          (i) => v128.store(element(get(p.out), i), f32x4.mul(get(alpha4), v128.load(element(get(p.x), i), { align: 4 })), { align: 4 }),
          (i) => f32.store(element(get(p.out), i), f32.mul(get(p.alpha), f32.load(element(get(p.x), i)))),
        ),
      ],
    };
  });
  const binary = (name: 'add' | 'mul', vectorOp: typeof f32x4.add, scalarOp: typeof f32.add) =>
    module.function(name, { params: { x: 'i32', y: 'i32', out: 'i32', start: 'i32', end: 'i32' } }, (p, fn) => ({
      body: simdThenScalar(
        fn,
        get(p.start),
        get(p.end),
        (i) => v128.store(element(get(p.out), i), vectorOp(v128.load(element(get(p.x), i), { align: 4 }), v128.load(element(get(p.y), i), { align: 4 })), { align: 4 }),
        (i) => f32.store(element(get(p.out), i), scalarOp(f32.load(element(get(p.x), i)), f32.load(element(get(p.y), i)))),
      ),
    }));
  binary('add', f32x4.add, f32.add);
  binary('mul', f32x4.mul, f32.mul);
}
