/**
 * `tsx examples/reproduce/stdp-mnist-validation.ts --neurons=400 --seed=N --passes=P`: one stdp-mnist
 * variant trained on the validation split carved from the 8,000 training digits (7,000 learned and
 * labelling, 1,000 scored) and scored after every pass from 2 to P, so one run gives the validation
 * accuracy of every pass count. The 2,000 held-out digits are never touched. How the budget
 * (passes, θ_plus) of the reproduce rows was chosen: docs/learning/stdp.md.
 */
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { SHARED, VARIANTS, variantNetwork } from './experiments/stdp-mnist.js';
import { stdpDigits, trainStdpMnist, validationDigits } from './stdp-mnist-training.js';

const VALIDATION_COUNT = 1000;

function parseArgs(argv: readonly string[]): { neurons: number; seed: number; passes: number } {
  const flags = new Map<string, string>();
  for (const a of argv.filter((x) => x !== '--')) {
    const m = /^--(neurons|seed|passes)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown or malformed argument '${a}' (use --neurons=${VARIANTS.map((v) => v.neurons).join('|')} --seed=N --passes=P, integers)`);
    if (flags.has(m[1]!)) throw new Error(`--${m[1]}: given twice`);
    flags.set(m[1]!, m[2]!);
  }
  const neurons = Number(flags.get('neurons') ?? '400');
  if (!VARIANTS.some((v) => v.neurons === neurons)) throw new Error(`--neurons: no variant with ${neurons} neurons (known: ${VARIANTS.map((v) => v.neurons).join(', ')})`);
  const passes = Number(flags.get('passes') ?? '4');
  if (passes < 1) throw new Error(`--passes: must be at least 1, got ${passes}`);
  return { neurons, seed: Number(flags.get('seed') ?? '1'), passes };
}

async function main(): Promise<void> {
  const { neurons, seed, passes } = parseArgs(process.argv.slice(2));
  const variant = VARIANTS.find((v) => v.neurons === neurons)!;
  const network = variantNetwork(variant);
  const digits = validationDigits(stdpDigits(mnistSplit(await loadMnist()), seed).train, VALIDATION_COUNT, seed);
  const learned = SHARED.trainCount - VALIDATION_COUNT;
  const budget = { ...variant.budget, trainCount: learned, assignCount: learned, testCount: VALIDATION_COUNT, passes };
  const log = (line: string) => console.log(`[${neurons} neurons, seed ${seed}] ${line}`);
  log(`θ_plus ${network.thetaPlus}; ${learned} digits learned and labelling, ${VALIDATION_COUNT} validation digits; up to ${passes} passes`);
  const run = await trainStdpMnist({ network, budget, ...digits, device: { kind: 'event-driven' }, seed, log, scoreAfterPasses: Array.from({ length: passes - 1 }, (_, k) => k + 1).filter((p) => p >= 2) });
  for (const s of run.passScores) log(`${s.passes} passes: validation ${(100 * s.testAccuracy).toFixed(1)}%, labelling digits ${(100 * s.assignAccuracy).toFixed(1)}%`);
  log(`${run.triesPerDigit.toFixed(2)} presentations per digit; wall ${run.wall_s.toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
