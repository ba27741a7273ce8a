// A seeded pseudo-random generator for draws that must be reproducible from a seed recorded
// in the history (the review assignment, SPEC §7). Pure: no Math.random, no clock, no Node, so
// a workflow replaying the same seed gets the same numbers on any machine.
//
// The seed string is hashed to 128 bits with cyrb128 (four interleaved 32-bit multiply-xorshift
// lanes over the UTF-16 code units) and drives xoshiro128** (Blackman & Vigna). Neither is a
// cryptographic generator: the draw only needs to be unpredictable to whoever does not know the
// seed, and the seed is chosen by the server when the draw is made.

export interface Prng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (rejection sampling, so unbiased). */
  int(n: number): number;
  /** Fisher–Yates in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

/** cyrb128: a string to four 32-bit words. */
export function hashSeed(seed: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export function createPrng(seed: string): Prng {
  let [a, b, c, d] = hashSeed(seed);
  // xoshiro's one forbidden state; cyrb128 practically never yields it, but never is cheap.
  if ((a | b | c | d) === 0) a = 0x9e3779b9;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  const int = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`int(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
    // Reject the top sliver of the 32-bit range that would over-represent small values.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = nextU32();
      if (x < limit) return x % n;
    }
  };

  return {
    next: () => nextU32() / 2 ** 32,
    int,
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
