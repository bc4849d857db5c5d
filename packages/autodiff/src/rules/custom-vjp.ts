import { replayOnInputs } from '../replay-on-inputs.js';
import type { VjpTable } from '../vjp-types.js';

/**
 * Forward: the customVjp's forward graph inlined, so the residuals (forward outputs after
 * `numOutputs`) become extra tuple elements for the VJP. Backward: the user's backward graph on
 * (residuals, output cotangents); an unused output's cotangent is zero. Both graphs are replayed
 * as they are: the user's backward is the gradient, nothing inside it is differentiated.
 */
export const customVjpVjp: VjpTable<'customVjp'> = {
  customVjp: {
    replayForGrad: ({ b, node, inputs }) => replayOnInputs(b, node.attrs.forward, inputs),
    vjp: ({ b, attrs, outputs, cotangents, needs }) => {
      const residuals = outputs.slice(attrs.numOutputs);
      const dys = outputs.slice(0, attrs.numOutputs).map((y, i) => cotangents[i] ?? b.constant(0, y.shape, y.dtype));
      return replayOnInputs(b, attrs.backward, [...residuals, ...dys]).map((g, i) => (needs[i] ? g : undefined));
    },
  },
};
