/**
 * Names a plain object answers from its prototype, and `prototype`: never ids, never body keys. Specs
 * send each of them wherever an id or a body key goes. Written out by hand rather than taken from
 * RESERVED_IDS, so that a name that list forgot still gets sent.
 */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
] as const;
