import type { z } from 'zod';
import { fail } from '@spikeflow/core';

/**
 * Validates a layer spec made in code (e.g. by `conv2d(...)`) against the schema its JSON form
 * uses, filling the defaults, so both front doors accept exactly the same specs. Errors name the
 * field after the kind, e.g. `conv2d.groups`.
 */
export function validateLayerSpec<S>(schema: z.ZodType<S>, raw: { readonly kind: string; readonly [field: string]: unknown }): S {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const found = issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], raw);
    fail('spec', [raw.kind, ...issue.path.map(String)].join('.'), issue.message, undefined, JSON.stringify(found));
  }
  return parsed.data;
}
