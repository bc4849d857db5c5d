/** A one-line progress bar on stderr (redrawn in a terminal, only the finished lines otherwise). */
const WIDTH = 24;

export class ProgressBar {
  private readonly tty = process.stderr.isTTY === true;

  /** `done` of `total` units of `label`, with a short status after the bar. */
  update(label: string, done: number, total: number, status = ''): void {
    if (!this.tty) return;
    const filled = Math.round((WIDTH * done) / Math.max(total, 1));
    process.stderr.write(`\r\x1b[2K${label} [${'#'.repeat(filled).padEnd(WIDTH, '.')}] ${done}/${total} ${status}`);
  }

  /** Ends the current bar with a permanent line. */
  line(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
