// The compile progress written to a log (stderr not a terminal): a first line at once, then one per
// tenth of the kernels done or 2 s after the last line, and always the last; none when every
// pipeline was already compiled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CompileProgressReporter } from '../src/compile-progress.js';

function logReporter(): { reporter: CompileProgressReporter; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string | Uint8Array) => lines.push(String(chunk)) > 0 };
  return { reporter: new CompileProgressReporter(stream as unknown as NodeJS.WriteStream), lines };
}

describe('compile progress in a log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a line at the start, at each new tenth, after 2 s without one, and at the end', () => {
    vi.useFakeTimers({ now: 0 });
    const { reporter, lines } = logReporter();
    reporter.listener({ done: 0, total: 25 });
    for (let done = 1; done <= 23; done++) reporter.listener({ done, total: 25, label: `k${done}` });
    vi.setSystemTime(2500);
    reporter.listener({ done: 24, total: 25, label: 'k24' }); // the same tenth as 23, but 2.5 s later
    reporter.listener({ done: 25, total: 25, label: 'k25' });
    // floor(10 * done / 25) first reaches 1..10 at done = 3, 5, 8, 10, 13, 15, 18, 20, 23, 25.
    const at0 = [0, 3, 5, 8, 10, 13, 15, 18, 20, 23].map((done) => `compiling 25 kernels ... ${done}/25 (0.0 s)\n`);
    expect(lines).toEqual([...at0, 'compiling 25 kernels ... 24/25 (2.5 s)\n', 'compiling 25 kernels ... 25/25 (2.5 s)\n']);
  });

  it('writes nothing when every pipeline is already compiled, and starts over for the next graph', () => {
    vi.useFakeTimers({ now: 0 });
    const { reporter, lines } = logReporter();
    reporter.listener({ done: 4, total: 4 });
    expect(lines).toEqual([]);
    reporter.listener({ done: 3, total: 5 });
    vi.setSystemTime(1200);
    reporter.listener({ done: 4, total: 5, label: 'a' });
    reporter.listener({ done: 5, total: 5, label: 'b' });
    expect(lines).toEqual(['compiling 5 kernels ... 3/5 (0.0 s)\n', 'compiling 5 kernels ... 4/5 (1.2 s)\n', 'compiling 5 kernels ... 5/5 (1.2 s)\n']);
  });
});
