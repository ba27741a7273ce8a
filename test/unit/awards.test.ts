import fc from 'fast-check';
import { DEFAULT_AWARD_TIERS } from '../../lib/campaign-config';
import {
  compareFinal,
  groupWinners,
  placeByCutoffs,
  popularityWinners,
  primaryAward,
  prizePoints,
  rankAmong,
  rankAndAward,
  rankingKey,
  scoreUnits,
  sharingWinners,
  talentScore,
  talentWinners,
  tierSizes,
  type Contender,
  type UnitStanding,
} from '../../lib/rules/awards';
import { sniffEvidence } from '../../lib/rules/evidence-type';

const at = (minute: number) => new Date(Date.UTC(2017, 4, 15, 0, minute)).toISOString();
const c = (id: string, finalScore: number, votes = 0, acceptedBoosts = 0, minute = 0): Contender & { rankingKey: string } => ({
  id,
  finalScore,
  votes,
  acceptedBoosts,
  registeredAt: at(minute),
  rankingKey: 'teacher',
});
const sizes = (n: number, tiers = DEFAULT_AWARD_TIERS) => tierSizes(n, tiers).map((t) => t.size);

describe('final ranking tie-break', () => {
  test('when final scores differ, then the higher score ranks first whatever the votes', () => {
    const order = [c('a', 80.5, 1000), c('b', 80.51, 0)].sort(compareFinal(10));
    expect(order.map((x) => x.id)).toEqual(['b', 'a']);
  });

  test('when final scores are equal, then the voting-ranking score decides (votes + w × boosts)', () => {
    // a: 30 votes + 10 × 2 boosts = 50; b: 45 votes = 45.
    const order = [c('b', 81, 45, 0), c('a', 81, 30, 2)].sort(compareFinal(10));
    expect(order.map((x) => x.id)).toEqual(['a', 'b']);
  });

  test('when score and voting score are equal, then more votes, then earlier registration, then id decide', () => {
    // a and b: voting score 50, b with more votes; c and d: same everything but registration; e/f only by id.
    const order = [c('f', 70, 0, 0, 5), c('a', 70, 30, 2, 0), c('d', 70, 20, 0, 9), c('b', 70, 50, 0, 0), c('c', 70, 20, 0, 3), c('e', 70, 0, 0, 5)].sort(compareFinal(10));
    expect(order.map((x) => x.id)).toEqual(['b', 'a', 'c', 'd', 'e', 'f']);
  });

  test('when scores are equal only after rounding to hundredths, then they count as equal', () => {
    const order = [c('a', 0.1 + 0.2, 1), c('b', 0.3, 2)].sort(compareFinal(10));
    expect(order.map((x) => x.id)).toEqual(['b', 'a']);
  });

  test('when any list is ranked, then ranks are 1..n with no repeat and follow the comparator', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ s: fc.integer({ min: 0, max: 20 }), v: fc.integer({ min: 0, max: 5 }), m: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }), (xs) => {
        const list = xs.map((x, i) => c(`e${String(i).padStart(2, '0')}`, x.s, x.v, 0, x.m));
        const { placements, order } = rankAndAward(list, DEFAULT_AWARD_TIERS, 10);
        expect(order.map((o) => placements.get(o.id)!.rank)).toEqual(list.map((_, i) => i + 1));
        for (let i = 1; i < order.length; i++) expect(compareFinal(10)(order[i - 1], order[i])).toBeLessThan(0);
      }),
    );
  });
});

describe('tier sizes (rounding)', () => {
  test('when the default shares 10/20/30/40 % apply to 7 entrants, then cumulative rounding gives 1/1/2/3 and awards all 7', () => {
    // Boundaries round-half-up(0.7)=1, (2.1)=2, (4.2)=4, (7.0)=7.
    expect(sizes(7)).toEqual([1, 1, 2, 3]);
  });

  test('when shares are exact, then the sizes are exact (10 entrants: 1/2/3/4; 281 teacher spaces: 28/56/84/113)', () => {
    expect(sizes(10)).toEqual([1, 2, 3, 4]);
    // 28.1 → 28, 84.3 → 84, 168.6 → 169, 281: 28, 56, 85, 112.
    expect(sizes(281)).toEqual([28, 56, 85, 112]);
  });

  test('when a cumulative boundary falls exactly on .5, then it rounds up', () => {
    // 5 × 0.1 = 0.5 → 1; 5 × 0.3 = 1.5 → 2; 5 × 0.6 = 3; 5 × 1.0 = 5.
    expect(sizes(5)).toEqual([1, 1, 1, 2]);
  });

  test('when tiers are counts, then each takes its count, never more than remain', () => {
    expect(sizes(10, [{ key: 'first', count: 3 }, { key: 'second', count: 5 }, { key: 'third', count: 5 }])).toEqual([3, 5, 2]);
  });

  test('when counts and shares mix, then counts take their number and shares keep their own cumulative rounding', () => {
    expect(sizes(20, [{ key: 'first', count: 1 }, { key: 'second', share: 0.15 }, { key: 'third', share: 0.25 }, { key: 'excellence', count: 100 }])).toEqual([1, 3, 5, 11]);
  });

  test('when tiers come out of order in the config, then they are still handed out first to excellence', () => {
    const t = tierSizes(10, [{ key: 'excellence', share: 0.4 }, { key: 'first', share: 0.1 }]);
    expect(t).toEqual([{ key: 'first', size: 1 }, { key: 'excellence', size: 4 }]);
  });

  test('when any n and shares summing to at most 1 are given, then the sizes sum to round(n × total) and never pass n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 4, maxLength: 4 }), (n, permille) => {
        const tiers = (['first', 'second', 'third', 'excellence'] as const).map((key, i) => ({ key, share: permille[i] / 1000 }));
        const total = permille.reduce((a, b) => a + b, 0);
        const s = sizes(n, tiers);
        expect(s.every((x) => x >= 0)).toBe(true);
        expect(s.reduce((a, b) => a + b, 0)).toBe(Math.floor((n * total * 1000 + 500_000) / 1_000_000));
      }),
    );
  });
});

describe('awards and cut-offs', () => {
  const ten = Array.from({ length: 10 }, (_, i) => c(`e${i}`, 90 - i));

  test('when ten entrants are ranked with the default shares, then the tiers follow the ranking and the cut-offs are each tier’s lowest score', () => {
    const { placements, cutoffs } = rankAndAward(ten, DEFAULT_AWARD_TIERS, 10);
    expect(ten.map((e) => placements.get(e.id)!.tier)).toEqual(['first', 'second', 'second', 'third', 'third', 'third', 'excellence', 'excellence', 'excellence', 'excellence']);
    expect(cutoffs.teacher).toEqual([
      { tier: 'first', size: 1, lowestScore: 90 },
      { tier: 'second', size: 2, lowestScore: 88 },
      { tier: 'third', size: 3, lowestScore: 85 },
      { tier: 'excellence', size: 4, lowestScore: 81 },
    ]);
  });

  test('when two entrants tie on score at a tier boundary, then the tie-break decides and the tier does not grow', () => {
    const list = [c('a', 90), c('b', 85, 10), c('c', 85, 20), c('d', 70)];
    const { placements } = rankAndAward(list, [{ key: 'first', count: 2 }], 10);
    expect(placements.get('c')).toEqual({ rank: 2, tier: 'first' });
    expect(placements.get('b')).toEqual({ rank: 3, tier: null });
  });

  test('when ranking keys differ (by stage), then each key is ranked and sized on its own', () => {
    const list = [
      { ...c('p1', 90), rankingKey: rankingKey('teacher', 'primary', true) },
      { ...c('p2', 80), rankingKey: rankingKey('teacher', 'primary', true) },
      { ...c('j1', 70), rankingKey: rankingKey('teacher', 'junior', true) },
    ];
    const { placements, cutoffs } = rankAndAward(list, [{ key: 'first', count: 1 }], 10);
    expect([placements.get('p1'), placements.get('p2'), placements.get('j1')]).toEqual([
      { rank: 1, tier: 'first' },
      { rank: 2, tier: null },
      { rank: 1, tier: 'first' },
    ]);
    expect(Object.keys(cutoffs)).toEqual(['teacher:junior', 'teacher:primary']);
  });

  test('when a score is corrected, then it takes the best tier whose lowest published score it reaches (equal counts)', () => {
    const { cutoffs } = rankAndAward(ten, DEFAULT_AWARD_TIERS, 10);
    expect(placeByCutoffs(95, cutoffs.teacher)).toBe('first');
    expect(placeByCutoffs(88, cutoffs.teacher)).toBe('second');
    expect(placeByCutoffs(87.99, cutoffs.teacher)).toBe('third');
    expect(placeByCutoffs(80.99, cutoffs.teacher)).toBeNull();
    expect(placeByCutoffs(99, [{ tier: 'first', size: 0, lowestScore: null }])).toBeNull();
  });

  test('when a corrected entrant is ranked among the others, then its rank counts only those ahead of it', () => {
    const others = ten.filter((e) => e.id !== 'e5');
    expect(rankAmong(c('e5', 88.5), others, 10)).toBe(3);
    // e2 has 88 too, the same votes and registration time, and the smaller id: it stays ahead.
    expect(rankAmong(c('e5', 88), others, 10)).toBe(4);
  });
});

describe('special awards', () => {
  const v = (id: string, votes: number, acceptedBoosts = 0) => ({ id, votes, acceptedBoosts, registeredAt: at(0) });

  test('when best popularity is given, then the top N by votes + w × boosts win and nobody without support', () => {
    expect(popularityWinners([v('a', 10), v('b', 5, 1), v('c', 0), v('d', 14)], 10, 2)).toEqual(['b', 'd']);
    expect(popularityWinners([v('a', 0), v('b', 0)], 10, 5)).toEqual([]);
  });

  test('when teachers are marked for achievement sharing, then the marked ones win in final ranking order up to the count', () => {
    expect(sharingWinners([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], new Set(['d', 'b', 'c']), 2)).toEqual(['b', 'c']);
  });

  test('when talent is scored, then 70 % is the experts’ talent item and 30 % the attention (votes over the most votes)', () => {
    expect(talentScore(20, 20, 50, 100, 0.3)).toBe(0.85);
    expect(talentScore(null, 20, 100, 100, 0.3)).toBe(0.3);
    expect(talentScore(10, 20, 0, 0, 0.3)).toBe(0.35);
    expect(talentWinners([{ id: 'a', talentScore: 0.5 }, { id: 'b', talentScore: 0.9 }, { id: 'c', talentScore: 0.5 }, { id: 'd', talentScore: 0 }], 3)).toEqual(['b', 'a', 'c']);
  });

  test('when the lifecycle is told one award, then the tier wins over special awards, else popularity, sharing, talent', () => {
    expect(primaryAward('third', ['popularity'])).toBe('third');
    expect(primaryAward(null, ['talent', 'popularity'])).toBe('popularity');
    expect(primaryAward(null, [])).toBeNull();
  });
});

describe('group and organisation awards (团体类奖, 组织类奖)', () => {
  const weights = { teacherRate: 0.6, studentRate: 0.2, prizes: 0.2 };
  const u = (id: number, teacherProgress: number | null, studentProgress: number | null, registered: number, points: number): UnitStanding => ({
    id,
    code: `42${String(id).padStart(4, '0')}`,
    name: `unit ${id}`,
    teacherProgress,
    studentProgress,
    registered,
    prizePoints: points,
  });

  test('when a unit is scored, then 60 % teacher rate (capped at 1) + 20 % student rate + 20 % prize density over the best density', () => {
    // A: 1.2 → 1, 0.5, density 10/100×100 = 10; B: 0.5, 1, density 5/50×100 = 10 (the best, 10 too).
    const [a, b] = scoreUnits([u(1, 1.2, 0.5, 100, 10), u(2, 0.5, 1, 50, 5)], weights);
    expect(a).toMatchObject({ id: 1, teacherPart: 1, studentPart: 0.5, prizeDensity: 10, prizePart: 1, score: 0.9 });
    expect(b).toMatchObject({ id: 2, teacherPart: 0.5, studentPart: 1, prizePart: 1, score: 0.7 });
  });

  test('when a unit has no roster, then its rates count 0; with no registration it is left out', () => {
    const scored = scoreUnits([u(1, null, null, 10, 4), u(2, 0.5, 0.5, 0, 0)], weights);
    expect(scored.map((s) => [s.id, s.score])).toEqual([[1, 0.2]]);
  });

  test('when units tie on score, then prize points, registrations and code decide, and units scoring 0 win nothing', () => {
    const winners = groupWinners([u(3, 1, 1, 100, 0), u(1, 1, 1, 100, 0), u(2, 0, 0, 100, 0)], { ...weights, prizes: 0 }, 5);
    expect(winners.map((w) => [w.id, w.rank])).toEqual([
      [1, 1],
      [3, 2],
    ]);
  });

  test('when prize points are counted, then a first prize is 4, second 3, third 2, excellence 1, each special award 1', () => {
    expect([prizePoints('first', []), prizePoints('second', ['popularity']), prizePoints('third', []), prizePoints('excellence', []), prizePoints(null, ['talent', 'popularity'])]).toEqual([4, 4, 2, 1, 2]);
  });
});

describe('objection evidence type (by content)', () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  test('when a file starts like a PDF, JPEG or PNG, then that is its type; otherwise it is refused', () => {
    expect(sniffEvidence(new TextEncoder().encode('%PDF-1.7\n'))).toEqual({ ok: true, type: 'application/pdf' });
    expect(sniffEvidence(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0))).toEqual({ ok: true, type: 'image/jpeg' });
    expect(sniffEvidence(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toEqual({ ok: true, type: 'image/png' });
    expect(sniffEvidence(new TextEncoder().encode('<html>pdf</html>')).ok).toBe(false);
    expect(sniffEvidence(bytes(0x89, 0x50, 0x4e, 0x47)).ok).toBe(false);
  });
});
