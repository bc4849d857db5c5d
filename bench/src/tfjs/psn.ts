import type { Tensor } from '@tensorflow/tfjs-core';
import type { PsnFixture, PsnImpl } from '../workloads/psn.js';
import { useBackend, type Tf, type TfBackend } from './load.js';
import { tfSpiking } from './spiking.js';

/**
 * W2 in TensorFlow.js: H = W X + b, ATan spike, loss = sum(S G), tf.valueAndGrads for dW, db
 * and dX. A step reads back the loss, dW and db; tfjs submits its queued dispatches in order
 * before any read, so the read completes only after dX is computed too.
 */
export function tfjsPsn(tf: Tf, backend: TfBackend, device: string): PsnImpl {
  return {
    impl: `tfjs-${backend}`,
    device,
    async create(f: PsnFixture) {
      await useBackend(tf, backend);
      const { T, N } = f;
      const spiking = tfSpiking(tf);
      const { spike } = spiking;
      const x = tf.tensor2d(f.x, [T, N]);
      const w = tf.tensor2d(f.w, [T, T]);
      const b = tf.tensor1d(f.b);
      const g = tf.tensor2d(f.g, [T, N]);
      const lossAndGrads = tf.valueAndGrads((wv: Tensor, bv: Tensor, xv: Tensor) => tf.sum(tf.mul(spike(tf.add(tf.matMul(wv, xv), tf.reshape(bv, [T, 1]))), g)));
      const call = () => {
        if (tf.getBackend() !== backend) throw new Error(`tfjs switched to ${tf.getBackend()} while a ${backend} runner was in use`);
        return lossAndGrads([w, b, x]);
      };
      return {
        async step() {
          const { value, grads } = call();
          const [loss] = await Promise.all([value.data(), grads[0]!.data(), grads[1]!.data()]);
          tf.dispose([value, ...grads]);
          return loss[0]!;
        },
        async gradients() {
          const { value, grads } = call();
          const [loss, dw, db, dx] = await Promise.all([value.data(), ...grads.map((t) => t.data())]);
          tf.dispose([value, ...grads]);
          return { loss: loss![0]!, w: Float32Array.from(dw!), b: Float32Array.from(db!), x: Float32Array.from(dx!) };
        },
        dispose() {
          tf.dispose([x, w, b, g]);
          spiking.dispose();
        },
      };
    },
  };
}
