/**
 * Shows the compiling of a graph's kernels (see CompileProgress in @spikeflow/webgpu), which on a
 * software GPU takes minutes for a new model. In a terminal it is a cli-progress bar redrawn in
 * place. Elsewhere (a log, a pipe) it writes plain lines, `compiling 25 kernels ... 12/25 (3.1 s)`:
 * the first at once, then one whenever another tenth is done or, if something was done, 2 s after
 * the last, and the last when all are (cli-progress would repeat its line every 2 s, changed or not).
 */
import cliProgress, { type SingleBar } from 'cli-progress';
import type { CompileProgress, CompileProgressCallback } from '@spikeflow/webgpu';

/** The longest a log waits for a line while kernels are being compiled. */
const PLAIN_LINE_EVERY_MS = 2000;

type Stream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

const tenths = (done: number, total: number): number => Math.floor((10 * done) / total);

export class CompileProgressReporter {
  private bar: SingleBar | undefined;
  private started = 0;
  private lastLine = 0;
  private lastDone = 0;

  constructor(private readonly stream: Stream = process.stderr) {}

  /** The callback to pass as `onCompileProgress`. */
  readonly listener: CompileProgressCallback = (event) => (event.label === undefined ? this.start(event) : this.advance(event));

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  private start({ done, total }: CompileProgress): void {
    this.stopBar();
    if (done === total) return; // every pipeline was already on the device: nothing to wait for
    this.started = Date.now();
    this.lastDone = done;
    if (this.tty) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream as NodeJS.WriteStream,
        format: `compiling ${total} kernels [{bar}] {value}/{total} ({duration} s)`,
        barsize: 20,
        barCompleteChar: '#', // as the epoch bar (progress.ts) draws
        barIncompleteChar: '.',
        hideCursor: true,
        gracefulExit: true,
      });
      this.bar.start(total, done);
    } else this.line(done, total);
  }

  private advance({ done, total }: CompileProgress): void {
    if (this.bar !== undefined) {
      this.bar.update(done);
      if (done === total) this.stopBar();
      return;
    }
    const due = Date.now() - this.lastLine >= PLAIN_LINE_EVERY_MS;
    if (done === total || tenths(done, total) > tenths(this.lastDone, total) || due) this.line(done, total);
  }

  private line(done: number, total: number): void {
    this.lastLine = Date.now();
    this.lastDone = done;
    this.stream.write(`compiling ${total} kernels ... ${done}/${total} (${((this.lastLine - this.started) / 1000).toFixed(1)} s)\n`);
  }

  /** Ends a bar left drawn (e.g. when compiling failed), so the next line starts on its own. */
  stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
