import { call, f32, get, i32, i64, set, type Callee, type Expr, type Local, type LocalAllocator, type ModuleBuilder, type Stmt } from '../module-builder/index.js';

/**
 * Philox-4x32-10 in WebAssembly, word for word core's rng/philox.ts: the 32 × 32 → 64-bit
 * products go through i64. Element i of a random op's stream is Philox of the counter
 * [i, step, 0, DOMAIN_OP = 0] under the key [seed mod 2^32, ⌊seed / 2^32⌋].
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const ROUNDS = 10;

/** Statements leaving the first two output words of Philox([index, counter, 0, 0], [k0, k1]) in `out`. */
function philoxStatements(fn: LocalAllocator, index: Expr<'i32'>, counter: Expr<'i32'>, k0: Expr<'i32'>, k1: Expr<'i32'>): { body: Stmt[]; w0: Expr<'i32'>; w1: Expr<'i32'> } {
  const c: Local<'i32'>[] = [fn.local('i32'), fn.local('i32'), fn.local('i32'), fn.local('i32')];
  const key: Local<'i32'>[] = [fn.local('i32'), fn.local('i32')];
  const product: Local<'i64'> = fn.local('i64');
  const hi0: Local<'i32'> = fn.local('i32');
  const lo0: Local<'i32'> = fn.local('i32');
  const body: Stmt[] = [set(c[0]!, index), set(c[1]!, counter), set(c[2]!, i32.const(0)), set(c[3]!, i32.const(0)), set(key[0]!, k0), set(key[1]!, k1)];
  const wide = (m: number, word: Local<'i32'>) => i64.mul(i64.const(BigInt(m)), i64.extend_i32_u(get(word)));
  const high = () => i32.wrap_i64(i64.shr_u(get(product), i64.const(32n)));
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) body.push(set(key[0]!, i32.add(get(key[0]!), i32.const(W0))), set(key[1]!, i32.add(get(key[1]!), i32.const(W1))));
    body.push(
      set(product, wide(M0, c[0]!)),
      set(hi0, high()),
      set(lo0, i32.wrap_i64(get(product))),
      set(product, wide(M1, c[2]!)),
      // c0 = hi1 ^ c1 ^ k0; c1 = lo1; c2 = hi0 ^ c3 ^ k1; c3 = lo0
      set(c[0]!, i32.xor(i32.xor(high(), get(c[1]!)), get(key[0]!))),
      set(c[1]!, i32.wrap_i64(get(product))),
      set(c[2]!, i32.xor(i32.xor(get(hi0), get(c[3]!)), get(key[1]!))),
      set(c[3]!, get(lo0)),
    );
  }
  return { body, w0: get(c[0]!), w1: get(c[1]!) };
}

/** The top 24 bits of a word as a float in [0, 1): exact in f32. */
const toUniform = (word: Expr<'i32'>) => f32.mul(f32.convert_i32_u(i32.shr_u(word, i32.const(8))), f32.const(2 ** -24));

export type RngCallee = Callee<readonly ['i32', 'i32', 'i32', 'i32'], 'f32'>;

export interface RngFunctions {
  /** (index, counter, key0, key1) -> uniform in [0, 1). */
  readonly uniform: RngCallee;
  /** (index, counter, key0, key1) -> standard normal (Box–Muller, cosine branch). */
  readonly normal: RngCallee;
}

/** Adds the draws to `module`; `log` and `cos2pi` are the library's f32 functions. */
export function addRngFunctions(module: ModuleBuilder, log: Callee<readonly ['f32'], 'f32'>, cos2pi: Callee<readonly ['f32'], 'f32'>): RngFunctions {
  const params = ['i32', 'i32', 'i32', 'i32'] as const;
  const uniform = module.helper('rng_uniform', params, 'f32', ([i, c, k0, k1], fn) => {
    const { body, w0 } = philoxStatements(fn, get(i), get(c), get(k0), get(k1));
    return { body, result: toUniform(w0) };
  });
  const normal = module.helper('rng_normal', params, 'f32', ([i, c, k0, k1], fn) => {
    const { body, w0, w1 } = philoxStatements(fn, get(i), get(c), get(k0), get(k1));
    // 1 − u1 is exact and in (0, 1], so the log is finite.
    const radius = f32.sqrt(f32.mul(f32.const(-2), callF(log, f32.sub(f32.const(1), toUniform(w0)))));
    return { body, result: f32.mul(radius, callF(cos2pi, toUniform(w1))) };
  });
  return { uniform, normal };
}

const callF = (callee: Callee<readonly ['f32'], 'f32'>, x: Expr<'f32'>) => call(callee, [x]);

/** The Philox key words of a seed in [0, 2^53), as i32 bit patterns. */
export function seedWords(seed: number): [number, number] {
  return [seed % 2 ** 32 | 0, Math.floor(seed / 2 ** 32) | 0];
}
