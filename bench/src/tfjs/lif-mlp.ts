import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { LIF_MLP, type LifMlpFixture, type LifMlpImpl } from '../workloads/lif-mlp.js';
import { useBackend, type Tf, type TfBackend } from './load.js';
import { tfSpiking } from './spiking.js';

/**
 * W1 in TensorFlow.js, written as a tfjs user would: variables, a loss closure with the LIF
 * unrolled over time, and tf.train.sgd's minimize (forward, backward and update), then the loss
 * read back. Each step uploads its batch, as spikeflow's does.
 */
export function tfjsLifMlp(tf: Tf, backend: TfBackend, device: string): LifMlpImpl {
  return {
    impl: `tfjs-${backend}`,
    device,
    async create(f: LifMlpFixture) {
      await useBackend(tf, backend);
      const { inputs, hidden, classes } = LIF_MLP;
      const { T, B } = f;
      const spiking = tfSpiking(tf);
      const { lif } = spiking;
      const w1 = tf.variable(tf.tensor2d(f.w1, [inputs, hidden]));
      const w2 = tf.variable(tf.tensor2d(f.w2, [hidden, classes]));
      const optimizer = tf.train.sgd(LIF_MLP.lr);
      const lossOf = (x: Tensor, y: Tensor) => (): Scalar => {
        const h1 = tf.reshape(tf.matMul(tf.reshape(x, [T * B, inputs]), w1), [T, B, hidden]);
        const s1 = lif(h1);
        const h2 = tf.reshape(tf.matMul(tf.reshape(s1, [T * B, hidden]), w2), [T, B, classes]);
        const rates = tf.mean(lif(h2), 0);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, classes), tf.logSoftmax(rates)), 1))) as Scalar;
      };
      const batch = () => [tf.tensor3d(f.x, [T, B, inputs]), tf.tensor1d(f.labels, 'int32')] as const;
      const expectBackend = () => {
        if (tf.getBackend() !== backend) throw new Error(`tfjs switched to ${tf.getBackend()} while a ${backend} runner was in use`);
      };
      const read = async (t: Tensor) => Float32Array.from(await t.data());
      return {
        async step() {
          expectBackend();
          const loss = tf.tidy(() => optimizer.minimize(lossOf(...batch()), true, [w1, w2])!);
          const value = (await loss.data())[0]!;
          loss.dispose();
          return value;
        },
        async gradients() {
          expectBackend();
          const { value, grads } = tf.tidy(() => tf.variableGrads(lossOf(...batch()), [w1, w2]));
          const out = { loss: (await value.data())[0]!, w1: await read(grads[w1.name]!), w2: await read(grads[w2.name]!) };
          tf.dispose([value, ...Object.values(grads)]);
          return out;
        },
        weights: async () => ({ w1: await read(w1), w2: await read(w2) }),
        dispose() {
          tf.dispose([w1, w2]);
          optimizer.dispose();
          spiking.dispose();
        },
      };
    },
  };
}
