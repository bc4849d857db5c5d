// The CLI as a user runs it (tsx in a child process): a small run learns the task and writes
// metrics, plots and checkpoint; --resume continues the same run; a JSON config file trains its
// own model; eval reads the checkpoint. inspect, --help and the bad-input checks (all made before
// any device work) run in this process through runCli, and one bad input through the real command.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCheckpoint, encodeCheckpoint } from '@spikeflow/models';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from './in-process.js';
import { decodePngSize, doubled, linePoints, panels, roleTexts, svgSize } from '../../plot/test/plot-files.js';
import { checkConfig } from '../src/run-config.js';
import { withRunSettings } from '../src/run-files.js';

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const CLI = fileURLToPath(new URL('../src/spikeflow.ts', import.meta.url));
// The root tsconfig maps @spikeflow/* to sources (as `pnpm cli` gets from its cwd); the runs happen in a temp dir.
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'spikeflow-cli-'));
afterAll(() => rm(work, { recursive: true, force: true }));

interface Result {
  readonly code: number;
  readonly stdout: string;
  /** stderr lines without dawn.node's own adapter-limit warnings, which the CLI does not write. */
  readonly errors: string[];
}

function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: work, timeout: 240_000, env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG } }, (error, stdout, stderr) => {
      const errors = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Warning: max'));
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, errors });
    });
  });
}

interface Metrics {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}
const metricsOf = async (dir: string): Promise<Metrics[]> =>
  (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Metrics);

/** Every file under `dir` with its size and modification time: equal snapshots mean nothing was written. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => {
    const s = statSync(join(dir, f));
    return `${f} ${s.size} ${s.mtimeMs}`;
  });
}

// Evidence accumulation (2 classes, chance 1/2): 3 epochs of 8 fresh batches of 32 episodes.
const EPOCHS = 3;
const TRAIN_BATCHES = 8;
const SMALL = ['--train-batches', String(TRAIN_BATCHES), '--test-batches', '4', '--batch', '32'];
const CHANCE = 0.5;
/** Held-out accuracy the default model must reach above chance (it reaches about 0.9 here). */
const ACCURACY_MARGIN = 0.25;
/** The cross-entropy of a 50/50 guess: the untrained model's scores are nearly equal. */
const GUESS_LOSS = Math.log(2);
/** The held-out loss must end below GUESS_LOSS divided by this (it ends near 0.2). */
const LOSS_FACTOR = 2;
const RUN_FILES = ['checkpoint.spikeflow', 'curves.png', 'curves.svg', 'metrics.jsonl', 'raster.png', 'raster.svg', 'run.json'];

const CONFIG_MODEL = {
  kind: 'sequential',
  layers: [
    { kind: 'linear', in: 16, out: 24, initScale: 4 },
    { kind: 'lif', tau: 2, detachReset: true },
    { kind: 'linear', in: 24, out: 2 },
    { kind: 'li', tau: 10 },
  ],
};
const CONFIG = { task: 'evidence', model: CONFIG_MODEL, epochs: 2, lr: 0.02, batch: 32, trainBatches: 8, testBatches: 4, seed: 3 };

describe('spikeflow train, --resume and eval', () => {
  const full = join(work, 'full');
  const part = join(work, 'part');
  const fromConfig = join(work, 'from-config');
  const configFile = join(work, 'model.json');
  let trained: Result;
  let resumed: Result;
  let evaluated: Result;
  let configured: Result;
  // The runs that do not depend on each other run at once (each is one process, mostly kernel compiles).
  beforeAll(async () => {
    await writeFile(configFile, JSON.stringify(CONFIG));
    let partial: Result;
    [trained, partial, configured] = await Promise.all([
      cli('train', 'evidence', '--epochs', String(EPOCHS), ...SMALL, '--out', full),
      cli('train', 'evidence', '--epochs', String(EPOCHS - 1), ...SMALL, '--out', part),
      cli('train', configFile, '--out', fromConfig),
    ]);
    expect(partial.code, partial.errors.join('\n')).toBe(0);
    // A continuation killed while writing its epoch-3 line (as an older, non-atomic writer could be).
    await writeFile(join(part, 'metrics.jsonl'), `${await readFile(join(part, 'metrics.jsonl'), 'utf8')}{"epoch":3,"step":2`);
    [resumed, evaluated] = await Promise.all([cli('train', '--resume', join(part, 'checkpoint.spikeflow'), '--epochs', String(EPOCHS)), cli('eval', join(full, 'checkpoint.spikeflow'))]);
  }, 300_000);

  it('learns the task: held-out accuracy above chance and held-out loss well below a guess', async () => {
    expect(trained.code, trained.errors.join('\n')).toBe(0);
    const metrics = await metricsOf(full);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(metrics.map((m) => m.step)).toEqual([8, 16, 24]);
    const last = metrics[metrics.length - 1]!;
    expect(last.testAccuracy).toBeGreaterThan(CHANCE + ACCURACY_MARGIN);
    expect(last.testLoss).toBeLessThan(GUESS_LOSS / LOSS_FACTOR);
    expect(last.loss).toBeLessThan(metrics[0]!.loss);
  });

  it('writes the config, metrics, learning curves, spike raster and checkpoint', async () => {
    expect((await readdir(full)).sort()).toEqual(RUN_FILES);
    expect(JSON.parse(await readFile(join(full, 'run.json'), 'utf8'))).toMatchObject({ task: 'evidence', epochs: EPOCHS, batch: 32, trainBatches: TRAIN_BATCHES });
    const curves = await readFile(join(full, 'curves.svg'), 'utf8');
    expect(curves).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    // A loss panel and an accuracy panel, a line per series with a point per epoch, chance in the legend.
    expect(panels(curves).map((p) => roleTexts(p, 'axis-title').flat().sort())).toEqual([['epoch', 'loss'], ['accuracy', 'epoch']]);
    expect(panels(curves).map((p) => linePoints(p).map((line) => line.length))).toEqual([[3, 3], [3]]);
    expect(roleTexts(curves, 'legend-label').flat()).toEqual(['train loss', 'held-out loss', 'held-out accuracy', `chance (${CHANCE})`]);
    expect(decodePngSize(await readFile(join(full, 'curves.png')))).toEqual(doubled(svgSize(curves)));
    const raster = await readFile(join(full, 'raster.svg'), 'utf8');
    expect(raster).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(decodePngSize(await readFile(join(full, 'raster.png')))).toEqual(doubled(svgSize(raster)));
    // The input and the hidden LIF layer are drawn, each with spikes; the currents and the readout are not spikes.
    expect(raster).toMatch(/input: 16 units, [1-9]\d* spikes/);
    expect(raster).toMatch(/lif1: 64 units, [1-9]\d* spikes/);
    expect(raster).not.toMatch(/li3:/);
  });

  it('shows progress bars for epochs and batches', () => {
    const bars = trained.errors.filter((l) => /^epoch \d\/3 \[/.test(l));
    expect(bars[0]).toMatch(/^epoch 1\/3 \[[#.]{20}\]  batch 1\/8 \[#{3}\.{17}\]$/);
    expect(bars[bars.length - 1]).toMatch(/^epoch 3\/3 \[#{20}\]  batch 8\/8 \[#{20}\]$/);
    for (const epoch of [1, 2, 3]) expect(bars.filter((l) => l.startsWith(`epoch ${epoch}/3 `))).toHaveLength(TRAIN_BATCHES);
  });

  it('--resume continues the epoch and step counters and ends with the same params as the run that was not interrupted', async () => {
    expect(resumed.code, resumed.errors.join('\n')).toBe(0);
    expect(JSON.parse(resumed.stdout.trim())).toMatchObject({ epoch: 3, step: 24 });
    expect(resumed.errors.join('\n')).toMatch(/epoch 3\/3: loss/);
    expect(resumed.errors.join('\n')).not.toMatch(/epoch [12]\/3/);
    expect(resumed.errors).toContainEqual(expect.stringMatching(/^spikeflow: .*part\/metrics\.jsonl:3: dropped a torn last line/));
    expect(await metricsOf(part)).toEqual((await metricsOf(full)).map((m) => ({ ...m, seconds: expect.any(Number) })));
    const [a, b] = await Promise.all([full, part].map(async (dir) => decodeCheckpoint(await readFile(join(dir, 'checkpoint.spikeflow')))));
    expect(b!.progress).toEqual(a!.progress);
    expect(Object.keys(b!.tensors).sort()).toEqual(Object.keys(a!.tensors).sort());
    expect(Object.keys(a!.tensors)).toEqual(expect.arrayContaining(['linear0/w', 'linear2/w']));
    for (const [name, tensor] of Object.entries(a!.tensors)) expect(Array.from(b!.tensors[name]!.data), name).toEqual(Array.from(tensor.data));
  });

  it('eval reports the held-out metrics of the checkpoint', async () => {
    expect(evaluated.code, evaluated.errors.join('\n')).toBe(0);
    const report = JSON.parse(evaluated.stdout.trim()) as Metrics;
    const last = (await metricsOf(full))[EPOCHS - 1]!;
    expect(report.epoch).toBe(EPOCHS);
    expect(report.testAccuracy).toBe(last.testAccuracy); // the same params, the same held-out set
    expect(report.testLoss).toBeCloseTo(last.testLoss, 6);
  });

  it('the checkpoint records the settings of its run (all but epochs), under its checksum', async () => {
    const checkpoint = decodeCheckpoint(await readFile(join(full, 'checkpoint.spikeflow')));
    expect(checkpoint.meta).toEqual({ run: { task: 'evidence', lr: 0.01, batch: 32, trainBatches: TRAIN_BATCHES, testBatches: 4, seed: 1 } });
  });

  it('train from a JSON config file takes its model and every setting, and the model learns', async () => {
    expect(configured.code, configured.errors.join('\n')).toBe(0);
    expect(JSON.parse(await readFile(join(fromConfig, 'run.json'), 'utf8'))).toEqual(CONFIG);
    const metrics = await metricsOf(fromConfig);
    expect(metrics.map((m) => [m.epoch, m.step, m.lr])).toEqual([[1, 8, 0.02], [2, 16, 0.02]]);
    expect(metrics[1]!.testAccuracy).toBeGreaterThan(CHANCE + ACCURACY_MARGIN);
    expect(await readFile(join(fromConfig, 'raster.svg'), 'utf8')).toMatch(/lif1: 24 units/);
    const checkpoint = decodeCheckpoint(await readFile(join(fromConfig, 'checkpoint.spikeflow')));
    expect(checkpoint.progress.seed).toBe(3);
    expect(checkpoint.tensors['linear0/w']!.type.shape).toEqual([16, 24]);
  });

  it('inspect of a JSON config file prints the layers with their shapes, the parameter count, and writes DOT', async () => {
    const dot = join(work, 'model.dot');
    const { code, stdout, errors } = await inProcess('inspect', configFile, '--dot', dot);
    expect(code, errors.join('\n')).toBe(0);
    expect(stdout).toMatch(/x: f32\[56, 32, 16\]/);
    expect(stdout).toMatch(/linear0 +\[56, 32, 16\] -> \[56, 32, 24\]/);
    expect(stdout).toMatch(/lif1 +\[56, 32, 24\] -> \[56, 32, 24\]/);
    expect(stdout).toMatch(/li3 +\[56, 32, 2\] -> \[56, 32, 2\]/);
    expect(stdout).toMatch(/linear0\s+\d+\s+w\[16, 24\]\s+384/);
    expect(stdout).toMatch(/linear2\s+\d+\s+w\[24, 2\]\s+48/);
    expect(stdout).toMatch(/432 parameters/); // 16·24 + 24·2
    expect(await readFile(dot, 'utf8')).toMatch(/^digraph "evidence" \{[\s\S]*\}\n?$/);
  });
});

describe('spikeflow --help', () => {
  it('documents every command and option', async () => {
    const { code, stdout } = await inProcess('--help');
    expect(code).toBe(0);
    for (const command of ['train', 'eval', 'inspect', 'help']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const option of ['--epochs', '--lr', '--batch', '--train-batches', '--test-batches', '--seed', '--out', '--resume', '--dot']) {
      expect(stdout).toMatch(new RegExp(`^  ${option} \\S+ +\\w`, 'm'));
    }
    expect(stdout).toMatch(/tasks: mnist, evidence, delayed-xor/);
    expect((await inProcess('help')).stdout).toBe(stdout);
  });
});

describe('bad input: one line on stderr, exit code 2, no files written', async () => {
  const bad = join(work, 'bad.json');
  const typo = join(work, 'typo.json');
  const wrongModel = join(work, 'wrong-model.json');
  // A run directory whose checkpoint is at epoch 1: the checks below read only its progress and run.json.
  const done = join(work, 'done');
  await mkdir(done);
  const doneConfig = { task: 'evidence', epochs: 1 };
  const doneCheckpoint = withRunSettings(encodeCheckpoint({ progress: { epoch: 1, step: 16, seed: 1, rng: 7 }, tensors: {} }), checkConfig(doneConfig, 'run.json'));
  await writeFile(join(done, 'run.json'), JSON.stringify(doneConfig));
  await writeFile(join(done, 'checkpoint.spikeflow'), doneCheckpoint);
  await writeFile(join(done, 'metrics.jsonl'), '{"epoch":1,"step":16,"lr":0.01,"loss":0.5,"seconds":1}\n');
  // The same run with one setting edited in its run.json since, each in a directory of its own.
  const edited = async (name: string, change: Record<string, unknown>) => {
    const d = join(work, name);
    await mkdir(d);
    await writeFile(join(d, 'run.json'), JSON.stringify({ ...doneConfig, ...change }));
    await writeFile(join(d, 'checkpoint.spikeflow'), doneCheckpoint);
    return join(d, 'checkpoint.spikeflow');
  };
  const copied = await edited('copy', {});
  const lrEdited = await edited('lr-edited', { lr: 0.1 });
  const batchEdited = await edited('batch-edited', { batch: 16 });
  const modelEdited = await edited('model-edited', { model: { kind: 'sequential', layers: [{ kind: 'linear', in: 16, out: 2 }, { kind: 'li' }] } });
  // A checkpoint without recorded settings (written by a program other than this CLI).
  const bare = join(work, 'bare');
  await mkdir(bare);
  await writeFile(join(bare, 'run.json'), JSON.stringify(doneConfig));
  await writeFile(join(bare, 'checkpoint.spikeflow'), encodeCheckpoint({ progress: { epoch: 1, step: 16, seed: 1, rng: 7 }, tensors: {} }));
  // A run whose metrics have a bad line before the last one: not a torn write.
  const garbled = join(work, 'garbled');
  await mkdir(garbled);
  await writeFile(join(garbled, 'run.json'), JSON.stringify(doneConfig));
  await writeFile(join(garbled, 'checkpoint.spikeflow'), doneCheckpoint);
  await writeFile(join(garbled, 'metrics.jsonl'), '{"epoch":1,"step":16}\nnot json\n{"epoch":2,"step":32}\n');
  const aFile = join(work, 'a-file');
  await writeFile(aFile, 'not a directory');
  await writeFile(bad, '{"task": "evidence", ');
  await writeFile(typo, JSON.stringify({ task: 'evidence', epoch: 2 }));
  await writeFile(wrongModel, JSON.stringify({ task: 'evidence', model: { kind: 'sequential', layers: [{ kind: 'linear', in: 16, out: 3 }, { kind: 'lif' }] } }));
  const out = ['--out', join(work, 'out')];
  const sequentialOf = (...layers: unknown[]) => ({ kind: 'sequential', layers });
  async function jsonFile(name: string, value: unknown): Promise<string> {
    await writeFile(join(work, name), JSON.stringify(value));
    return join(work, name);
  }
  const cases: [string, string[], RegExp][] = [
    ['an unknown task', ['train', 'nope', ...out], /unknown task 'nope' \(tasks: mnist, evidence, delayed-xor/],
    ['an unknown command', ['fit', 'evidence'], /unknown command 'fit'/],
    ['a malformed config file', ['train', bad, ...out], /bad\.json: malformed JSON/],
    ['a missing config file', ['train', join(work, 'none.json'), ...out], /cannot read config file .*none\.json/],
    ['an unknown config field', ['train', typo, ...out], /typo\.json: unknown field 'epoch'/],
    ['a model that does not fit the task', ['train', wrongModel, ...out], /model\.layers: the last layer must give \[T, B, 2\]/],
    // Models that parse but fail when traced for the task's shapes: the error names the layer.
    ['a layer whose input does not fit (traced)', ['train', await jsonFile('narrow.json', { task: 'delayed-xor', model: sequentialOf({ kind: 'linear', in: 16, out: 2 }, { kind: 'li' }) }), ...out], /model\.layers\[0\] \(linear\): the input has the wrong number of features for this linear layer; expected \[\.\.\., 16\]; found \[30, 32, 12\]/],
    ['a masked PSN of the wrong length (traced)', ['train', await jsonFile('psn-length.json', { task: 'delayed-xor', model: sequentialOf({ kind: 'linear', in: 12, out: 2 }, { kind: 'maskedPsn', T: 20, k: 2 }) }), ...out], /model\.layers\[1\] \(maskedPsn\): the input has the wrong number of time steps/],
    ['inspect of a model that fails to trace', ['inspect', join(work, 'narrow.json')], /model\.layers\[0\] \(linear\): the input has the wrong number of features/],
    ['a missing checkpoint', ['train', '--resume', join(work, 'none.spikeflow'), ...out], /checkpoint not found: .*none\.spikeflow/],
    ['a file that is not a checkpoint', ['train', '--resume', join(done, 'run.json'), '--epochs', '2', ...out], /run\.json: \[checkpoint\] at 'magic': not a spikeflow checkpoint/],
    ['eval of a missing checkpoint', ['eval', join(work, 'none.spikeflow')], /checkpoint not found: .*none\.spikeflow/],
    ['--epochs 0', ['train', 'evidence', '--epochs', '0', ...out], /--epochs: epochs must be an integer >= 1, got 0/],
    ['--batch 1.5', ['train', 'evidence', '--batch', '1.5', ...out], /--batch: batch must be an integer >= 1, got 1\.5/],
    ['--lr -1', ['train', 'evidence', '--lr=-1', ...out], /--lr: lr must be a number > 0, got -1/],
    ['an unknown option', ['train', 'evidence', '--epoch', '2', ...out], /Unknown option '--epoch'/],
    ['an option of another command', ['eval', join(done, 'checkpoint.spikeflow'), '--dot', join(work, 'x.dot')], /--dot is not an option of eval/],
    ['a setting changed on --resume', ['train', '--resume', join(done, 'checkpoint.spikeflow'), '--epochs', '3', '--lr', '0.1'], /--lr: a resumed run keeps the settings in its run\.json/],
    ['--resume to no further epoch', ['train', '--resume', join(done, 'checkpoint.spikeflow'), '--epochs', '1'], /the checkpoint is already at epoch 1: pass --epochs above 1/],
    ['--dot into a missing directory', ['inspect', 'evidence', '--dot', join(work, 'no-dir', 'm.dot')], /--dot: no directory .*no-dir/],
    ['--dot onto a directory', ['inspect', 'evidence', '--dot', done], /--dot .*done: cannot write: it is a directory/],
    ['--epochs 0x2', ['train', 'evidence', '--epochs', '0x2', ...out], /--epochs: expected a decimal number, got "0x2"/],
    ['--seed 1e400', ['train', 'evidence', '--seed', '1e400', ...out], /--seed: seed must be an integer >= 0, got Infinity/],
    ['--epochs 2.5e0', ['train', 'evidence', '--epochs', '2.5e0', ...out], /--epochs: epochs must be an integer >= 1, got 2\.5/],
    ['--lr Infinity', ['train', 'evidence', '--lr', 'Infinity', ...out], /--lr: expected a decimal number, got "Infinity"/],
    ['--lr 1e999 (a decimal that overflows)', ['train', 'evidence', '--lr', '1e999', ...out], /--lr: lr must be a number > 0, got Infinity/],
    ['task __proto__', ['train', '__proto__', ...out], /unknown task '__proto__'/],
    ['task constructor', ['train', 'constructor', ...out], /unknown task 'constructor'/],
    ['task toString', ['inspect', 'toString'], /unknown task 'toString'/],
    ['task hasOwnProperty in a config file', ['train', await jsonFile('proto-task.json', { task: 'hasOwnProperty' }), ...out], /unknown task 'hasOwnProperty'/],
    ['a config field __proto__', ['train', await jsonFile('proto-field.json', JSON.parse('{"task": "evidence", "__proto__": {"epochs": 9}}')), ...out], /unknown field '__proto__'/],
    ['command constructor', ['constructor', 'evidence'], /unknown command 'constructor'/],
    ['command __proto__', ['__proto__'], /unknown command '__proto__'/],
    ['--out onto a file', ['train', 'evidence', '--out', aFile], /--out .*a-file: a file, not a directory/],
    ['--out under a file', ['train', 'evidence', '--out', join(aFile, 'run')], /--out .*a-file.*a file, not a directory/],
    ['--out into a directory that holds a run', ['train', 'evidence', '--out', done], /--out .*done already holds a run \(checkpoint\.spikeflow, metrics\.jsonl, run\.json\): pass --overwrite/],
    ['--resume into another directory that holds a run', ['train', '--resume', copied, '--epochs', '3', '--out', join(work, 'garbled')], /--out .*garbled already holds a run/],
    ['--resume after run.json changed lr', ['train', '--resume', lrEdited, '--epochs', '3'], /lr-edited\/run\.json: lr is 0\.1, but the checkpoint was trained with 0\.01 \(a run keeps its settings; only epochs may change\)/],
    ['--resume after run.json changed batch', ['train', '--resume', batchEdited, '--epochs', '3'], /batch-edited\/run\.json: batch is 16, but the checkpoint was trained with 32/],
    ['--resume after run.json changed the model', ['train', '--resume', modelEdited, '--epochs', '3'], /model-edited\/run\.json: model is \{.*\}, but the checkpoint was trained with undefined/],
    ['eval after run.json changed lr', ['eval', lrEdited], /lr-edited\/run\.json: lr is 0\.1/],
    ['--resume of a checkpoint that records no settings', ['train', '--resume', join(bare, 'checkpoint.spikeflow'), '--epochs', '3'], /does not record the settings it was trained with/],
    ['--resume of a directory', ['train', '--resume', done, '--epochs', '3'], /\[checkpoint\] at '.*done': cannot read the checkpoint file: it is a directory/],
    ['--resume with metrics garbled before the last line', ['train', '--resume', join(garbled, 'checkpoint.spikeflow'), '--epochs', '3'], /garbled\/metrics\.jsonl:2: not a metrics line/],
  ];
  if (existsSync('/proc/self')) {
    cases.push(
      ['--out where no directory can be made', ['train', 'evidence', '--out', '/proc/x/run'], /--out \/proc\/x\/run: cannot create the directory: no such file or directory/],
      ['--dot where no file can be made', ['inspect', 'evidence', '--dot', '/proc/x.dot'], /--dot \/proc\/x\.dot: cannot write: no such file or directory/],
    );
  }

  for (const [name, args, message] of cases) {
    it(name, async () => {
      const before = snapshot(work);
      const result = await inProcess(...args);
      expect(result.code, result.errors.join('\n')).toBe(2);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(new RegExp(`^spikeflow: .*${message.source}`));
      expect(result.stdout).toBe('');
      expect(snapshot(work)).toEqual(before);
    });
  }

  it('a new run into a directory that holds a run leaves every old file byte for byte as it was', async () => {
    const files = ['checkpoint.spikeflow', 'metrics.jsonl', 'run.json'];
    const before = await Promise.all(files.map((f) => readFile(join(done, f))));
    for (const args of [['train', 'evidence'], ['train', 'delayed-xor', '--epochs', '5'], ['train', '--resume', copied, '--epochs', '2']]) {
      const result = await inProcess(...args, '--out', done);
      expect(result.code, result.errors.join('\n')).toBe(2);
      expect(result.errors[0]).toMatch(/already holds a run/);
    }
    expect(await Promise.all(files.map((f) => readFile(join(done, f))))).toEqual(before);
    expect((await readdir(done)).sort()).toEqual(files);
  });

  it('random malformed numbers for every numeric flag: exit 2, one line naming the flag, no file written', async () => {
    const flags = ['--epochs', '--batch', '--train-batches', '--test-batches', '--seed', '--lr'];
    const digits = fc.stringMatching(/^[0-9]{1,4}$/);
    // None is a decimal number as JSON writes one.
    const junk = fc.oneof(
      fc.constantFrom('', ' ', ' 2', '2 ', '0x2', '0X1f', '0b10', '0o7', 'Infinity', '-Infinity', 'NaN', '1_000', '２', '+', '-', '.', '1e', 'e1', '--1', '1.2.3', '١'),
      digits.map((d) => `0x${d}`),
      fc.tuple(digits, fc.constantFrom('x', 'px', ' ', '\t', 'e', ',0', ';', 'n', '%')).map(([d, tail]) => `${d}${tail}`),
      fc.string({ minLength: 1, maxLength: 6 }).filter((t) => !/^[+-]?[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?$/.test(t)),
    );
    const before = snapshot(work);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...flags), junk, async (flag, text) => {
        const result = await inProcess('train', 'evidence', `${flag}=${text}`, ...out);
        expect(result.code, `${flag}=${JSON.stringify(text)}`).toBe(2);
        expect(result.errors, `${flag}=${JSON.stringify(text)}`).toHaveLength(1);
        expect(result.errors[0]).toMatch(new RegExp(`^spikeflow: ${flag}: `));
      }),
      { numRuns: 300 },
    );
    expect(snapshot(work)).toEqual(before);
  });

  it('the real command exits with code 2 and writes one line', async () => {
    const before = snapshot(work);
    const result = await cli('train', 'evidence', '--epochs', '0', ...out);
    expect(result.code).toBe(2);
    expect(result.errors).toEqual(['spikeflow: --epochs: epochs must be an integer >= 1, got 0']);
    expect(result.stdout).toBe('');
    expect(snapshot(work)).toEqual(before);
  }, 60_000);
});
