// Synthetic vote streams for the brushing detector's tests: a script's pattern and a crowd's.
import { createPrng } from '../../lib/rules/prng';
import type { VoteSample } from '../../lib/rules/brushing';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A brushing run: `n` votes `gapMs` apart ending at `end`, from one /24, by accounts registered
 * in one batch `ageMinutes` before the first vote.
 */
export function scriptedVotes(n: number, end: number, o: { gapMs?: number; subnet?: string; ageMinutes?: number; prefix?: string } = {}): VoteSample[] {
  const gap = o.gapMs ?? 5000;
  const start = end - (n - 1) * gap;
  const created = start - (o.ageMinutes ?? 40) * MINUTE;
  return Array.from({ length: n }, (_, i) => ({
    at: start + i * gap,
    ip: `${o.subnet ?? '10.1.2'}.${(i % 250) + 1}`,
    accountId: `${o.prefix ?? 'bot'}-${i}`,
    accountCreatedAt: created + i * 1500,
  }));
}

/**
 * An organic crowd: Poisson arrivals (exponential gaps) over `minutes` before `end`, each voter
 * from its own network, with accounts from days to a year old.
 */
export function organicVotes(n: number, end: number, minutes: number, seed: string, prefix = 'person'): VoteSample[] {
  const rng = createPrng(seed);
  const span = minutes * MINUTE;
  const mean = span / n;
  const out: VoteSample[] = [];
  let at = end - span;
  for (let i = 0; i < n; i++) {
    at += -Math.log(1 - rng.next()) * mean;
    if (at > end) at = end - rng.int(1000);
    out.push({
      at: Math.round(at),
      ip: `${1 + rng.int(222)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`,
      accountId: `${prefix}-${i}`,
      accountCreatedAt: Math.round(at - (2 + rng.int(360)) * DAY - rng.int(DAY)),
    });
  }
  return out;
}
