import type { GradSaveFunc, Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';

/**
 * The workloads' spiking conventions in tfjs, which has neither a spike op nor stopGradient:
 * heaviside with the ATan surrogate, and detach, both as tf.customGrad. Every constant is a
 * scalar tensor made once and kept: a JS number given to a tfjs op becomes a new tensor at each
 * call (on webgpu, a buffer and an upload per op per time step).
 */
export interface TfSpiking {
  /** 1 where u >= 0, else 0; gradient alpha/2 / (1 + (pi/2 alpha u)^2). */
  spike(u: Tensor): Tensor;
  /** The identity with a zero gradient. */
  detach(x: Tensor): Tensor;
  /** Multi-step LIF (tau 2, V_th 1, hard reset to 0, detach_reset) over h [T, ...]. */
  lif(h: Tensor): Tensor;
  /** Frees the constants. */
  dispose(): void;
}

export function tfSpiking(tf: Tf, alpha = 2): TfSpiking {
  const constant = (value: number): Scalar => tf.keep(tf.scalar(value));
  const zero = constant(0);
  const one = constant(1);
  const half = constant(0.5);
  const surrogateScale = constant(alpha / 2);
  const surrogateSlope = constant((Math.PI / 2) * alpha);
  const vThreshold = one;
  // customGrad passes the inputs and then the save function in one rest argument.
  const spike = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [u, save] = args as [Tensor, GradSaveFunc];
    save([u]);
    return {
      value: tf.cast(tf.greaterEqual(u, zero), 'float32'),
      gradFunc: (dy: Tensor, [x]: Tensor[]) => tf.div(tf.mul(dy, surrogateScale), tf.add(tf.square(tf.mul(x!, surrogateSlope)), one)),
    };
  });
  const detach = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => ({ value: tf.clone(args[0] as Tensor), gradFunc: (dy: Tensor) => tf.zerosLike(dy) }));
  const lif = (h: Tensor): Tensor => {
    const steps = tf.unstack(h);
    let v: Tensor = tf.zerosLike(steps[0]!);
    const spikes = steps.map((x) => {
      // v + (x - v) / tau with tau = 2: halving is exact, as dividing by 2 is.
      v = tf.add(v, tf.mul(tf.sub(x, v), half));
      const s = spike(tf.sub(v, vThreshold));
      v = tf.mul(v, tf.sub(one, detach(s)));
      return s;
    });
    return tf.stack(spikes);
  };
  return { spike, detach, lif, dispose: () => tf.dispose([zero, one, half, surrogateScale, surrogateSlope]) };
}
