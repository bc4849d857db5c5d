import { jit, nn, numpy as np, valueAndGrad } from '@jax-js/jax';
import { LIF_MLP, type LifMlpFixture, type LifMlpImpl } from '../workloads/lif-mlp.js';
import { jaxLif } from './spiking.js';

/**
 * W1 in jax-js, written as a JAX user would: a loss function of (W1, W2, x, y), valueAndGrad
 * with respect to the weights and the SGD update inside one jit-compiled step; the weights stay
 * on the device between steps, each step uploads its batch (as spikeflow's does) and reads the
 * loss back.
 */
export function jaxLifMlp(impl: string, device: string): LifMlpImpl {
  const { inputs, hidden, classes, lr } = LIF_MLP;
  const lossOf = (w1: np.Array, w2: np.Array, x: np.Array, y: np.Array): np.Array => {
    const [T, B] = x.shape as [number, number, number];
    const s1 = jaxLif(np.matmul(x.reshape([T * B, inputs]), w1).reshape([T, B, hidden]));
    const s2 = jaxLif(np.matmul(s1.reshape([T * B, hidden]), w2).reshape([T, B, classes]));
    const logProbs = nn.logSoftmax(np.mean(s2, 0), -1);
    return np.mean(np.sum(nn.oneHot(y, classes).mul(logProbs), -1)).mul(-1);
  };
  // Made once per implementation, so the check and the timed runner of one size share their compilations.
  const valueAndGrads = jit((w1: np.Array, w2: np.Array, x: np.Array, y: np.Array) => valueAndGrad(lossOf, { argnums: [0, 1] })(w1, w2, x, y));
  const trainStep = jit((w1: np.Array, w2: np.Array, x: np.Array, y: np.Array) => {
    const [loss, [g1, g2]] = valueAndGrad(lossOf, { argnums: [0, 1] })(w1.ref, w2.ref, x, y);
    return [loss, w1.sub(g1.mul(lr)), w2.sub(g2.mul(lr))];
  });
  return {
    impl,
    device,
    async create(f: LifMlpFixture) {
      const { T, B } = f;
      let w1 = np.array(f.w1).reshape([inputs, hidden]);
      let w2 = np.array(f.w2).reshape([hidden, classes]);
      const batch = () => [np.array(f.x).reshape([T, B, inputs]), np.array(f.labels, { dtype: np.int32 })] as const;
      const read = async (a: np.Array) => Float32Array.from((await a.data()) as Float32Array);
      return {
        async step() {
          const [loss, next1, next2] = trainStep(w1, w2, ...batch());
          [w1, w2] = [next1!, next2!];
          return (await loss!.data())[0]!;
        },
        async gradients() {
          const [loss, [g1, g2]] = valueAndGrads(w1.ref, w2.ref, ...batch());
          return { loss: (await loss.data())[0]!, w1: await read(g1!), w2: await read(g2!) };
        },
        weights: async () => ({ w1: await read(w1.ref), w2: await read(w2.ref) }),
        dispose() {
          w1.dispose();
          w2.dispose();
        },
      };
    },
  };
}
