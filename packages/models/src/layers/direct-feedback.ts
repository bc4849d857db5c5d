import { fail, formatShape, sameShape, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import { feedbackSeed, randomFeedback } from './feedback-alignment.js';

/**
 * Direct feedback alignment (Nøkland 2016, "Direct feedback alignment provides learning in deep
 * neural networks", NeurIPS): every hidden layer l gets the network's OUTPUT error e through its
 * own fixed random matrix B_l, dh_l = e · B_l, instead of the error backpropagated from layer l+1.
 *
 * In a graph the error has to travel from the output to the hidden layers without passing through
 * the layers in between. A tap does it with two outputs:
 * - `h`, the hidden activity, unchanged; its backward IGNORES the cotangent coming down from the
 *   next layer, so nothing backpropagates through the forward path;
 * - a `port`: zeros with the output's shape, which `directFeedbackOutput` adds to the output. Since
 *   y' = y + Σ ports, the cotangent arriving at each port is exactly e = ∂L/∂y'; the tap's backward
 *   sends e · B_l to h, and autodiff takes it on from there (through the neuron's surrogate
 *   derivative and, for a spiking layer, BPTT through its own state within the layer).
 * So the loss delivers e; the forward values are unchanged (adding zeros). h [..., H] and the output
 * [..., O] share their leading axes (time, batch), so e_t reaches h_t at each step: [..., O] · [O, H].
 */
export function directFeedbackTap(h: Tensor, feedback: Tensor, outputShape: Shape): { readonly hidden: Tensor; readonly port: Tensor } {
  const b = h.builder;
  const where = b.path();
  const outFeatures = outputShape[outputShape.length - 1]!;
  const hidden = h.shape[h.rank - 1]!;
  if (h.rank < 1 || !sameShape(h.shape.slice(0, -1), outputShape.slice(0, -1))) {
    fail('shape', where, 'a DFA tap needs the hidden activity to share the output\'s leading axes', formatShape([...outputShape.slice(0, -1), hidden]), formatShape(h.shape));
  }
  if (!sameShape(feedback.shape, [outFeatures, hidden])) fail('shape', `${where}.feedback`, 'B_l maps the output error [.., O] to the hidden layer [.., H]', formatShape([outFeatures, hidden]), formatShape(feedback.shape));
  const [out, port] = b.customVjp([h, feedback], {
    forward: (bb, [hi, bi]) => ({ outputs: [hi!, bb.constant(0, outputShape)], residuals: [bi!] }),
    backward: (bb, [br], [_ignored, e]) => {
      const dh = e!.rank === 2 ? e!.matmul(br!) : e!.reshape([-1, outFeatures]).matmul(br!).reshape(h.shape);
      return [dh, bb.constant(0, br!.shape)];
    },
  });
  return { hidden: out!, port: port! };
}

/** The output with every tap's port added (zeros forward), so that each port's cotangent is ∂L/∂y. */
export function directFeedbackOutput(y: Tensor, ports: readonly Tensor[]): Tensor {
  ports.forEach((p, i) => {
    if (!sameShape(p.shape, y.shape)) fail('shape', `${y.builder.path()}.ports[${i}]`, 'a port has the output\'s shape', formatShape(y.shape), formatShape(p.shape));
  });
  return ports.reduce((acc, p) => acc.add(p), y);
}

export interface DfaTapOptions {
  /** B_l [O, H]; default U(±scale/sqrt(O)) from core's generator, seeded by the tap's scope path. */
  readonly feedback?: Tensor;
  /** Multiplies the default bound 1/sqrt(O) (the init bound of a linear layer from O inputs). */
  readonly scale?: number;
  /** Mixed with the scope path into the default B_l's seed. */
  readonly seed?: number;
}

/**
 * The taps of one network and its output, so a model reads:
 *   const dfa = new DirectFeedback(b, [T, B, O]);
 *   h1 = dfa.tap(lif(linear(x)));  h2 = dfa.tap(lif(linear(h1)));  y = dfa.output(linear(h2));
 * The output layer's own weights get the true gradient (its error is e); every tapped layer gets
 * e · B_l; no gradient travels between tapped layers.
 */
export class DirectFeedback {
  private readonly ports: Tensor[] = [];
  private closed = false;

  constructor(
    private readonly b: GraphBuilder,
    readonly outputShape: Shape,
  ) {}

  tap(h: Tensor, options: DfaTapOptions = {}): Tensor {
    if (this.closed) fail('spec', this.b.path(), 'a DFA tap after the output: its error would never arrive');
    const o = this.outputShape[this.outputShape.length - 1]!;
    const feedback =
      options.feedback ??
      this.b.scope('dfa_feedback', () => randomFeedback(this.b, [o, h.shape[h.rank - 1]!], (options.scale ?? 1) / Math.sqrt(o), feedbackSeed(this.b.path(), options.seed ?? 0)));
    const { hidden, port } = directFeedbackTap(h, feedback, this.outputShape);
    this.ports.push(port);
    return hidden;
  }

  output(y: Tensor): Tensor {
    if (this.closed) fail('spec', this.b.path(), 'a network has one DFA output');
    if (!sameShape(y.shape, this.outputShape)) fail('shape', this.b.path(), 'the DFA output has the shape given to DirectFeedback', formatShape(this.outputShape), formatShape(y.shape));
    this.closed = true;
    return directFeedbackOutput(y, this.ports);
  }
}
