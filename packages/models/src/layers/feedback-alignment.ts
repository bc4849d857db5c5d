import { fail, formatShape, sameShape, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';

/**
 * Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016, "Random synaptic feedback weights
 * support error backpropagation for deep learning", Nature Communications): `x @ w` forward, but
 * the backward sends the output cotangent to the input through a FIXED matrix `feedback` (B, the
 * shape of w) instead of through w:
 *   dx = dy · Bᵀ   (backprop: dy · wᵀ),   dw = xᵀ · dy   (unchanged),   dB = 0.
 * x is [N, in], w and B are [in, out]. With B = w this is exactly the matmul's own gradient.
 * B is an input of the customVjp, not a constant inside it, so it may come from anywhere in the
 * graph (`randomFeedback`, a constant, or w itself in a test); its cotangent is always zero.
 */
export function feedbackAlignmentMatmul(x: Tensor, w: Tensor, feedback: Tensor): Tensor {
  const b = x.builder;
  const where = b.path();
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    fail('shape', where, 'feedback alignment multiplies x [N, in] by w [in, out]', `[N, ${w.shape[0]}] @ [${w.shape[0]}, ${w.shape[1]}]`, `${formatShape(x.shape)} @ ${formatShape(w.shape)}`);
  }
  if (!sameShape(feedback.shape, w.shape)) fail('shape', `${where}.feedback`, 'the feedback matrix has the shape of the weight', formatShape(w.shape), formatShape(feedback.shape));
  const [y] = b.customVjp([x, w, feedback], {
    forward: (_, [xi, wi, bi]) => ({ outputs: [xi!.matmul(wi!)], residuals: [xi!, bi!] }),
    // The same expressions as the matmul VJP, with B in place of w for dx.
    backward: (bb, [xr, br], [dy]) => [dy!.matmul(br!, { transposeB: true }), xr!.matmul(dy!, { transposeA: true }), bb.constant(0, br!.shape)],
  });
  return y!;
}

/**
 * A fixed random matrix U(±bound) from core's counter-based generator (Philox, counter 0), so
 * every backend draws the same values and a graph carries 4 numbers instead of the matrix.
 */
export function randomFeedback(b: GraphBuilder, shape: Shape, bound: number, seed: number): Tensor {
  return b.uniform(shape, seed).mul(2 * bound).sub(bound);
}

/**
 * The generator seed of the feedback matrix at scope `path`: FNV-1a over the path and the user's
 * seed, so two layers of one network get different matrices while a rebuilt graph gets the same.
 */
export function feedbackSeed(path: string, seed: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${path}#${seed}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
