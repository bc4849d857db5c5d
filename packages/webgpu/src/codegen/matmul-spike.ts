import { sizeOf } from '@spikeflow/core';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, u, upTo, type BufferBinding, type KernelSource } from './kernel-source.js';
import type { MatmulArgs } from './matmul.js';
import { batchBases, matmulDims } from './matmul-skinny.js';
import { packedWords } from '../spike-packing/bit-layout.js';
import { fromLane, laneIndex, SHARED_LOAD_WIDTH, sharesLoads } from './subgroup-loads.js';

/**
 * Rows per workgroup: more rows share each row of B among more outputs, and the bit tests cost
 * little. The 32 accumulators per thread would spill on a GPU; this is tuned for the software
 * device the project measures on (BENCHMARKS.md, "Kernel tuning notes").
 */
export const SPIKE_MATMUL_ROWS = 32;
const MAX_THREADS = 64;

/**
 * `S @ B` where S, the left operand, is a bit-packed spike train: a zero of S contributes nothing,
 * so only the K steps where a spike is set are visited, and one is a plain add of a row of B. A
 * workgroup owns `rowsPerGroup` output rows and 4 · threads columns (4 per thread); all its
 * threads share the rows, so every branch on the spike bits is uniform. The bits come as words:
 * - S stored [M, K] (plain): per row, the 32 spikes of a K block are one (funnel-shifted) word,
 *   and the set bits of the rows' union are walked with countTrailingZeros;
 * - S stored [K, M] (read transposed, as in a weight gradient Sᵀ·dH): per K step, the
 *   workgroup's rows' spikes are one word, and the step is skipped when it is 0.
 * With subgroups (codegen/subgroup-loads.ts) the words are loaded once per subgroup, not per thread.
 * Sums may run in another order than a dense kernel's (equal to the float tolerance, not always bit
 * for bit), and skipped zeros do not multiply B, so an infinite B where S is 0 gives no NaN.
 */
export function matmulSpikeKernel(args: MatmulArgs, rowsPerGroup = SPIKE_MATMUL_ROWS): KernelSource {
  const { transposeA, transposeB } = args;
  if (args.a.packed !== true) throw new Error('internal: the spike matmul reads a bit-packed left operand');
  if (!Number.isInteger(rowsPerGroup) || rowsPerGroup < 1 || rowsPerGroup > 32) throw new Error(`internal: ${rowsPerGroup} spike matmul rows do not fit one u32 of bits`);
  const dims = matmulDims(args.a, args.b, transposeA, transposeB);
  const { m, k, n } = dims;
  // The columns decide the workgroup (its width and whether columns need guards); every other
  // size, the rows M = T·B of a time-major model included, comes from the size table.
  const threads = Math.min(MAX_THREADS, Math.ceil(n / 4));
  const tilesN = Math.ceil(n / (4 * threads));
  const tilesPerMatrix = Math.ceil(m / rowsPerGroup) * tilesN;
  const total = tilesPerMatrix * sizeOf(dims.batch);
  const sizes = new KernelSizes();
  const [a, b, out] = [sizes.stepped(args.a), sizes.stepped(args.b), sizes.stepped(args.out)];
  const [mS, kS, nS] = [sizes.of(m), sizes.of(k), sizes.of(n)];
  const columnsGuarded = n % (4 * threads) !== 0;
  // A per-step slice of a packed sequence (in a step loop) sits inside a longer buffer.
  const lastWord = a.stepStride === 0 ? sizes.of(packedWords(sizeOf(a.type.shape)) - 1) : `arrayLength(&${a.name}) - 1u`;
  const rows = upTo(rowsPerGroup);
  const bIndex = (kk: string, c: number) => (transposeB ? `b_base + (j + ${u(c)}) * ${kS} + ${kk}` : `b_base + ${kk} * ${nS} + j + ${u(c)}`);
  const bColumn = (c: number) => (columnsGuarded ? `select(0.0, ${loadStored(b, bIndex('kk', c))}, j + ${u(c)} < ${nS})` : loadStored(b, bIndex('kk', c)));
  // Rows past M have no spikes (rowWindow below); bits past K (the next row's, or past the buffer) are masked off.
  const full = u(2 ** rowsPerGroup - 1);
  const rowsMask = `select(${full}, (1u << (${mS} - row0)) - 1u, ${mS} - row0 < ${u(rowsPerGroup)})`;
  const addRow = (r: number, bit: string) => `if (((m${r} >> ${bit}) & 1u) != 0u) { acc${r} += bv; }`;
  const loadB = `let bv = vec4f(${upTo(4).map(bColumn).join(', ')});`;
  // Every thread of a workgroup reads the same spike words: with subgroups, each lane loads a few
  // of them and the subgroup shares them (codegen/subgroup-loads.ts).
  const shared = sharesLoads(args.subgroupSize, threads);
  const W = SHARED_LOAD_WIDTH;
  const rowWindow = (row: string) => `select(0u, spike_window(a_base + (${row}) * ${kS} + k0), ${row} < ${mS})`;
  const rowWords = shared
    ? [
        ...upTo(Math.ceil(rowsPerGroup / W)).map((g) => `let w${g} = ${rowWindow(laneIndex('row0', g))} & valid;`),
        ...rows.map((r) => `let m${r} = ${fromLane((g) => `w${g}`, r)};`),
      ]
    : rows.map((r) => `let m${r} = ${rowWindow(`row0 + ${u(r)}`)} & valid;`);
  // One K step of S read transposed: its bits are the workgroup's rows'. An if, not a continue: a
  // continue would leave later broadcasts outside what WGSL's analysis sees as uniform control flow.
  const transposedStep = [
    'if (bits != 0u) {',
    `  ${loadB}`,
    ...rows.map((r) => `  let m${r} = bits >> ${u(r)};`),
    ...rows.map((r) => `  ${addRow(r, '0u')}`),
    '}',
  ];
  const indent = (lines: readonly string[], by: string) => lines.map((l) => `${by}${l}`);
  const walk = transposeA
    ? shared
      ? [
          // S is [K, M]: the rows' spikes at step kk are consecutive bits (none past row M). Lane l
          // loads step kb + l's; the inner bound is not a constant, so LLVM keeps it a loop.
          `for (var kb = 0u; kb < ${kS}; kb += ${u(W)}) {`,
          `  let lane_bits = select(0u, spike_window(a_base + (${laneIndex('kb')}) * ${mS} + row0), ${laneIndex('kb')} < ${kS}) & ${rowsMask};`,
          ...upTo(W).map((s) => `  let step_bits${s} = subgroupBroadcast(lane_bits, ${u(s)});`),
          `  for (var s = 0u; s < min(${u(W)}, ${kS} - kb); s++) {`,
          '    let kk = kb + s;',
          `    let bits = ${upTo(W - 1).reduce((chosen, i) => `select(${chosen}, step_bits${i + 1}, s == ${u(i + 1)})`, 'step_bits0')};`,
          ...indent(transposedStep, '    '),
          '  }',
          '}',
        ]
      : [
          // S is [K, M]: the rows' spikes at step kk are consecutive bits (none past row M).
          `for (var kk = 0u; kk < ${kS}; kk++) {`,
          `  let bits = spike_window(a_base + kk * ${mS} + row0) & ${rowsMask};`,
          ...indent(transposedStep, '  '),
          '}',
        ]
    : [
        `for (var k0 = 0u; k0 < ${kS}; k0 += 32u) {`,
        `  let valid = select(0xffffffffu, (1u << (${kS} - k0)) - 1u, ${kS} - k0 < 32u);`,
        ...indent(rowWords, '  '),
        `  var any = ${rows.map((r) => `m${r}`).join(' | ')};`,
        '  while (any != 0u) {',
        '    let bit = countTrailingZeros(any);',
        '    any &= any - 1u;',
        '    let kk = k0 + bit;',
        `    ${loadB}`,
        ...rows.map((r) => `    ${addRow(r, 'bit')}`),
        '  }',
        '}',
      ];
  const store = rows.flatMap((r) =>
    upTo(4).map((c) => {
      const guards = [`row0 + ${u(r)} < ${mS}`, ...(columnsGuarded ? [`j + ${u(c)} < ${nS}`] : [])];
      const write = `${out.name}[${bindingIndex(out, `out_base + (row0 + ${u(r)}) * ${nS} + j + ${u(c)}`)}] = acc${r}[${c}];`;
      return `if (${guards.join(' && ')}) { ${write} }`;
    }),
  );
  const tilesS = sizes.of(tilesPerMatrix);
  const body = [
    `let flat = ${FLAT_WORKGROUP_INDEX};`,
    `if (flat >= ${sizes.of(total)}) { return; }`,
    `let q = flat / ${tilesS};`,
    `let tile = flat % ${tilesS};`,
    `let row0 = (tile / ${sizes.of(tilesN)}) * ${u(rowsPerGroup)};`,
    `let j = (tile % ${sizes.of(tilesN)}) * ${u(4 * threads)} + 4u * lid;`,
    ...batchBases(args, dims, 'q', sizes),
    `let out_base = q * ${sizes.of(m * n)};`,
    ...rows.map((r) => `var acc${r} = vec4f(0.0);`),
    ...walk,
    ...store,
  ];
  const bindings = sizes.bind([a, b, out]);
  const { code, usesStep } = computeModule(bindings, threads, body, [
    '/** The 32 spikes from element e on (bits past the tensor are whatever follows; callers mask them). */',
    'fn spike_window(e: u32) -> u32 {',
    `  let at = ${bindingIndex(a, 'e')};`,
    '  let w = at >> 5u;',
    '  let s = at & 31u;',
    `  let next = ${a.name}[min(w + 1u, ${lastWord})];`,
    `  return (${a.name}[w] >> s) | select(next << (32u - s), 0u, s == 0u);`,
    '}',
  ], { subgroups: shared });
  return { label: args.label, kind: 'matmul-spike', code, bindings, workgroups: dispatch2d(total), usesStep, sizes: sizes.values };
}
