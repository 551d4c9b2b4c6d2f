import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped (as
 * JSON.stringify does). Two states that are equal as data serialise to the same bytes, whatever order
 * the handlers happened to insert keys in, so a digest over it compares a rebuild with a live projector.
 */
export function writeCanonical(value: unknown, write: (chunk: string) => void): void {
  if (value === null || typeof value !== 'object') {
    write(primitive(value));
    return;
  }
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) write(',');
      const item: unknown = value[i];
      writeCanonical(item === undefined ? null : item, write);
    }
    write(']');
    return;
  }
  const keys = sortedKeys(value);
  write('{');
  let first = true;
  for (const key of keys) {
    // eslint-disable-next-line local/no-prototype-lookup -- sortedKeys lists the value's own keys only
    const member = (value as Record<string, unknown>)[key.name];
    if (member === undefined) continue;
    write(first ? key.quoted : key.separated);
    first = false;
    writeCanonical(member, write);
  }
  write('}');
}

interface Key {
  readonly name: string;
  /** `"name":`, and `,"name":` for every member but the first. */
  readonly quoted: string;
  readonly separated: string;
}

/**
 * Read-model rows come in a handful of shapes, each repeated millions of times: their keys are sorted
 * and quoted once per shape (the keys in insertion order) instead of once per row.
 */
interface Shape {
  readonly names: readonly string[];
  readonly keys: readonly Key[];
}
const shapes = new Map<string, Shape>();
const SHAPES_KEPT = 10_000;

const sortedKeys = (value: object): readonly Key[] => {
  const names = Object.keys(value);
  const id = names.join('\u0000');
  const known = shapes.get(id);
  // The joined names identify a shape only if no name contains the separator: compare to be sure.
  if (known && known.names.length === names.length && known.names.every((name, i) => name === names[i])) {
    return known.keys;
  }
  const keys = [...names].sort().map((name) => {
    const quoted = `${JSON.stringify(name)}:`;
    return { name, quoted, separated: `,${quoted}` };
  });
  // Objects keyed by data rather than by a fixed shape would grow the cache without bound.
  if (shapes.size < SHAPES_KEPT) shapes.set(id, { names, keys });
  return keys;
};

const primitive = (value: unknown): string => {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`read-model state holds a non-finite number (${value}): it has no JSON form`);
  }
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`read-model state holds a ${typeof value}: store it as a string or number`);
  }
  return JSON.stringify(value);
};

export const canonicalJson = (value: unknown): string => {
  const chunks: string[] = [];
  writeCanonical(value, (chunk) => chunks.push(chunk));
  return chunks.join('');
};

/**
 * Feeds canonical JSON into a sha256 in 64 KiB slices: a state of millions of rows is hashed without
 * ever building one string of its whole size.
 */
export class CanonicalHasher {
  private readonly hash = createHash('sha256');
  private buffer = '';

  readonly write = (chunk: string): void => {
    this.buffer += chunk;
    if (this.buffer.length >= 65_536) this.flush();
  };

  value(value: unknown): void {
    writeCanonical(value, this.write);
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    this.hash.update(this.buffer);
    this.buffer = '';
  }
}
