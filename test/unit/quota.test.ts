import fc from 'fast-check';
import { defaultQuotas } from '../../db/seed';
import {
  categoryGroupOf,
  hasRoom,
  nominationHoldsSlot,
  NOMINATION_STATES,
  quotaLimit,
  quotaUse,
  stageMix,
  stageWarnings,
} from '../../lib/rules/quota';

describe('quota use (市州推优名额, 专家名额)', () => {
  test('when the seed quotas are summed, then they are the totals of SPEC §5–§6 (281 / 197 / 148)', () => {
    const q = Object.values(defaultQuotas());
    expect(q.reduce((a, c) => a + c.teacher, 0)).toBe(281);
    expect(q.reduce((a, c) => a + c.student, 0)).toBe(197);
    expect(q.reduce((a, c) => a + c.expert, 0)).toBe(148);
  });

  test('when a city has no quota in the campaign, then its limit is 0, not unlimited', () => {
    expect(quotaLimit({}, 'nowhere', 'teacher')).toBe(0);
    expect(hasRoom(quotaUse(0, 0))).toBe(false);
  });

  test('when used reaches the limit, then there is no room and remaining is 0 (never negative)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 60 }), (limit, used) => {
        const use = quotaUse(limit, used);
        expect(hasRoom(use)).toBe(used < limit);
        expect(use.remaining).toBe(Math.max(0, limit - used));
      }),
    );
  });

  test('when the category is an education worker, then it counts against the teacher quota', () => {
    expect(categoryGroupOf('education_worker')).toBe('teacher');
    expect(categoryGroupOf('teacher')).toBe('teacher');
    expect(categoryGroupOf('student')).toBe('student');
  });
});

describe('stage mix (尽量兼顾各学段)', () => {
  test('when recommendations are counted by stage, then the mix adds up to their number', () => {
    expect(stageMix(['primary', 'senior', 'primary'])).toEqual({ primary: 2, junior: 0, senior: 1 });
  });

  test('when the city has junior entrants but recommended none, then junior is warned about, and a stage without entrants is not', () => {
    const warnings = stageWarnings(stageMix(['primary', 'primary']), ['primary', 'junior']);
    expect(warnings).toEqual([{ stage: 'junior', label: '初中', message: expect.stringContaining('初中') }]);
  });

  test('when every stage with entrants has a recommendation, then there is no warning', () => {
    fc.assert(
      fc.property(fc.subarray(['primary', 'junior', 'senior'] as const, { minLength: 1 }), (stages) => {
        expect(stageWarnings(stageMix(stages), stages)).toEqual([]);
      }),
    );
  });
});

describe('nomination places', () => {
  test('when a nomination is rejected, declined or expired, then it no longer holds a place; otherwise it does', () => {
    const free = NOMINATION_STATES.filter((s) => !nominationHoldsSlot(s));
    expect(free.sort()).toEqual(['declined', 'expired', 'rejected']);
  });
});
