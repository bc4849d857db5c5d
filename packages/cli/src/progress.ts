/**
 * Progress bars for epochs and batches on one stderr line. In a terminal the line is redrawn in
 * place; elsewhere (a log, a pipe) a line is written at every tenth of an epoch's batches, so a
 * log shows progress without a line per batch of a long epoch.
 */
const WIDTH = 20;

const bar = (fraction: number): string => `[${'#'.repeat(Math.round(WIDTH * Math.min(Math.max(fraction, 0), 1))).padEnd(WIDTH, '.')}]`;

export class ProgressBar {
  private readonly tty = process.stderr.isTTY === true;

  /** Batch `batch` of `batches` (1-based) of epoch `epoch` of `epochs` has started. */
  update(epoch: number, epochs: number, batch: number, batches: number): void {
    const text = `epoch ${epoch}/${epochs} ${bar((epoch - 1 + batch / batches) / epochs)}  batch ${batch}/${batches} ${bar(batch / batches)}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${text}`);
    else if (Math.floor((10 * batch) / batches) > Math.floor((10 * (batch - 1)) / batches)) process.stderr.write(`${text}\n`);
  }

  /** Ends the current bar with a permanent line. */
  line(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
