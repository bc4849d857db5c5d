// Flags of the standalone bench scripts (`npx tsx bench/wasm-*.ts --name=value`).

/** The value of `--name=value`, or `fallback` when the flag is absent. */
export function flag(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const given = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return given === undefined ? fallback : given.slice(prefix.length);
}

/** `text` as a positive integer, or one line naming the flag and exit code 2. */
export function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name}: '${text}' is not a positive integer`);
    process.exit(2);
  }
  return value;
}
