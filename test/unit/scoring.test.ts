import fc from 'fast-check';
import { DEFAULT_RUBRIC } from '../../lib/campaign-config';
import {
  adjustmentRange,
  checkScoreSheet,
  discrepancy,
  finalScore,
  fourthReviewScore,
  maxTotal,
  rubricFor,
  validateAdjustment,
  validateScore,
  type RubricItem,
} from '../../lib/rules/scoring';

const teacher = DEFAULT_RUBRIC.teacher;
const all = (items: readonly RubricItem[], value: (i: RubricItem) => unknown) => Object.fromEntries(items.map((i) => [i.key, value(i)]));

describe('scoring rubric (评分依据指导表, SPEC §7)', () => {
  test('when a teacher or an education worker is scored, then the teacher rubric applies, student-boost items included', () => {
    expect(rubricFor(DEFAULT_RUBRIC, 'teacher')).toBe(DEFAULT_RUBRIC.teacher);
    expect(rubricFor(DEFAULT_RUBRIC, 'education_worker')).toBe(DEFAULT_RUBRIC.teacher);
    expect(rubricFor(DEFAULT_RUBRIC, 'teacher').map((i) => i.key)).toEqual(expect.arrayContaining(['boost.learning', 'boost.innovation']));
    expect(rubricFor(DEFAULT_RUBRIC, 'student')).toBe(DEFAULT_RUBRIC.student);
  });

  test('when the default rubrics are summed, then each totals 100', () => {
    expect(maxTotal(DEFAULT_RUBRIC.teacher)).toBe(100);
    expect(maxTotal(DEFAULT_RUBRIC.student)).toBe(100);
  });
});

describe('a score sheet', () => {
  test('when every item is at its maximum or at 0, then it is accepted with total 100 or 0', () => {
    expect(validateScore(teacher, all(teacher, (i) => i.max))).toEqual({ ok: true, total: 100 });
    expect(validateScore(teacher, all(teacher, () => 0))).toEqual({ ok: true, total: 0 });
  });

  test('when an item is 0.1 above its maximum or 0.1 below 0, then that item is refused by its key', () => {
    const res = validateScore(teacher, { ...all(teacher, () => 1), 'activity.logins': 5.1, 'use.in_class': -0.1 });
    expect(res).toEqual({
      ok: false,
      errors: [
        { path: 'items.activity.logins', message: '活跃·平台登录 must be from 0 to 5; got 5.1' },
        { path: 'items.use.in_class', message: '应用·课中 must be from 0 to 10; got -0.1' },
      ],
    });
  });

  test('when an item has one decimal, then it is accepted and sums exactly; with two decimals it is refused', () => {
    const tenths = { ...all(teacher, () => 0), 'activity.logins': 0.1, 'activity.visits': 0.2, 'resources.building': 14.9 };
    expect(validateScore(teacher, tenths)).toEqual({ ok: true, total: 15.2 });
    const res = validateScore(teacher, { ...tenths, 'activity.logins': 4.25 });
    expect(res).toEqual({ ok: false, errors: [{ path: 'items.activity.logins', message: '活跃·平台登录 takes at most one decimal place; got 4.25' }] });
  });

  test('when an item is missing, not a number or not in the rubric, then each is refused, all at once', () => {
    const given: Record<string, unknown> = { ...all(teacher, () => 1), 'use.research': '7', 'use.management': Number.NaN, 'extra.item': 3 };
    delete given['boost.learning'];
    const res = validateScore(teacher, given);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors).toEqual([
      { path: 'items.use.research', message: '应用·教研活动 must be a number from 0 to 10' },
      { path: 'items.use.management', message: '应用·教学管理 must be a number from 0 to 5' },
      { path: 'items.boost.learning', message: '学生助力·网络学习 is missing: give a score from 0 to 10' },
      { path: 'items.extra.item', message: "extra.item is not an item of this space's scoring guide" },
    ]);
  });

  test('when a student sheet is given teacher items, then the student items are missing and the teacher ones unknown', () => {
    const res = validateScore(DEFAULT_RUBRIC.student, all(teacher, () => 1));
    expect(!res.ok && res.errors.filter((e) => e.message.includes('is missing')).length).toBe(DEFAULT_RUBRIC.student.filter((i) => !teacher.some((t) => t.key === i.key)).length);
    expect(!res.ok && res.errors.some((e) => e.path === 'items.boost.learning')).toBe(true);
  });

  test('when no sheet is given at all, then every item is reported missing', () => {
    const res = validateScore(DEFAULT_RUBRIC.student, undefined);
    expect(!res.ok && res.errors).toHaveLength(DEFAULT_RUBRIC.student.length);
  });
});

describe('bonus/penalty (评审加分减分)', () => {
  const topPick = { recommended: true, topRanked: true };
  const cityPickOnly = { recommended: true, topRanked: false };
  const neither = { recommended: false, topRanked: false };
  const topOnly = { recommended: false, topRanked: true };

  test('when the space is recommended and top-ranked, recommended only, or neither, then the range is +1..+5, −5..−1, or none', () => {
    expect(adjustmentRange(topPick)).toEqual({ min: 1, max: 5 });
    expect(adjustmentRange(cityPickOnly)).toEqual({ min: -5, max: -1 });
    expect(adjustmentRange(neither)).toEqual({ min: 0, max: 0 });
    expect(adjustmentRange(topOnly)).toEqual({ min: 0, max: 0 });
  });

  test.each([
    ['recommended and top-ranked', topPick, [1, 5], [0, 6, -1, undefined]],
    ['recommended only', cityPickOnly, [-5, -1], [-6, 0, 1, undefined]],
    ['neither', neither, [0, undefined], [1, -1]],
    ['top-ranked only', topOnly, [0], [1, -1]],
  ] as const)('when the space is %s, then the range edges are accepted and the values just outside refused', (_, space, accepted, refused) => {
    for (const v of accepted) expect(validateAdjustment(v, space)).toEqual({ ok: true, adjustment: v ?? 0 });
    for (const v of refused) expect(validateAdjustment(v, space)).toMatchObject({ ok: false, errors: [{ path: 'adjustment' }] });
  });

  test('when the value is refused, then the message says the rule and what was given', () => {
    expect(validateAdjustment(0, topPick)).toEqual({
      ok: false,
      errors: [{ path: 'adjustment', message: 'a city-recommended space among the top-ranked takes a bonus of +1 to +5 points (评审加分); got 0' }],
    });
    expect(validateAdjustment(1, cityPickOnly)).toEqual({
      ok: false,
      errors: [{ path: 'adjustment', message: 'a city-recommended space outside the top-ranked takes a penalty of −5 to −1 points (评审减分); got +1' }],
    });
    expect(validateAdjustment(undefined, cityPickOnly)).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/none was given$/) }] });
    expect(validateAdjustment(2, neither)).toMatchObject({ ok: false, errors: [{ message: 'only a city-recommended space takes a bonus or penalty, so this one takes 0; got +2' }] });
  });

  test('when the value is not a whole number, then it is refused even inside the range', () => {
    expect(validateAdjustment(2.5, topPick)).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('must be a whole number, got 2.5') }] });
    expect(validateAdjustment('3', topPick)).toMatchObject({ ok: false });
  });

  test('when a whole sheet is checked, then item and adjustment refusals come together, and an accepted sheet totals both', () => {
    const bad = checkScoreSheet({ items: teacher, itemScores: { ...all(teacher, (i) => i.max), 'use.research': 11 }, adjustment: 0, ...topPick });
    expect(!bad.ok && bad.errors.map((e) => e.path)).toEqual(['items.use.research', 'adjustment']);
    const good = checkScoreSheet({ items: teacher, itemScores: { ...all(teacher, (i) => i.max), 'use.research': 9.7 }, adjustment: 5, ...topPick });
    expect(good).toEqual({ ok: true, rubricTotal: 99.7, adjustment: 5, total: 104.7 });
    expect(checkScoreSheet({ items: teacher, itemScores: all(teacher, () => 0), adjustment: -5, ...cityPickOnly })).toMatchObject({ ok: true, total: -5 });
  });
});

describe('final score (取其平均分) and discrepancy', () => {
  test('when three totals are in, then the final score is their average rounded to 2 decimals', () => {
    expect(finalScore([80, 85, 90])).toBe(85);
    expect(finalScore([80.1, 79.2, 80])).toBe(79.77);
    expect(finalScore([-5, -5, -4])).toBe(-4.67);
  });

  test('when the average falls on a half hundredth, then it rounds up even where binary floating point would round down', () => {
    // (80.9 + 80 + 80 + 80) / 4 = 80.225, which is 80.2249999… as a double.
    expect(finalScore([80.9, 80, 80, 80])).toBe(80.23);
    expect(finalScore([80.1, 80])).toBe(80.05);
  });

  test('when no total is in, then there is no final score', () => {
    expect(() => finalScore([])).toThrow(RangeError);
  });

  test('when totals have one decimal, then the final score is within half a hundredth of the exact mean', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 1050 }), { minLength: 1, maxLength: 5 }), (tenths) => {
        const totals = tenths.map((t) => t / 10);
        const exact = tenths.reduce((a, b) => a + b, 0) / 10 / tenths.length;
        const f = finalScore(totals);
        expect(Math.abs(f - exact)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(f).toBeGreaterThanOrEqual(Math.min(...totals));
        expect(f).toBeLessThanOrEqual(Math.max(...totals));
      }),
    );
  });

  test('when the spread is exactly the threshold it is not flagged; 0.1 more is', () => {
    expect(discrepancy([60, 80, 75], 20)).toEqual({ spread: 20, flagged: false });
    expect(discrepancy([60, 80.1, 75], 20)).toEqual({ spread: 20.1, flagged: true });
    // 80.3 − 60.1 is 20.199999… as a double; the spread is still 20.2.
    expect(discrepancy([80.3, 60.1, 70], 20.2)).toEqual({ spread: 20.2, flagged: false });
    expect(discrepancy([], 20)).toEqual({ spread: 0, flagged: false });
  });
});

describe('the fourth review [ours]', () => {
  test('when the fourth review sides with the majority, then the outlier is dropped and the other three averaged', () => {
    expect(fourthReviewScore([85, 80, 50, 82])).toEqual({ finalScore: 82.33, dropped: 2 });
    expect(fourthReviewScore([40, 85, 88, 84])).toEqual({ finalScore: 85.67, dropped: 0 });
  });

  test('when the experts split two against two, then no single outlier exists and all four are averaged', () => {
    expect(fourthReviewScore([50, 85, 55, 80])).toEqual({ finalScore: 67.5, dropped: null });
    expect(fourthReviewScore([60, 60, 80, 80])).toEqual({ finalScore: 70, dropped: null });
  });

  test('when the fourth review falls between the camps, then the total farthest from the median of four is dropped', () => {
    // Median 76.5; 90 is 13.5 away, 60 is 16.5 away.
    expect(fourthReviewScore([60, 73, 80, 90])).toEqual({ finalScore: 81, dropped: 0 });
  });

  test('when other than four totals are given, then it refuses', () => {
    expect(() => fourthReviewScore([80, 81, 82])).toThrow(RangeError);
  });
});
