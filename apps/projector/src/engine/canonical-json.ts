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
      const item = value[i];
      writeCanonical(item === undefined ? null : item, write);
    }
    write(']');
    return;
  }
  const keys = Object.keys(value).sort();
  write('{');
  let first = true;
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    if (!first) write(',');
    first = false;
    write(JSON.stringify(key));
    write(':');
    writeCanonical(member, write);
  }
  write('}');
}

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
  private buffer: string[] = [];
  private buffered = 0;

  readonly write = (chunk: string): void => {
    this.buffer.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= 65_536) this.flush();
  };

  value(value: unknown): void {
    writeCanonical(value, this.write);
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    this.hash.update(this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }
}
