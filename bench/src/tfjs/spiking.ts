import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';

/**
 * The workloads' spiking conventions in tfjs, which has neither a spike op nor stopGradient:
 * heaviside with the ATan surrogate, and detach, both as tf.customGrad.
 */
export interface TfSpiking {
  /** 1 where u >= 0, else 0; gradient alpha/2 / (1 + (pi/2 alpha u)^2). */
  spike(u: Tensor): Tensor;
  /** The identity with a zero gradient. */
  detach(x: Tensor): Tensor;
  /** Multi-step LIF (tau 2, V_th 1, hard reset to 0, detach_reset) over h [T, ...]. */
  lif(h: Tensor): Tensor;
}

export function tfSpiking(tf: Tf, alpha = 2): TfSpiking {
  // customGrad passes the inputs and then the save function in one rest argument.
  const spike = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [u, save] = args as [Tensor, GradSaveFunc];
    save([u]);
    return {
      value: tf.cast(tf.greaterEqual(u, 0), 'float32'),
      gradFunc: (dy: Tensor, [x]: Tensor[]) => tf.div(tf.mul(dy, alpha / 2), tf.add(tf.square(tf.mul(x!, (Math.PI / 2) * alpha)), 1)),
    };
  });
  const detach = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => ({ value: tf.clone(args[0] as Tensor), gradFunc: (dy: Tensor) => tf.zerosLike(dy) }));
  const lif = (h: Tensor): Tensor => {
    const steps = tf.unstack(h);
    let v: Tensor = tf.zerosLike(steps[0]!);
    const spikes = steps.map((x) => {
      v = tf.add(v, tf.div(tf.sub(x, v), 2));
      const s = spike(tf.sub(v, 1));
      v = tf.mul(v, tf.sub(1, detach(s)));
      return s;
    });
    return tf.stack(spikes);
  };
  return { spike, detach, lif };
}
