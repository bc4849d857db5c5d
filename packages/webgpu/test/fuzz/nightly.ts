// The nightly fuzz run: `pnpm fuzz --graphs 10000 [--seed S] [--pack P]`, or `pnpm fuzz --replay SEED`
// to rerun one graph alone and print it. Compares WebGPU (dawn.node) with the CPU reference.
import { parseArgs } from 'node:util';
import { acquireNodeDevice } from '../../src/node.js';
import { FUZZ_TOLERANCE } from '../../../../test/support/fuzz/compare.js';
import { describeFailure, fuzz, graphJSONOf, type FuzzReport } from './runner.js';

interface Args {
  readonly graphs: number;
  readonly seed: number;
  readonly pack: number;
  readonly replay: number | undefined;
}

function integerFlag(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${name}: must be an integer >= ${min}, got '${text}'`);
  return n;
}

function readArgs(argv: readonly string[]): Args {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: { graphs: { type: 'string' }, seed: { type: 'string' }, pack: { type: 'string' }, replay: { type: 'string' } },
    strict: true,
  });
  return {
    graphs: integerFlag('graphs', values.graphs, 10_000, 1),
    seed: integerFlag('seed', values.seed, 1, 0),
    pack: integerFlag('pack', values.pack, 25, 1),
    replay: values.replay === undefined ? undefined : integerFlag('replay', values.replay, 0, 0),
  };
}

function errorLine(r: FuzzReport): string {
  const e = r.errors;
  return `${e.outputs} outputs (${e.elements} elements) compared; max abs error ${e.maxAbs.toExponential(2)}, max rel error ${e.maxRel.toExponential(2)}, largest share of the tolerance ${e.maxShare.toFixed(4)}`;
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const seeds = args.replay !== undefined ? [args.replay] : Array.from({ length: args.graphs }, (_, i) => args.seed + i);
  const ctx = await acquireNodeDevice();
  console.log(`adapter: ${ctx.adapterInfo}`);
  console.log(`graphs ${seeds[0]}..${seeds[seeds.length - 1]}, ${args.pack} per program, tolerance atol ${FUZZ_TOLERANCE.atol} + rtol ${FUZZ_TOLERANCE.rtol} * |cpu|`);
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const report = await fuzz(ctx.device, seeds, {
    packSize: args.pack,
    progress: (done, r) => {
      console.log(`[${done}/${seeds.length}] ${seconds().toFixed(0)} s, ${(done / seconds()).toFixed(2)} graphs/s, failures ${r.failures.length}, largest share of the tolerance ${r.errors.maxShare.toFixed(4)}`);
    },
  });
  console.log('\nsummary');
  console.log(`graphs: ${report.graphs} (${report.gradientGraphs} with their gradient graph), in ${report.packs} programs`);
  console.log(errorLine(report));
  console.log(`wall time: ${seconds().toFixed(0)} s (${(report.graphs / seconds()).toFixed(2)} graphs/s)`);
  console.log(`mismatches: ${report.failures.length}`);
  for (const f of report.failures) console.log(`\n${describeFailure(f)}`);
  if (args.replay !== undefined && report.failures.length === 0) console.log(`\nseed ${args.replay} passes; its graph: ${graphJSONOf(args.replay)}`);
  ctx.device.destroy();
  process.exitCode = report.failures.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
