import { vi } from 'vitest';
import { runCli } from '../src/cli.js';

/** runCli in this process, with what it writes to stdout (console.log) and stderr (its non-blank lines) captured. */
export async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; errors: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void stdout.push(`${parts.join(' ')}\n`));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
  try {
    const code = await runCli(args);
    return { code, stdout: stdout.join(''), errors: stderr.join('').split('\n').filter((l) => l.trim() !== '') };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}
