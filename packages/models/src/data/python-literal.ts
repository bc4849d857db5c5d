import { fail } from '@spikeflow/core';

/**
 * The subset of Python literals a .npy header holds, parsed without eval: a dict of string keys
 * whose values are strings, True/False, integers or tuples of integers. Keys land in a Map, so a
 * key such as `__proto__` is just an unknown key.
 */
export type PyValue = string | boolean | number | readonly number[];

class Reader {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {}

  error(message: string): never {
    fail('feed', this.where, `${message} at character ${this.at} of ${JSON.stringify(this.text.slice(0, 120))}`);
  }

  skipSpace(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at]!)) this.at++;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.at] ?? '';
  }

  expect(char: string): void {
    if (this.peek() !== char) this.error(`expected '${char}'`);
    this.at++;
  }

  /** Consumes `char` if it comes next. */
  accept(char: string): boolean {
    if (this.peek() !== char) return false;
    this.at++;
    return true;
  }

  string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.error('expected a quoted string');
    const end = this.text.indexOf(quote, this.at + 1);
    if (end < 0) this.error('unterminated string');
    const s = this.text.slice(this.at + 1, end);
    if (s.includes('\\')) this.error('escapes are not expected in a .npy header string');
    this.at = end + 1;
    return s;
  }

  integer(): number {
    this.skipSpace();
    const m = /^[0-9]+L?/.exec(this.text.slice(this.at));
    if (m === null) this.error('expected a non-negative integer');
    this.at += m[0].length;
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) this.error(`integer ${m[0]} is too large`);
    return n;
  }

  tuple(): number[] {
    this.expect('(');
    const out: number[] = [];
    while (!this.accept(')')) {
      out.push(this.integer());
      if (!this.accept(',')) {
        this.expect(')');
        break;
      }
    }
    return out;
  }

  value(): PyValue {
    const c = this.peek();
    if (c === "'" || c === '"') return this.string();
    if (c === '(') return this.tuple();
    for (const [word, v] of [['True', true], ['False', false]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    if (!/[0-9]/.test(c)) this.error('expected a string, True, False, an integer or a tuple of integers');
    return this.integer();
  }

  dict(): Map<string, PyValue> {
    const out = new Map<string, PyValue>();
    this.expect('{');
    while (!this.accept('}')) {
      const key = this.string();
      if (out.has(key)) this.error(`duplicate key '${key}'`);
      this.expect(':');
      out.set(key, this.value());
      if (!this.accept(',')) {
        this.expect('}');
        break;
      }
    }
    this.skipSpace();
    if (this.at !== this.text.length) this.error('unexpected text after the dict');
    return out;
  }
}

/** Parses `text` as one Python dict literal; any other text is one error at `where`. */
export function parsePythonDict(text: string, where: string): Map<string, PyValue> {
  return new Reader(text, where).dict();
}
