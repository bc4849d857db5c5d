import { fail } from './errors.js';

/**
 * Names that cannot be node ids, JSON keys or interface names. They are members of
 * Object.prototype (or `prototype`), so a plain object indexed by one would reach the prototype
 * instead of an own entry: `__proto__` would even replace it.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'prototype',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

/** Rejects a reserved name, naming the field that holds it. */
export function expectUnreservedName(name: string, where: string): void {
  if (isReservedName(name)) fail('schema', where, `reserved name '${name}': it names a member of every JavaScript object`, 'a name other than __proto__, prototype or an Object.prototype member', name);
}
