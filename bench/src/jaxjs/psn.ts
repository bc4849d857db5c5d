import { blockUntilReady, jit, numpy as np, valueAndGrad } from '@jax-js/jax';
import type { PsnFixture, PsnImpl } from '../workloads/psn.js';
import { jaxSpike } from './spiking.js';

/**
 * W2 in jax-js: H = W X + b, ATan spike, loss = sum(S G), jit(valueAndGrad) for dW, db and dX.
 * X, G, W and b stay on the device; a step waits until every gradient is computed, then reads the loss.
 */
export function jaxPsn(impl: string, device: string): PsnImpl {
  const lossOf = (w: np.Array, b: np.Array, x: np.Array, g: np.Array) => np.sum(jaxSpike(np.matmul(w, x).add(b.reshape([-1, 1]))).mul(g));
  // Made once per implementation, so the check and the timed runner of one size share their compilations.
  const lossAndGrads = jit((w: np.Array, b: np.Array, x: np.Array, g: np.Array) => valueAndGrad(lossOf, { argnums: [0, 1, 2] })(w, b, x, g));
  return {
    impl,
    device,
    async create(f: PsnFixture) {
      const { T, N } = f;
      const x = np.array(f.x).reshape([T, N]);
      const w = np.array(f.w).reshape([T, T]);
      const b = np.array(f.b);
      const g = np.array(f.g).reshape([T, N]);
      const call = () => lossAndGrads(w.ref, b.ref, x.ref, g.ref);
      const read = async (a: np.Array) => Float32Array.from((await a.data()) as Float32Array);
      return {
        async step() {
          const [loss, grads] = call();
          await blockUntilReady(grads);
          grads.forEach((a) => a.dispose());
          return (await loss.data())[0]!;
        },
        async gradients() {
          const [loss, [dw, db, dx]] = call();
          return { loss: (await loss.data())[0]!, w: await read(dw!), b: await read(db!), x: await read(dx!) };
        },
        dispose() {
          [x, w, b, g].forEach((a) => a.dispose());
        },
      };
    },
  };
}
