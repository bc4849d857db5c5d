import { block, br, br_if, get, i32, loop, set, type Expr, type Local, type Stmt } from '../module-builder/index.js';

/**
 * `for (counter = start; counter < end; counter += step) body` (signed compare), with the test at
 * the top so an empty range runs nothing.
 */
export function forRange(counter: Local<'i32'>, start: Expr<'i32'>, end: Expr<'i32'>, step: number, body: readonly Stmt[]): Stmt[] {
  return [
    set(counter, start),
    block((done) => [
      loop((next) => [
        br_if(done, i32.ge_s(get(counter), end)),
        ...body,
        set(counter, i32.add(get(counter), i32.const(step))),
        br(next),
      ]),
    ]),
  ];
}

/** `local += amount` for an i32 local. */
export const increment = (local: Local<'i32'>, amount: Expr<'i32'>): Stmt => set(local, i32.add(get(local), amount));

/** `while (counter < end) body` (signed compare); the body advances the counter. */
export function whileLess(counter: Local<'i32'>, end: Expr<'i32'>, body: readonly Stmt[]): Stmt {
  return block((done) => [loop((next) => [br_if(done, i32.ge_s(get(counter), end)), ...body, br(next)])]);
}
