/**
 * The `spikeflow` CLI: usage, options and dispatch to the commands. Bad input ends with one line
 * on stderr and exit code 2, before any file is written; any other failure also prints one line
 * (exit 1).
 */
import { parseArgs } from 'node:util';
import { backendRequest } from './backend-choice.js';
import { evalCommand } from './eval.js';
import { inspectCommand } from './inspect.js';
import { DEFAULTS, firstLine, flagNumber, type RunConfig } from './run-config.js';
import { TASK_NAMES } from './tasks.js';
import { trainCommand } from './train.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: spikeflow <command> [options]

commands:
  train <task|config.json> [options]      train a model; per epoch, write metrics, plots and a checkpoint
  train --data FILE [options]             train on your data: an .npz (x, y, optional x_test, y_test) or an
                                          event table (.csv/.tsv), see docs/data.md
  train --resume FILE [--epochs N] [--out DIR] [--overwrite] [--backend B]
                                          continue a run from its checkpoint (its run.json fixes the rest)
  eval FILE [--backend B]                 print the held-out loss and accuracy of a checkpoint as JSON
  inspect <task|config.json> [--dot FILE] print the model's layers, shapes and parameter count
  help                                    print this text (also --help, -h)

train options (a flag overrides the config file's field of the same name):
  --epochs N          train until epoch N (default ${DEFAULTS.epochs}; on --resume, N above the checkpoint's epoch)
  --lr X              Adam learning rate, > 0 (default ${DEFAULTS.lr})
  --batch N           episodes per batch (default ${DEFAULTS.batch})
  --train-batches N   fresh training batches per epoch (default ${DEFAULTS.trainBatches})
  --test-batches N    held-out batches scored after each epoch (default ${DEFAULTS.testBatches})
  --seed N            seed of the initial params and the data order (default ${DEFAULTS.seed})
  --out DIR           run directory (default spikeflow-run; on --resume, the checkpoint's directory);
                      a directory that holds another run is refused
  --overwrite         replace the run that --out holds (its checkpoint and metrics are deleted)
  --resume FILE       the checkpoint.spikeflow of an earlier run
  --data FILE         train on a data file instead of a task (its path becomes the run's task)
train and eval options:
  --backend B         auto (default: WebGPU on a hardware GPU, else the WebAssembly backend on all
                      cores), webgpu, wasm or cpu (the reference interpreter); also SPIKEFLOW_BACKEND.
                      The first line on stderr names the backend and why
inspect options:
  --dot FILE          also write the graph as Graphviz DOT

a run directory holds: run.json (the resolved config), metrics.jsonl (one JSON line per epoch),
curves.svg/.png (loss and accuracy per epoch, with chance), raster.svg/.png (spikes of a
held-out episode), and checkpoint.spikeflow (which records the run's settings: a resumed run
must keep them, all but the epochs). Progress bars for epochs and batches go to stderr. A failed run says how to resume.

config.json: {"task": "<task>", "model": <sequential spec>, "epochs", "lr", "batch",
  "trainBatches", "testBatches", "seed"}; only "task" is required. The model's last layer must
  give [T, B, classes]; it is summed over time into class scores. The model is built and traced
  for the task before any file is written; an error names the layer (model.layers[i]). Without
  "model", a task's default is one hidden LIF layer of 64 and a leaky-integrator readout; a task
  that needs memory (delayed-xor) gets a recurrent LIF layer of 64 (tau 20) in its place.
tasks: ${TASK_NAMES.join(', ')}
numbers are decimal (0x2, 1e2 for a count, Infinity, '' are refused).
bad input (an unknown task, a malformed file, a missing or damaged checkpoint, an out-of-range
option, an unusable --out or --dot) ends with one line on stderr and exit code 2, before any file
is written; any other failure also prints one line (exit code 1).`;

/** Numeric flags and the config fields they set. */
const NUMERIC = { epochs: 'epochs', lr: 'lr', batch: 'batch', 'train-batches': 'trainBatches', 'test-batches': 'testBatches', seed: 'seed' } as const;

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' as const }])),
        out: { type: 'string' },
        resume: { type: 'string' },
        data: { type: 'string' },
        backend: { type: 'string' },
        dot: { type: 'string' },
        overwrite: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(firstLine(error));
  }
}

function overrides(values: Readonly<Record<string, string | boolean | undefined>>): Partial<RunConfig> {
  const out: Record<string, number> = {};
  for (const [flag, field] of Object.entries(NUMERIC)) {
    const text = values[flag];
    if (typeof text === 'string') out[field] = flagNumber(`--${flag}`, field, text);
  }
  return out;
}

/** The options each command takes; a resumed run keeps its run.json, so only its length and directory change. */
const RESUME_OPTIONS = ['epochs', 'out', 'resume', 'overwrite', 'backend'];
const OPTIONS_OF: ReadonlyMap<string, readonly string[]> = new Map([
  ['train', [...Object.keys(NUMERIC), 'out', 'resume', 'overwrite', 'data', 'backend']],
  ['train --resume', RESUME_OPTIONS],
  ['eval', ['backend']],
  ['inspect', ['dot']],
]);

function checkOptions(command: string, values: Readonly<Record<string, unknown>>): void {
  const allowed = OPTIONS_OF.get(command === 'train' && values.resume !== undefined ? 'train --resume' : command);
  if (allowed === undefined) throw new UsageError(`unknown command '${command}' (commands: train, eval, inspect, help; --help for usage)`);
  const given = Object.keys(values).filter((k) => k !== 'help' && values[k] !== undefined);
  const stray = given.find((k) => !allowed.includes(k));
  if (stray === undefined) return;
  if (allowed === RESUME_OPTIONS) throw new UsageError(`--${stray}: a resumed run keeps the settings in its run.json (only --epochs, --out, --overwrite and --backend may be given with --resume)`);
  throw new UsageError(`--${stray} is not an option of ${command} (--help for usage)`);
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  const [command, target, ...extra] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    console.log(USAGE);
    return;
  }
  checkOptions(command, values);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const backend = backendRequest(str(values.backend));
  switch (command) {
    case 'train':
      if (values.data !== undefined && target !== undefined) throw new UsageError('train takes a task, a config.json or --data FILE (one of them)');
      return trainCommand({ source: str(values.data) ?? target, resume: str(values.resume), out: str(values.out), overwrite: values.overwrite === true, overrides: overrides(values), backend });
    case 'eval':
      return evalCommand(target, backend);
    case 'inspect':
      return inspectCommand(target, str(values.dot));
  }
}

/** Runs the CLI on `argv`; resolves to its exit code, having written any failure as one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await main(argv);
    return 0;
  } catch (error) {
    process.stderr.write(`spikeflow: ${firstLine(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
