import { fail } from '../errors.js';
import { MAX_JSON_DEPTH } from '../limits.js';
import { expectUnreservedName } from '../reserved-names.js';
import { formatPath } from './path.js';

/**
 * Checks of graph JSON text that JSON.parse cannot make: nesting depth, duplicate keys (the
 * parser keeps the last silently) and reserved keys. A single iterative pass over text that
 * already parsed, so it needs no grammar of its own and no recursion a deep text could overflow.
 */

interface Container {
  /** Keys seen so far in an object; undefined for an array. */
  readonly keys: Set<string> | undefined;
  /** Whether an object's current key is on the path (so `,` and `}` pop it). */
  hasKey: boolean;
}

/** At most this many path segments in a message, so a deep path stays one readable line. */
const SHOWN_SEGMENTS = 12;

function shownPath(path: readonly (string | number)[]): string {
  return path.length > SHOWN_SEGMENTS ? `${formatPath(path.slice(0, SHOWN_SEGMENTS))}...` : formatPath(path);
}

/** Index just past the string literal that opens at `start` (text is valid JSON). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== 0x22 /* " */) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
  return i + 1;
}

/**
 * Rejects `text` (valid JSON) if it nests deeper than MAX_JSON_DEPTH, repeats a key within one
 * object, or uses a reserved name as a key; errors give the JSON path.
 */
export function checkJsonText(text: string): void {
  const stack: Container[] = [];
  const path: (string | number)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.keys !== undefined && !top.hasKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        const where = shownPath([...path, key]);
        expectUnreservedName(key, where);
        if (top.keys.has(key)) fail('json', where, `duplicate key '${key}'; JSON keeps only the last, so the text is ambiguous`, 'each key once per object', key);
        top.keys.add(key);
        top.hasKey = true;
        path.push(key);
      }
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_JSON_DEPTH) {
        fail('limit', shownPath(path), `JSON nested deeper than ${MAX_JSON_DEPTH} arrays and objects`, `<= ${MAX_JSON_DEPTH} levels`, `more than ${MAX_JSON_DEPTH}`);
      }
      stack.push({ keys: c === '{' ? new Set() : undefined, hasKey: false });
      if (c === '[') path.push(0);
    } else if (c === ',' && top !== undefined) {
      if (top.keys === undefined) path[path.length - 1] = (path[path.length - 1] as number) + 1;
      else {
        path.pop();
        top.hasKey = false;
      }
    } else if (c === '}' || c === ']') {
      if (c === ']' || top!.hasKey) path.pop();
      stack.pop();
    }
    i++;
  }
}
