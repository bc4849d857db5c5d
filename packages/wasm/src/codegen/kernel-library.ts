import { call, f32, get, i32, select, type Callee, type Expr, type LocalAllocator, type ModuleBuilder, type Stmt } from '../module-builder/index.js';
import { scalarLanes, vectorLanes } from './lanes.js';
import { cos2piBody, expBody, logBody, sigmoidBody, sinCosScalarBody, tanhBody } from './math.js';
import { powBody } from './math-pow.js';
import { addRngFunctions, type RngFunctions } from './philox.js';

type F1 = Callee<readonly ['f32'], 'f32'>;
type F2 = Callee<readonly ['f32', 'f32'], 'f32'>;
type V1 = Callee<readonly ['v128'], 'v128'>;
type I2 = Callee<readonly ['i32', 'i32'], 'i32'>;
type I1 = Callee<readonly ['i32'], 'i32'>;

/**
 * The internal functions generated kernels call: f32 math (scalar, and f32x4 for the neuron hot
 * paths exp, tanh, sigmoid), the integer operations whose CPU semantics need an operand twice
 * (division by zero gives 0, min/max, abs, sign), and the Philox draws.
 */
export interface KernelLibrary {
  readonly exp: F1;
  readonly log: F1;
  readonly sin: F1;
  readonly cos: F1;
  readonly tanh: F1;
  readonly sigmoid: F1;
  readonly pow: F2;
  /** Math.sign: ±1, ±0 kept, NaN kept. */
  readonly sign: F1;
  /** cos 2πu for u in [0, 1) (Box–Muller's angle). */
  readonly cos2pi: F1;
  readonly exp4: V1;
  readonly tanh4: V1;
  readonly sigmoid4: V1;
  readonly idiv_s: I2;
  readonly idiv_u: I2;
  readonly imin_s: I2;
  readonly imin_u: I2;
  readonly imax_s: I2;
  readonly imax_u: I2;
  readonly iabs: I1;
  readonly isign: I1;
  readonly rng: RngFunctions;
}

/** Adds the library's functions to `module` (once per module, before the kernels that call them). */
export function addKernelLibrary(module: ModuleBuilder): KernelLibrary {
  const f1 = (name: string, build: (x: Expr<'f32'>, fn: LocalAllocator) => { body: readonly Stmt[]; result: Expr<'f32'> }) =>
    module.helper(name, ['f32'] as const, 'f32', ([x], fn) => build(get(x), fn));
  const exp = f1('math_exp', (x, fn) => expBody(scalarLanes, fn, x));
  const callExp = (a: Expr<'f32'>) => call(exp, [a]);
  const log = f1('math_log', (x, fn) => logBody(scalarLanes, fn, x));
  const sin = f1('math_sin', (x, fn) => sinCosScalarBody(fn, x, false));
  const cos = f1('math_cos', (x, fn) => sinCosScalarBody(fn, x, true));
  const tanh = f1('math_tanh', (x, fn) => tanhBody(scalarLanes, fn, x, callExp));
  const sigmoid = f1('math_sigmoid', (x, fn) => sigmoidBody(scalarLanes, fn, x, callExp));
  const cos2pi = f1('math_cos2pi', (u, fn) => cos2piBody(scalarLanes, fn, u));
  const sign = f1('math_sign', (x) => ({ body: [], result: select(x, f32.copysign(f32.const(1), x), i32.or(f32.eq(x, f32.const(0)), f32.ne(x, x))) }));
  const pow = module.helper('math_pow', ['f32', 'f32'] as const, 'f32', ([x, y], fn) => powBody(fn, x, y));

  const v1 = (name: string, build: (x: Expr<'v128'>, fn: LocalAllocator) => { body: readonly Stmt[]; result: Expr<'v128'> }) =>
    module.helper(name, ['v128'] as const, 'v128', ([x], fn) => build(get(x), fn));
  const exp4 = v1('math_exp4', (x, fn) => expBody(vectorLanes, fn, x));
  const callExp4 = (a: Expr<'v128'>) => call(exp4, [a]);
  const tanh4 = v1('math_tanh4', (x, fn) => tanhBody(vectorLanes, fn, x, callExp4));
  const sigmoid4 = v1('math_sigmoid4', (x, fn) => sigmoidBody(vectorLanes, fn, x, callExp4));

  const i2 = (name: string, f: (a: Expr<'i32'>, b: Expr<'i32'>) => Expr<'i32'>) => module.helper(name, ['i32', 'i32'] as const, 'i32', ([a, b]) => ({ body: [], result: f(get(a), get(b)) }));
  const i1 = (name: string, f: (a: Expr<'i32'>) => Expr<'i32'>) => module.helper(name, ['i32'] as const, 'i32', ([a]) => ({ body: [], result: f(get(a)) }));
  const zero = i32.const(0);
  // Division by zero gives 0 (the CPU reference's rule); −2^31 / −1 wraps to −2^31 instead of trapping.
  // The divisor is made 1 where the quotient is chosen otherwise: select evaluates both operands.
  const idiv_s = i2('int_div_s', (a, b) => {
    const special = i32.or(i32.eqz(b), i32.eq(b, i32.const(-1)));
    return select(zero, select(i32.sub(zero, a), i32.div_s(a, select(i32.const(1), b, special)), i32.eq(b, i32.const(-1))), i32.eqz(b));
  });
  const idiv_u = i2('int_div_u', (a, b) => select(zero, i32.div_u(a, select(i32.const(1), b, i32.eqz(b))), i32.eqz(b)));
  const imin_s = i2('int_min_s', (a, b) => select(a, b, i32.lt_s(a, b)));
  const imin_u = i2('int_min_u', (a, b) => select(a, b, i32.lt_u(a, b)));
  const imax_s = i2('int_max_s', (a, b) => select(a, b, i32.gt_s(a, b)));
  const imax_u = i2('int_max_u', (a, b) => select(a, b, i32.gt_u(a, b)));
  const iabs = i1('int_abs', (a) => select(i32.sub(zero, a), a, i32.lt_s(a, zero)));
  const isign = i1('int_sign', (a) => i32.sub(i32.gt_s(a, zero), i32.lt_s(a, zero)));

  const rng = addRngFunctions(module, log, cos2pi);
  return { exp, log, sin, cos, tanh, sigmoid, pow, sign, cos2pi, exp4, tanh4, sigmoid4, idiv_s, idiv_u, imin_s, imin_u, imax_s, imax_u, iabs, isign, rng };
}
