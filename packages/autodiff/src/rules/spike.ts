import { surrogateDerivative } from '../surrogates.js';
import type { VjpTable } from '../vjp-types.js';

/** The step has zero derivative almost everywhere; training uses the surrogate g'(x) in its place. */
export const spikeVjp: VjpTable<'spike'> = {
  spike: ({ b, inputs, attrs, cotangent }) => {
    const kind = attrs.surrogate.kind;
    return [cotangent.mul(b.scope(kind, () => surrogateDerivative(b, inputs[0]!, attrs.surrogate)))];
  },
};
