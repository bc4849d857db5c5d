/** `pnpm demo`: train a spiking MLP on MNIST on the GPU and print held-out accuracy. */
// The CLI's reporter: a cli-progress bar in a terminal, plain lines in a log.
import { CompileProgressReporter } from '../../packages/cli/src/compile-progress.js';
import { runDemo } from './mnist-demo.js';

const tty = process.stdout.isTTY === true;
const quick = process.argv.includes('--quick');
const result = await runDemo({
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
