import { lax, numpy as np } from '@jax-js/jax';

/**
 * The workloads' spiking conventions in jax-js, which has no custom_vjp: the ATan surrogate is
 * written with stopGradient. spike(u) = heaviside(u) + (σ(u) - stopGradient(σ(u))) with
 * σ(u) = arctan(π/2 α u) / π: the added term is x - x, exactly 0 in float32, so the value is the
 * heaviside bit for bit, and its gradient is σ'(u) = α/2 / (1 + (π/2 α u)²). jax-js arrays are
 * reference-counted: every use but the last goes through `.ref`.
 */
export function jaxSpike(u: np.Array, alpha = 2): np.Array {
  const sigma = np.arctan(u.ref.mul((Math.PI / 2) * alpha)).mul(1 / Math.PI);
  return np.greaterEqual(u, 0).astype(np.float32).add(sigma.ref.sub(lax.stopGradient(sigma)));
}

/** Multi-step LIF (tau 2, V_th 1, hard reset to 0, detach_reset) over h [T, ...], unrolled over T. */
export function jaxLif(h: np.Array): np.Array {
  const steps = np.unstack(h);
  let v: np.Array = np.zerosLike(steps[0]!.ref);
  const spikes = steps.map((x) => {
    const charged = v.ref.add(x.sub(v).mul(0.5));
    const s = jaxSpike(charged.ref.sub(1));
    v = charged.mul(np.subtract(1, lax.stopGradient(s.ref)));
    return s;
  });
  v.dispose();
  return np.stack(spikes);
}
