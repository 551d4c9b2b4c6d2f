/**
 * A seeded pseudo-random generator (sfc32, Chris Doty-Humphrey's Small Fast Counter): 128 bits of
 * state, passes PractRand, and is tiny enough to read. `Math.random` cannot be seeded, and a load
 * run must be reproducible from its `--seed` alone.
 */
export type Random = () => number;

export function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** splitmix32: spreads one 32-bit seed over sfc32's four words (a zero state would repeat early). */
const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
};

/** FNV-1a over a string: turns `--seed abc` and a call index into a 32-bit seed. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/** A generator for one named sub-stream of a seed ("call 17"), independent of every other one. */
export const randomFor = (seed: string, stream: string): Random => {
  const mix = splitmix32(hash32(`${seed}/${stream}`));
  const random = sfc32(mix(), mix(), mix(), mix());
  // The first outputs of a freshly seeded sfc32 are weakly mixed; the reference code discards them.
  for (let i = 0; i < 12; i++) random();
  return random;
};

/** An integer in [0, n). */
export const pickIndex = (random: Random, n: number): number => Math.floor(random() * n);
