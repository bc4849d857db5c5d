// An LIF imported from NIR against the exact solution of NIR's ODE for a step current:
//   τ dv/dt = v_leak − v + R·I,  v(0) = v_leak  ⇒  v(t) = v_leak + R·I·(1 − e^(−t/τ)).
// Forward Euler with step h gives v_n = v_leak + R·I·(1 − (1 − h/τ)^n). With a = h/τ < 1,
//   −a − a²/(2(1 − a)) ≤ ln(1 − a) ≤ −a − a²/2, so the global error at t = n·h is bounded by
//   |v_n − v(t)| ≤ R·I·e^(−t/τ)·(1 − e^(−n·a²/(2(1 − a)))) ≤ R·I·e^(−t/τ)·t·h/(2τ²(1 − h/τ)),
// first order in h: halving h halves it.
import { describe, expect, it } from 'vitest';
import { importNir } from '../src/index.js';
import { arr, run, single } from './nir-doc.js';

const [tau, r, vLeak, current] = [0.01, 2, 0.5, 1.5];
const exact = (t: number) => vLeak + r * current * (1 - Math.exp(-t / tau));
const bound = (t: number, h: number) => r * current * Math.exp(-t / tau) * ((t * h) / (2 * tau * tau * (1 - h / tau)));

/** The membrane potential after each of `steps` steps of h under a constant current. */
function simulate(h: number, steps: number): number[] {
  const lif = { type: 'LIF', tau: arr([1], [tau]), r: arr([1], [r]), v_leak: arr([1], [vLeak]), v_threshold: arr([1], [1e9]), v_reset: arr([1], [0]) } as const;
  const model = importNir(single(lif, [1], [1]), { dt: h, steps, batch: 1, potentials: true });
  return run(model, { input: new Array(steps).fill(current) })['node/v']!;
}

describe('LIF against the exact solution of NIR’s ODE', () => {
  const T = 0.02; // two time constants
  const errorsAt = (h: number) => {
    const v = simulate(h, Math.round(T / h));
    return v.map((vn, i) => ({ t: (i + 1) * h, error: Math.abs(vn - exact((i + 1) * h)) }));
  };

  it('stays within forward Euler’s global error bound (plus f32 rounding) at every step', () => {
    for (const h of [1e-4, 5e-5]) {
      for (const { t, error } of errorsAt(h)) {
        // f32 rounding: a few ulps of |v| ≈ 3.5 per step, accumulated over at most 400 steps.
        expect(error, `h = ${h}, t = ${t}`).toBeLessThanOrEqual(bound(t, h) + 400 * 4e-7);
      }
    }
  });

  it('is first order: halving dt roughly halves the error', () => {
    const coarse = errorsAt(1e-4);
    const fine = errorsAt(5e-5);
    for (const t of [0.005, 0.01, 0.015]) {
      const at = (errors: { t: number; error: number }[]) => errors.find((e) => Math.abs(e.t - t) < 1e-9)!.error;
      const ratio = at(coarse) / at(fine);
      expect(ratio, `t = ${t}`).toBeGreaterThan(1.8);
      expect(ratio, `t = ${t}`).toBeLessThan(2.2);
    }
  });
});
