import type { z } from 'zod';
import { fail } from '@spikeflow/core';

/** One problem with a spec: the path of the field at fault and what is wrong with it. */
export interface SpecIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * zod's issues in the words of a spec. An unknown field (a misspelling such as `tua` for `tau`)
 * is named by its own path rather than its parent's, so the error points at the typo.
 */
export function specIssues(error: z.ZodError): SpecIssue[] {
  return error.issues.flatMap((issue): SpecIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: `unknown field '${key}'` }))
      : [{ path: issue.path, message: issue.message }],
  );
}

/** `prefix` and a field path as a spec's reader writes it, e.g. `layers[1].neuron.tau`, `conv2d.padding[0]`. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return prefix + path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

/**
 * Checks `raw` against a spec schema and fills in its defaults. The first problem fails with one
 * 'spec' error naming `prefix` and the field, with the value found there.
 */
export function checkSpec<S>(schema: z.ZodType<S>, raw: unknown, prefix: string): S {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = specIssues(parsed.error)[0]!;
  // Own keys only: a field named like an Object.prototype member must not reach the prototype.
  const found = issue.path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined), raw);
  return fail('spec', fieldPath(prefix, issue.path), issue.message, undefined, found === undefined ? undefined : JSON.stringify(found));
}

/**
 * Validates a layer spec made in code (e.g. by `conv2d(...)`) against the schema its JSON form
 * uses, filling the defaults, so both front doors accept exactly the same specs: an unknown or
 * misspelt field is rejected by name, e.g. `lif.tua`.
 */
export function validateLayerSpec<S>(schema: z.ZodType<S>, raw: { readonly kind: string; readonly [field: string]: unknown }): S {
  return checkSpec(schema, raw, raw.kind);
}
