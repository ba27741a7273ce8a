// The review draw at province size against the target: 2,000 spaces × 3 experts over
// 148 experts in under 1 s.
//   npx tsx bench/assignment.ts [runs=15] [spaces=2000]
// Experts follow the cities' nomination quotas (SPEC §6, 148 in all); spaces are spread over the
// cities like the recommendation quotas (SPEC §5). Each run uses a fresh seed, so it times a new
// draw, not a cached one; the first run of each case (JIT warm-up for the first) is shown apart.
import { CITIES } from '../db/seed/regions';
import { assign, type AssignInput, type AssignmentExpert, type AssignmentSpace, type Conflict } from '../lib/rules/assignment';
import { createPrng } from '../lib/rules/prng';

const RUNS = Number(process.argv[2] ?? 15);
const SPACES = Number(process.argv[3] ?? 2000);
const TARGET_MS = 1000;

function instance(spaceCount: number): AssignInput {
  const experts: AssignmentExpert[] = CITIES.flatMap((c) => Array.from({ length: c.expertQuota }, (_, i) => ({ id: `x-${c.code}-${i + 1}`, cityId: Number(c.code) })));
  const weight = CITIES.map((c) => c.teacherQuota + c.studentQuota);
  const all = weight.reduce((a, b) => a + b, 0);
  const share = weight.map((w) => (w * spaceCount) / all);
  const counts = share.map(Math.floor);
  const byRemainder = share.map((s, i) => [s - Math.floor(s), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const left = spaceCount - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < left; k++) counts[byRemainder[k][1]]++;
  const spaces: AssignmentSpace[] = CITIES.flatMap((c, ci) => Array.from({ length: counts[ci] }, (_, i) => ({ id: `sp-${c.code}-${i + 1}`, cityId: Number(c.code) })));
  return { experts, spaces, conflicts: [], perSpace: 3, seed: '' };
}

function time(input: AssignInput, runs: number): { first: number; times: number[]; spread: string } {
  const times: number[] = [];
  let spread = '';
  let first = 0;
  for (let r = 0; r <= runs; r++) {
    const started = performance.now();
    const res = assign({ ...input, seed: `bench-${r}` });
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`the draw was refused:\n${res.problems.map((p) => p.message).join('\n')}`);
    spread = `loads ${res.balance.minLoad}–${res.balance.maxLoad} over ${res.balance.poolSize} experts`;
    if (r === 0) first = ms;
    else times.push(ms);
  }
  return { first, times, spread };
}

function report(label: string, { first, times, spread }: ReturnType<typeof time>): void {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const max = sorted[sorted.length - 1];
  const verdict = Math.max(max, first) < TARGET_MS ? 'MET' : 'NOT MET';
  console.log(`  ${label}`);
  console.log(`    first run             : ${first.toFixed(1)} ms`);
  console.log(`    next ${times.length} runs          : median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  console.log(`    result                : ${spread}`);
  console.log(`    target < ${TARGET_MS} ms per draw : worst ${Math.max(max, first).toFixed(1)} ms → ${verdict}`);
}

const plain = instance(SPACES);
const prng = createPrng('bench-conflicts');
const conflicts: Conflict[] = Array.from({ length: Math.round(SPACES * 0.3) }, () => ({
  expertId: plain.experts[prng.int(plain.experts.length)].id,
  spaceId: plain.spaces[prng.int(plain.spaces.length)].id,
}));

console.log(`assignment benchmark: ${plain.spaces.length} spaces × ${plain.perSpace} over ${plain.experts.length} experts in ${CITIES.length} cities, ${RUNS} timed runs each (Node ${process.version})`);
report('no declared conflicts', time(plain, RUNS));
report(`${conflicts.length} declared conflicts`, time({ ...plain, conflicts }, RUNS));
