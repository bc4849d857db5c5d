/** A problem with what the user typed or pointed at: reported as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An error's first line; an error without a message (a bare DOMException) is named by its kind. */
export function firstLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  if (line !== '') return line;
  const kind = error instanceof Error ? error.name || error.constructor.name : typeof error;
  return `${kind} (without a message)`;
}
