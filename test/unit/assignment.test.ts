import fc from 'fast-check';
import { CITIES } from '../../db/seed/regions';
import { assign, replace, type AssignInput, type AssignmentExpert, type AssignmentOk, type AssignmentSpace, type Conflict } from '../../lib/rules/assignment';
import { createPrng } from '../../lib/rules/prng';

// ---------- independent restatements of the rules (the oracles), not sharing the module's code ----------

const key = (expertId: string, spaceId: string) => `${expertId}|${spaceId}`;

function eligibleExperts(inst: AssignInput, space: AssignmentSpace): string[] {
  const conflicted = new Set((inst.conflicts ?? []).map((c) => key(c.expertId, c.spaceId)));
  return inst.experts.filter((e) => String(e.cityId) !== String(space.cityId) && !conflicted.has(key(e.id, space.id))).map((e) => e.id);
}

/** Experts that may review at least one space: the pool the balance is taken over. */
function poolOf(inst: AssignInput): Set<string> {
  return new Set(inst.spaces.flatMap((s) => eligibleExperts(inst, s)));
}

/** Every hard constraint of a draw, checked on the result; returns what is broken. */
function violations(inst: AssignInput, res: AssignmentOk): string[] {
  const p = inst.perSpace ?? 3;
  const out: string[] = [];
  const experts = new Map(inst.experts.map((e) => [e.id, e]));
  const conflicted = new Set((inst.conflicts ?? []).map((c) => key(c.expertId, c.spaceId)));
  const added = new Map<string, number>();
  if (Object.keys(res.assignments).length !== inst.spaces.length) out.push('not every space is assigned');
  for (const s of inst.spaces) {
    const list = res.assignments[s.id] ?? [];
    if (list.length !== p) out.push(`${s.id} has ${list.length} experts`);
    if (new Set(list).size !== list.length) out.push(`${s.id} has a repeated expert`);
    for (const id of list) {
      const e = experts.get(id);
      if (!e) out.push(`${s.id} has unknown expert ${id}`);
      else if (String(e.cityId) === String(s.cityId)) out.push(`${s.id} has ${id} from its own city`);
      if (conflicted.has(key(id, s.id))) out.push(`${s.id} has conflicted ${id}`);
      added.set(id, (added.get(id) ?? 0) + 1);
    }
  }
  const base = (id: string) => inst.existingLoads?.[id] ?? 0;
  for (const e of inst.experts) if (res.loads[e.id] !== base(e.id) + (added.get(e.id) ?? 0)) out.push(`load of ${e.id} is misreported`);
  // Balanced (water filling): nobody who got new reviews is more than 1 above the least-loaded pool expert.
  const pool = [...poolOf(inst)];
  const total = (id: string) => base(id) + (added.get(id) ?? 0);
  const least = Math.min(...pool.map(total));
  for (const id of pool) if ((added.get(id) ?? 0) > 0 && total(id) > least + 1) out.push(`${id} has ${total(id)}, the least loaded has ${least}`);
  return out;
}

/**
 * Does a draw with max − min ≤ 1 over the pool exist? Circulation with lower bounds, solved by
 * Edmonds–Karp on a capacity matrix — a different method from the module's two-phase Dinic.
 * Without earlier loads, max − min ≤ 1 with T reviews over P experts means floor(T/P)..ceil(T/P).
 */
function balancedDrawExists(inst: AssignInput): boolean {
  const p = inst.perSpace ?? 3;
  const pool = [...poolOf(inst)];
  const T = inst.spaces.length * p;
  if (pool.length === 0) return T === 0;
  const lo = Math.floor(T / pool.length);
  const hi = Math.ceil(T / pool.length);
  const S = inst.spaces.length;
  const P = pool.length;
  const src = 0;
  const snk = S + P + 1;
  const superS = S + P + 2;
  const superT = S + P + 3;
  const n = S + P + 4;
  const cap = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const excess = new Array<number>(n).fill(0);
  const edge = (u: number, v: number, l: number, c: number) => {
    cap[u][v] += c - l;
    excess[v] += l;
    excess[u] -= l;
  };
  const poolIndex = new Map(pool.map((id, i) => [id, i]));
  inst.spaces.forEach((s, i) => {
    edge(src, 1 + i, p, p);
    for (const id of eligibleExperts(inst, s)) edge(1 + i, 1 + S + poolIndex.get(id)!, 0, 1);
  });
  pool.forEach((_, j) => edge(1 + S + j, snk, lo, hi));
  edge(snk, src, 0, T);
  let need = 0;
  for (let v = 0; v < superS; v++) {
    if (excess[v] > 0) {
      cap[superS][v] += excess[v];
      need += excess[v];
    } else if (excess[v] < 0) cap[v][superT] += -excess[v];
  }
  let flow = 0;
  for (;;) {
    const prev = new Array<number>(n).fill(-1);
    prev[superS] = superS;
    const queue = [superS];
    while (queue.length && prev[superT] < 0) {
      const u = queue.shift()!;
      for (let v = 0; v < n; v++) if (prev[v] < 0 && cap[u][v] > 0) (prev[v] = u), queue.push(v);
    }
    if (prev[superT] < 0) break;
    let f = Infinity;
    for (let v = superT; v !== superS; v = prev[v]) f = Math.min(f, cap[prev[v]][v]);
    for (let v = superT; v !== superS; v = prev[v]) (cap[prev[v]][v] -= f), (cap[v][prev[v]] += f);
    flow += f;
  }
  return flow === need;
}

/** Literal brute force over every draw of a tiny instance, earlier loads included. */
function bruteForceBalancedDrawExists(inst: AssignInput): boolean {
  const p = inst.perSpace ?? 3;
  const pool = [...poolOf(inst)];
  const load = new Map(inst.experts.map((e) => [e.id, inst.existingLoads?.[e.id] ?? 0]));
  const added = new Map<string, number>();
  const options = inst.spaces.map((s) => subsets(eligibleExperts(inst, s), p));
  const balanced = () => {
    const least = Math.min(...pool.map((id) => load.get(id)!));
    return pool.every((id) => !(added.get(id) ?? 0) || load.get(id)! <= least + 1);
  };
  const go = (i: number): boolean => {
    if (i === options.length) return balanced();
    for (const pick of options[i]) {
      for (const id of pick) load.set(id, load.get(id)! + 1), added.set(id, (added.get(id) ?? 0) + 1);
      const found = go(i + 1);
      for (const id of pick) load.set(id, load.get(id)! - 1), added.set(id, added.get(id)! - 1);
      if (found) return true;
    }
    return false;
  };
  return go(0);
}

function subsets<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [first, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

// ---------- instances ----------

interface Shape {
  cities: number;
  expertCities: number[];
  spaceCities: number[];
  conflicts: [number, number][];
  perSpace: number;
  seed: string;
  existing?: number[];
}

function toInstance(x: Shape): AssignInput {
  const experts = x.expertCities.map((c, i) => ({ id: `e${i}`, cityId: 4200 + c }));
  const spaces = x.spaceCities.map((c, i) => ({ id: `s${i}`, cityId: 4200 + c }));
  return {
    experts,
    spaces,
    conflicts: x.conflicts.map(([e, s]) => ({ expertId: `e${e}`, spaceId: `s${s}` })),
    perSpace: x.perSpace,
    seed: x.seed,
    existingLoads: x.existing ? Object.fromEntries(x.existing.map((n, i) => [`e${i}`, n])) : undefined,
  };
}

function shapeArb(o: { cities: [number, number]; experts: [number, number]; spaces: [number, number]; perSpace: fc.Arbitrary<number>; existing?: boolean }): fc.Arbitrary<AssignInput> {
  return fc
    .integer({ min: o.cities[0], max: o.cities[1] })
    .chain((cities) =>
      fc.record({
        cities: fc.constant(cities),
        expertCities: fc.array(fc.nat(cities - 1), { minLength: o.experts[0], maxLength: o.experts[1] }),
        spaceCities: fc.array(fc.nat(cities - 1), { minLength: o.spaces[0], maxLength: o.spaces[1] }),
        perSpace: o.perSpace,
        seed: fc.string({ minLength: 1, maxLength: 10 }),
      }),
    )
    .chain((x) =>
      fc.record({
        conflicts:
          x.spaceCities.length === 0
            ? fc.constant<[number, number][]>([])
            : fc.uniqueArray(fc.tuple(fc.nat(x.expertCities.length - 1), fc.nat(x.spaceCities.length - 1)), {
                maxLength: 2 * x.spaceCities.length,
                selector: ([e, s]) => `${e}:${s}`,
              }),
        existing: o.existing ? fc.option(fc.array(fc.nat(3), { minLength: x.expertCities.length, maxLength: x.expertCities.length }), { nil: undefined }) : fc.constant(undefined),
      }).map((y): Shape => ({ ...x, ...y })),
    )
    .map(toInstance);
}

/** 148 experts by the cities' nomination quotas; spaces spread like the recommendation quotas. */
function realisticInstance(spaceCount: number, seed: string): AssignInput {
  const experts: AssignmentExpert[] = CITIES.flatMap((c) => Array.from({ length: c.expertQuota }, (_, i) => ({ id: `x-${c.code}-${i + 1}`, cityId: Number(c.code) })));
  const weight = CITIES.map((c) => c.teacherQuota + c.studentQuota);
  const all = weight.reduce((a, b) => a + b, 0);
  const share = weight.map((w) => (w * spaceCount) / all);
  const counts = share.map(Math.floor);
  const byRemainder = share.map((s, i) => [s - Math.floor(s), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const left = spaceCount - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < left; k++) counts[byRemainder[k][1]]++;
  const spaces: AssignmentSpace[] = CITIES.flatMap((c, ci) => Array.from({ length: counts[ci] }, (_, i) => ({ id: `sp-${c.code}-${i + 1}`, cityId: Number(c.code) })));
  return { experts, spaces, conflicts: [], perSpace: 3, seed };
}

const three = fc.oneof({ arbitrary: fc.constant(3), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 1 });

// ---------- tests ----------

describe('review assignment (SPEC §7)', () => {
  test('when random cities, experts, conflicts and spaces are drawn, then every constraint holds or infeasibility is reported, and only when none exists', () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(shapeArb({ cities: [2, 6], experts: [3, 30], spaces: [0, 40], perSpace: three }), (inst) => {
        const res = assign(inst);
        const exists = balancedDrawExists(inst);
        if (res.ok) {
          seen.ok++;
          expect(violations(inst, res)).toEqual([]);
          expect(res.balance.maxLoad - res.balance.minLoad).toBeLessThanOrEqual(1);
          expect(exists).toBe(true);
        } else {
          seen.refused++;
          expect(exists).toBe(false);
          expect(res.problems.length).toBeGreaterThan(0);
          for (const p of res.problems) expect(p.message.length).toBeGreaterThan(30);
          // A space short of eligible experts is always named.
          for (const s of inst.spaces) {
            if (eligibleExperts(inst, s).length < (inst.perSpace ?? 3)) expect(res.problems.some((p) => p.kind === 'space_short' && p.spaceIds?.includes(s.id))).toBe(true);
          }
        }
      }),
      { numRuns: 400 },
    );
    // Both branches must have been exercised for the property to mean anything.
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  test('when tiny instances with earlier loads are searched exhaustively, then assign succeeds exactly when a balanced draw exists', () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(shapeArb({ cities: [2, 3], experts: [3, 5], spaces: [0, 4], perSpace: fc.integer({ min: 1, max: 2 }), existing: true }), (inst) => {
        const res = assign(inst);
        expect(res.ok).toBe(bruteForceBalancedDrawExists(inst));
        if (res.ok) {
          seen.ok++;
          expect(violations(inst, res)).toEqual([]);
        } else seen.refused++;
      }),
      { numRuns: 500 },
    );
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  test('when the same input is drawn twice or in another order, then the draw is the same', () => {
    fc.assert(
      fc.property(shapeArb({ cities: [2, 6], experts: [3, 30], spaces: [0, 40], perSpace: three }), (inst) => {
        const again = assign({ ...inst, spaces: [...inst.spaces].reverse(), experts: [...inst.experts].reverse(), conflicts: [...(inst.conflicts ?? [])].reverse() });
        expect(again).toEqual(assign(inst));
      }),
      { numRuns: 100 },
    );
  });

  describe('the province-size instance: 17 cities, 148 experts, 2,000 spaces', () => {
    const inst = realisticInstance(2000, 'campaign-2017/review/teacher');

    test('when drawn, then it is ok, every constraint holds and every expert has 40 or 41 reviews', () => {
      expect(inst.experts).toHaveLength(148);
      expect(inst.spaces).toHaveLength(2000);
      const res = assign(inst);
      if (!res.ok) throw new Error(res.problems.map((p) => p.message).join('\n'));
      expect(violations(inst, res)).toEqual([]);
      expect(res.balance).toEqual({ poolSize: 148, minLoad: 40, maxLoad: 41 });
      const loads = Object.values(res.loads);
      expect(loads.filter((n) => n === 41)).toHaveLength(6000 - 148 * 40);
      expect(res.idle).toEqual([]);
      expect(res.seed).toBe('campaign-2017/review/teacher');
    });

    test('when experts declare conflicts, then none of them is drawn and the balance still holds', () => {
      const prng = createPrng('conflicts');
      const conflicts: Conflict[] = Array.from({ length: 600 }, () => ({ expertId: inst.experts[prng.int(148)].id, spaceId: inst.spaces[prng.int(2000)].id }));
      const withConflicts = { ...inst, conflicts };
      const res = assign(withConflicts);
      if (!res.ok) throw new Error(res.problems.map((p) => p.message).join('\n'));
      expect(violations(withConflicts, res)).toEqual([]);
    });

    test('when seeds differ, then the draws differ in almost every space', () => {
      const draws = ['a', 'b', 'c', 'd', 'e', 'f'].map((seed) => assign({ ...inst, seed }) as AssignmentOk);
      expect(new Set(draws.map((d) => JSON.stringify(d.assignments))).size).toBe(draws.length);
      const [x, y] = draws;
      const same = inst.spaces.filter((s) => x.assignments[s.id].join() === y.assignments[s.id].join()).length;
      expect(same).toBeLessThan(inst.spaces.length * 0.05);
    });

    test('when a later batch is drawn with the earlier loads, then the totals stay within 1', () => {
      const first = assign(inst) as AssignmentOk;
      const students = realisticInstance(97, 'student');
      const second = { ...students, spaces: students.spaces.map((s) => ({ ...s, id: `st-${s.id}` })), existingLoads: first.loads };
      const res = assign(second);
      if (!res.ok) throw new Error(res.problems.map((p) => p.message).join('\n'));
      expect(violations(second, res)).toEqual([]);
      expect(res.balance.maxLoad - res.balance.minLoad).toBeLessThanOrEqual(1);
    });
  });

  describe('reports of what cannot be met', () => {
    test('when a space has too few experts outside its city, then it is named with its counts', () => {
      const res = assign({
        spaces: [{ id: 's1', cityId: 4201 }],
        experts: [
          { id: 'a', cityId: 4201 },
          { id: 'b', cityId: 4202 },
          { id: 'c', cityId: 4203 },
          { id: 'd', cityId: 4204 },
        ],
        conflicts: [{ expertId: 'd', spaceId: 's1' }],
        seed: 'x',
      });
      expect(res).toMatchObject({ ok: false, problems: [{ kind: 'space_short', spaceIds: ['s1'] }] });
      expect(!res.ok && res.problems[0].message).toBe(
        'space s1 (city 4201) has only 2 eligible experts outside its city after conflicts; needs 3 (4 active, 1 from its city, 1 declared a conflict)',
      );
    });

    test('when an expert may review fewer spaces than its balanced share, then the balance is refused with that expert named', () => {
      const res = assign({
        spaces: [...Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, cityId: 1 })), { id: 'b0', cityId: 2 }],
        experts: [
          { id: 'x1', cityId: 1 },
          { id: 'y1', cityId: 2 },
          { id: 'z1', cityId: 3 },
        ],
        perSpace: 1,
        seed: 'x',
      });
      expect(res).toMatchObject({ ok: false, problems: [{ kind: 'expert_short', expertIds: ['x1'] }] });
      expect(!res.ok && res.problems[0].message).toMatch(/^loads cannot be balanced within 1: expert x1 \(city 1\) may review only 1 of the 7 spaces \(6 are in its city, 0 conflicted\) but a balanced draw gives it at least 2$/);
    });

    test('when two experts compete for the one space open to them, then the min cut names both', () => {
      const res = assign({
        spaces: [
          { id: 's1', cityId: 'A' },
          { id: 's2', cityId: 'A' },
          { id: 's3', cityId: 'C' },
        ],
        experts: [
          { id: 'e1', cityId: 'A' },
          { id: 'e2', cityId: 'A' },
          { id: 'e3', cityId: 'B' },
        ],
        perSpace: 1,
        seed: 'x',
      });
      expect(res).toMatchObject({ ok: false, problems: [{ kind: 'unbalanced', expertIds: ['e1', 'e2'] }] });
      expect(!res.ok && res.problems[0].message).toContain('the 2 experts e1 (city A), e2 (city A) must take at least 2 reviews (1 each) but the spaces open to them');
      expect(!res.ok && res.problems[0].message).toContain('can give them at most 1');
    });

    test('when a city has more spaces than the experts outside it can take at a balanced load, then those spaces are named', () => {
      const res = assign({
        spaces: [...Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, cityId: 'A' })), { id: 'b0', cityId: 'B' }, { id: 'b1', cityId: 'B' }],
        experts: [
          { id: 'e1', cityId: 'A' },
          { id: 'e2', cityId: 'A' },
          { id: 'e3', cityId: 'B' },
          { id: 'e4', cityId: 'C' },
        ],
        perSpace: 1,
        seed: 'x',
      });
      expect(res).toMatchObject({ ok: false, problems: [{ kind: 'unbalanced', spaceIds: ['a0', 'a1', 'a2', 'a3', 'a4'] }] });
      expect(!res.ok && res.problems[0].message).toBe(
        'loads cannot be balanced within 1: the 5 spaces a0 (city A), a1 (city A), a2 (city A), a3 (city A), a4 (city A) need 5 reviews but the experts open to them can take at most 4 without going past the balanced load of 2 each',
      );
    });

    test('when an expert may review none of the spaces, then it is reported idle and left out of the balance', () => {
      const res = assign({
        spaces: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, cityId: 1 })),
        experts: [{ id: 'home', cityId: 1 }, ...['b', 'c', 'd', 'e'].map((id, i) => ({ id, cityId: 2 + i }))],
        seed: 'x',
      });
      expect(res).toMatchObject({ ok: true, idle: [{ expertId: 'home', reason: 'all 6 spaces are in its own city (1)' }], balance: { poolSize: 4, minLoad: 4, maxLoad: 5 } });
      expect(res.ok && res.loads.home).toBe(0);
    });

    test('when an expert already holds more than the new level, then it gets nothing new', () => {
      const inst: AssignInput = {
        spaces: [{ id: 's1', cityId: 1 }, { id: 's2', cityId: 1 }],
        experts: ['a', 'b', 'c', 'd'].map((id) => ({ id, cityId: 2 })),
        existingLoads: { a: 9 },
        perSpace: 2,
        seed: 'x',
      };
      const res = assign(inst) as AssignmentOk;
      expect(res.ok).toBe(true);
      expect(res.loads).toEqual({ a: 9, b: expect.any(Number), c: expect.any(Number), d: expect.any(Number) });
      expect([res.loads.b, res.loads.c, res.loads.d].sort()).toEqual([1, 1, 2]);
    });

    test('when the input is malformed, then every fault is reported and nothing is drawn', () => {
      const res = assign({ spaces: [{ id: 's', cityId: 1 }, { id: 's', cityId: 2 }], experts: [{ id: 'e', cityId: 3 }], perSpace: 0, seed: '', existingLoads: { e: -1 } });
      expect(res.ok).toBe(false);
      expect(!res.ok && res.problems.map((p) => p.kind)).toEqual(['invalid_input', 'invalid_input', 'invalid_input', 'invalid_input']);
      expect(!res.ok && res.problems.map((p) => p.message)).toEqual([
        'perSpace must be a whole number ≥ 1, got 0',
        'a non-empty seed is required so the draw can be reproduced',
        'space ids appear more than once: s',
        'existing load of expert e must be a whole number ≥ 0, got -1',
      ]);
    });
  });

  describe('replacement', () => {
    test('when an assigned expert is replaced, then the new one keeps every constraint and is among the least loaded, or none is eligible and that is checked', () => {
      const seen = { ok: 0, refused: 0 };
      fc.assert(
        fc.property(
          shapeArb({ cities: [2, 6], experts: [3, 20], spaces: [1, 25], perSpace: three }),
          fc.nat(),
          fc.nat(),
          fc.array(fc.nat(19), { maxLength: 6 }),
          (inst, pickSpace, pickExpert, excludeIdx) => {
            const draw = assign(inst);
            fc.pre(draw.ok);
            if (!draw.ok) return;
            const space = inst.spaces[pickSpace % inst.spaces.length];
            const current = draw.assignments[space.id];
            const out = current[pickExpert % current.length];
            // The replaced expert declared a conflict after the draw, as the conflicts list will now say.
            const conflicts = [...(inst.conflicts ?? []), { expertId: out, spaceId: space.id }];
            const exclude = excludeIdx.map((i) => `e${i}`);
            const res = replace({ assignment: draw.assignments, loads: draw.loads, spaceId: space.id, expertId: out, spaces: inst.spaces, experts: inst.experts, conflicts, seed: inst.seed, exclude });
            const candidates = eligibleExperts({ ...inst, conflicts }, space).filter((id) => !current.includes(id) && !exclude.includes(id));
            if (!res.ok) {
              seen.refused++;
              expect(candidates).toEqual([]);
              expect(res.problems[0].message).toContain(`space ${space.id} (city ${space.cityId}) has no eligible expert left to replace ${out}`);
              return;
            }
            seen.ok++;
            expect(candidates).toContain(res.expertId);
            expect(draw.loads[res.expertId]).toBe(Math.min(...candidates.map((id) => draw.loads[id])));
            expect(res.experts).toEqual([...current.filter((id) => id !== out), res.expertId].sort());
            expect(res.assignment[space.id]).toEqual(res.experts);
            expect(res.loads[res.expertId]).toBe(draw.loads[res.expertId] + 1);
            expect(res.loads[out]).toBe(draw.loads[out] - 1);
            expect(replace({ assignment: draw.assignments, loads: draw.loads, spaceId: space.id, expertId: out, spaces: inst.spaces, experts: inst.experts, conflicts, seed: inst.seed, exclude })).toEqual(res);
          },
        ),
        { numRuns: 300 },
      );
      expect(seen.ok).toBeGreaterThan(20);
      expect(seen.refused).toBeGreaterThan(0);
    });

    test('when the least-loaded experts tie, then different seeds may pick different ones and the record carries the seed', () => {
      const spaces = [{ id: 's1', cityId: 1 }];
      const experts = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ id, cityId: 2 }));
      const picks = new Set<string>();
      for (const seed of ['1', '2', '3', '4', '5', '6', '7', '8']) {
        const res = replace({ assignment: { s1: ['a', 'b', 'c'] }, loads: { a: 1, b: 1, c: 1, d: 0, e: 0, f: 0, g: 5 }, spaceId: 's1', expertId: 'a', spaces, experts, seed });
        if (!res.ok) throw new Error('refused');
        expect(['d', 'e', 'f']).toContain(res.expertId);
        expect(res.seed).toBe(`${seed}|replace|s1|a`);
        picks.add(res.expertId);
      }
      expect(picks.size).toBeGreaterThan(1);
    });

    test('when the expert is not on the space, then the replacement is refused', () => {
      const res = replace({ assignment: { s1: ['a'] }, loads: {}, spaceId: 's1', expertId: 'z', spaces: [{ id: 's1', cityId: 1 }], experts: [], seed: 'x' });
      expect(res).toMatchObject({ ok: false, problems: [{ kind: 'invalid_input', message: 'expert z is not assigned to space s1' }] });
    });
  });
});
