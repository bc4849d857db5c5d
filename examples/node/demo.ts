/**
 * `pnpm demo [--quick] [--backend=auto|webgpu|wasm|cpu]`: train a spiking MLP on MNIST and print
 * held-out accuracy, on WebGPU on a hardware GPU or the WebAssembly backend otherwise
 * (SPIKEFLOW_BACKEND also picks one).
 */
// The CLI's reporter: a cli-progress bar in a terminal, plain lines in a log; and the CLI's backend choice.
import { backendRequest } from '../../packages/cli/src/backend-choice.js';
import { CompileProgressReporter } from '../../packages/cli/src/compile-progress.js';
import { firstLine } from '../../packages/cli/src/usage-error.js';
import { runDemo } from './mnist-demo.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.find((a) => a !== '--quick' && !a.startsWith('--backend='));
if (unknown !== undefined) {
  console.error(`demo: unknown argument '${unknown}' (use --quick, --backend=auto|webgpu|wasm|cpu)`);
  process.exit(2);
}
let backend: ReturnType<typeof backendRequest>;
try {
  backend = backendRequest(args.find((a) => a.startsWith('--backend='))?.slice('--backend='.length));
} catch (error) {
  console.error(`demo: ${firstLine(error)}`);
  process.exit(2);
}
const tty = process.stdout.isTTY === true;
const quick = args.includes('--quick');
const result = await runDemo({
  backend,
  epochs: quick ? 1 : 3,
  trainSize: quick ? 2048 : 8000,
  testSize: 2000,
  batch: 128,
  steps: 8,
  hidden: 128,
  lr: 0.002,
  seed: 1,
  onCompileProgress: new CompileProgressReporter(process.stdout).listener,
  progress: (line, final) => {
    if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else if (final) console.log(line);
  },
});
console.log(`\nheld-out accuracy: ${(100 * result.testAccuracy).toFixed(2)}% (${result.device})`);
process.exit(0);
