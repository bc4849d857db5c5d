import { convKernel } from '../codegen/conv.js';
import { bindingOf, producedValueId, type KernelContext } from './lowering.js';
import type { KernelStep } from './program.js';

/** The dispatch of a conv1d or conv2d node: its operands bound in input order as `x` and `w`. */
export function lowerConv({ low, node, members, arg, out }: KernelContext<'conv1d' | 'conv2d'>): KernelStep[] {
  const source = convKernel({
    label: node.name,
    conv: node,
    x: bindingOf(low, node.inputs[0]!, 'x', 'read'),
    w: bindingOf(low, node.inputs[1]!, 'w', 'read'),
    out,
  });
  return [{ kind: 'kernel', source, args: [...node.inputs.map(arg), producedValueId(low, node.id)], nodes: members.length > 0 ? members : [node.id] }];
}
