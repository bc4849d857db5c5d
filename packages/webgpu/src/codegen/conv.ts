import { sizeOf, type Node } from '@spikeflow/core';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, type BufferBinding, type KernelSource } from './kernel-source.js';

/** A convolution node; its op tells which attrs it has. */
export type ConvNode = Node<'conv1d'> | Node<'conv2d'>;

export interface ConvArgs {
  readonly label: string;
  readonly conv: ConvNode;
  /** `[N, Cin, (H,) W]`. */
  readonly x: BufferBinding;
  /** `[Cout, Cin / groups, (KH,) KW]`. */
  readonly w: BufferBinding;
  /** `[N, Cout, (Hout,) Wout]`. */
  readonly out: BufferBinding;
}

const WORKGROUP = 256;

/** One spatial axis of the convolution, named `name` in the generated code. */
interface Axis {
  readonly name: 'h' | 'w';
  readonly size: number;
  readonly kernel: number;
  readonly out: number;
  readonly stride: number;
  readonly padLo: number;
  readonly dilation: number;
}

/** conv1d is conv2d over an input of height 1 with a kernel of height 1; that axis then emits no code. */
function axesOf(args: ConvArgs): [Axis, Axis] {
  const [, , ...size] = args.x.type.shape;
  const [, , ...kernel] = args.w.type.shape;
  const [, , ...outSize] = args.out.type.shape;
  const { conv } = args;
  if (conv.op === 'conv1d') {
    const a = conv.attrs;
    return [
      { name: 'h', size: 1, kernel: 1, out: 1, stride: 1, padLo: 0, dilation: 1 },
      { name: 'w', size: size[0]!, kernel: kernel[0]!, out: outSize[0]!, stride: a.stride, padLo: a.padding[0], dilation: a.dilation },
    ];
  }
  const a = conv.attrs;
  return (['h', 'w'] as const).map((name, d) => ({
    name,
    size: size[d]!,
    kernel: kernel[d]!,
    out: outSize[d]!,
    stride: a.stride[d]!,
    padLo: a.padding[d]![0],
    dilation: a.dilation[d]!,
  })) as [Axis, Axis];
}

/** An axis of length 1 under a 1-tap kernel (conv1d's height): it emits no code. */
const trivial = (a: Axis) => a.size === 1 && a.kernel === 1 && a.out === 1 && a.padLo === 0;

/** `expr * n` as i32 WGSL, without multiplying by 1. */
const times = (expr: string, n: number) => (n === 1 ? expr : `${expr} * ${n}`);

/**
 * The loop over one axis's kernel taps around `inner`: `i<name>` is the input position of tap
 * `k<name>`, and taps on the zero padding are skipped, checking only bounds that can be crossed.
 */
function tapLoop(axis: Axis, inner: readonly string[]): string[] {
  const { name, size, kernel, out, stride, padLo, dilation } = axis;
  if (trivial(axis)) return [...inner];
  const checks = [
    ...(padLo > 0 ? [`p${name} < 0`] : []),
    ...((out - 1) * stride - padLo + (kernel - 1) * dilation >= size ? [`p${name} >= ${size}`] : []),
  ];
  return [
    `for (var k${name} = 0; k${name} < ${kernel}; k${name}++) {`,
    `  let p${name} = ${times(`o${name}`, stride)}${padLo > 0 ? ` - ${padLo}` : ''} + ${times(`k${name}`, dilation)};`,
    ...(checks.length > 0 ? [`  if (${checks.join(' || ')}) { continue; }`] : []),
    `  let i${name} = u32(p${name});`,
    ...inner.map((l) => `  ${l}`),
    '}',
  ];
}

/**
 * Direct convolution (PyTorch's cross-correlation) with stride, asymmetric padding, dilation and
 * groups, as core's reference: one thread per output element sums over its group's input
 * channels, then the kernel window row by row, in the reference's order.
 */
export function convKernel(args: ConvArgs): KernelSource {
  // The batch size appears only in the element count (and a step loop's strides), which the size
  // table holds; channels, spatial sizes, strides and pads are the model's and stay literals (the
  // divisions by them compile to multiplies).
  const sizes = new KernelSizes();
  const [x, w, out] = [sizes.stepped(args.x), sizes.stepped(args.w), sizes.stepped(args.out)];
  const [h, wAxis] = axesOf(args);
  const [, cin] = x.type.shape as [number, number];
  const [cout, perGroup] = w.type.shape as [number, number];
  const groups = args.conv.attrs.groups;
  const total = sizeOf(out.type.shape);
  const outPlane = h.out * wAxis.out;
  // Row-major [.., H, W] and [.., KH, KW] offsets; conv1d's trivial height drops out.
  const [xRow, wRow] = trivial(h) ? ['ci', 'ci'] : [`(ci * ${h.size}u + ih)`, `(ci * ${h.kernel}u + u32(kh))`];
  const xIndex = `x_base + ${xRow} * ${wAxis.size}u + iw`;
  const wIndex = `w_base + ${wRow} * ${wAxis.kernel}u + u32(kw)`;
  const tap = `acc += ${loadStored(x, xIndex)} * ${loadStored(w, wIndex)};`;
  const taps = tapLoop(h, tapLoop(wAxis, [tap]));
  const count = sizes.of(total);
  const bindings = sizes.bind([x, w, out]);
  const body = [
    `let o = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `if (o >= ${count}) { return; }`,
    `let ow = i32(o % ${wAxis.out}u);`,
    ...(trivial(h) ? [] : [`let oh = i32((o / ${wAxis.out}u) % ${h.out}u);`]),
    `let co = (o / ${outPlane}u) % ${cout}u;`,
    `let n = o / ${outPlane * cout}u;`,
    // The input channels of output channel co's group.
    `let x_base = (n * ${cin}u + (co / ${cout / groups}u) * ${perGroup}u) * ${h.size * wAxis.size}u;`,
    `let w_base = co * ${perGroup * h.kernel * wAxis.kernel}u;`,
    'var acc = 0.0;',
    `for (var ci = 0u; ci < ${perGroup}u; ci++) {`,
    ...taps.map((l) => `  ${l}`),
    '}',
    `${out.name}[${bindingIndex(out, 'o')}] = acc;`,
  ];
  const { code, usesStep } = computeModule(bindings, WORKGROUP, body);
  return { label: args.label, kind: args.conv.op, code, bindings, workgroups: dispatch2d(Math.ceil(total / WORKGROUP)), usesStep, sizes: sizes.values };
}
