import {
  afterStep,
  combineScores,
  drawDeadline,
  dueReviewSteps,
  effectiveDeadline,
  initialReviewProgress,
  nextReviewWake,
  selectionReason,
  withDeadline,
  type ReviewProgress,
} from '../../lib/rules/review-stage';
import { dayWindow, type Windows } from '../../lib/rules/schedule';
import { DAY_MS } from '../../lib/time';

const windows: Windows = {
  'teacher.registration': dayWindow('2017-05-15', '2017-09-15'),
  'student.registration': dayWindow('2017-05-25', '2017-09-25'),
  'teacher.voting': dayWindow('2017-05-15', '2017-10-13'),
  'student.voting': dayWindow('2017-05-25', '2017-10-14'),
  nomination: dayWindow('2017-09-18', '2017-09-29'),
  recommendation: dayWindow('2017-09-25', '2017-10-10'),
  review: dayWindow('2017-10-16', '2017-11-10'),
};
const at = (iso: string) => Date.parse(iso);
const teacherVotingCloses = at(windows['teacher.voting'].closesAt);
const studentVotingCloses = at(windows['student.voting'].closesAt);
const reviewOpens = at(windows.review.opensAt);
const reviewCloses = at(windows.review.closesAt);

function runAll(p: ReviewProgress, now: number, sweepNext: number | null = null): ReviewProgress {
  for (const step of dueReviewSteps(windows, p, now)) p = afterStep(p, step, { nextAt: sweepNext });
  return p;
}

describe('the review stage on the campaign clock', () => {
  test('when each voting window closes, then that group is selected then, and the draw waits for the review opening', () => {
    let p = initialReviewProgress();
    expect(nextReviewWake(windows, p, 0)).toBe(teacherVotingCloses);
    expect(dueReviewSteps(windows, p, teacherVotingCloses - 1)).toEqual([]);
    expect(dueReviewSteps(windows, p, teacherVotingCloses)).toEqual([{ kind: 'select', group: 'teacher' }]);
    p = runAll(p, teacherVotingCloses);
    expect(nextReviewWake(windows, p, teacherVotingCloses)).toBe(studentVotingCloses);
    p = runAll(p, studentVotingCloses);
    expect(p.selected).toEqual({ teacher: true, student: true });
    expect(nextReviewWake(windows, p, studentVotingCloses)).toBe(reviewOpens);
    expect(dueReviewSteps(windows, p, reviewOpens)).toEqual([{ kind: 'assign' }]);
  });

  test('when a clock wakes late past several instants, then the steps come in order: select, assign, remind, sweep', () => {
    const p = initialReviewProgress();
    expect(dueReviewSteps(windows, p, reviewCloses - DAY_MS).map((s) => s.kind)).toEqual(['select', 'select', 'assign', 'remind']);
    expect(dueReviewSteps(windows, p, reviewCloses).map((s) => s.kind)).toEqual(['select', 'select', 'assign', 'sweep']);
  });

  test('when a voting window closes after the review opens, then the draw waits for that selection', () => {
    const late: Windows = { ...windows, 'teacher.voting': dayWindow('2017-05-15', '2017-10-20') };
    const p = afterStep(initialReviewProgress(), { kind: 'select', group: 'student' });
    expect(nextReviewWake(late, p, studentVotingCloses)).toBe(reviewOpens);
    expect(dueReviewSteps(late, p, reviewOpens + DAY_MS)).toEqual([]);
    expect(dueReviewSteps(late, p, at(late['teacher.voting'].closesAt)).map((s) => s.kind)).toEqual(['select', 'assign']);
  });

  test('when the reminder went out and the review is extended, then a new reminder is due before the new close', () => {
    let p = runAll(initialReviewProgress(), reviewOpens);
    const remindAt = reviewCloses - 3 * DAY_MS;
    expect(nextReviewWake(windows, p, reviewOpens)).toBe(remindAt);
    p = runAll(p, remindAt);
    expect(p.remindedFor).toBe(windows.review.closesAt);
    expect(nextReviewWake(windows, p, remindAt)).toBe(reviewCloses);
    const extended: Windows = { ...windows, review: { ...windows.review, closesAt: new Date(reviewCloses + 5 * DAY_MS).toISOString() } };
    expect(nextReviewWake(extended, p, remindAt)).toBe(reviewCloses + 2 * DAY_MS);
  });

  test('when the sweep at the close reports a later deadline, then the next sweep is due then and only then', () => {
    let p = runAll(initialReviewProgress(), reviewOpens);
    p = runAll(p, reviewCloses - 3 * DAY_MS);
    const extra = reviewCloses + 3 * DAY_MS;
    p = runAll(p, reviewCloses, extra);
    expect(p.sweep).toEqual({ nextAt: extra });
    expect(nextReviewWake(windows, p, reviewCloses)).toBe(extra);
    expect(dueReviewSteps(windows, p, extra - 1)).toEqual([]);
    p = runAll(p, extra, null);
    expect(nextReviewWake(windows, p, extra)).toBeUndefined();
    // A replacement drawn later (a conflict declared after the close) sets the next sweep.
    expect(withDeadline(p, extra + DAY_MS).sweep).toEqual({ nextAt: extra + DAY_MS });
    // Before the first sweep the close covers every deadline: nothing to note.
    const early = runAll(initialReviewProgress(), reviewOpens);
    expect(withDeadline(early, extra)).toBe(early);
  });
});

describe('deadlines of experts drawn late', () => {
  test('when an expert is drawn with more than three days left, then the window close is its deadline; later, three days from the draw', () => {
    expect(drawDeadline(reviewCloses - 4 * DAY_MS, reviewCloses)).toBeNull();
    expect(drawDeadline(reviewCloses - DAY_MS, reviewCloses)).toBe(reviewCloses + 2 * DAY_MS);
    expect(drawDeadline(reviewCloses, reviewCloses)).toBe(reviewCloses + 3 * DAY_MS);
    expect(effectiveDeadline(null, reviewCloses)).toBe(reviewCloses);
    expect(effectiveDeadline(reviewCloses + DAY_MS, reviewCloses)).toBe(reviewCloses + DAY_MS);
    // The window extended past an expert's own deadline: the later one counts.
    expect(effectiveDeadline(reviewCloses + DAY_MS, reviewCloses + 5 * DAY_MS)).toBe(reviewCloses + 5 * DAY_MS);
  });
});

describe('combining the experts’ totals', () => {
  test('when three totals are in, then the final score is their average; with a fourth review, the farthest from the median is dropped', () => {
    expect(combineScores([83, 85, 91], 3)).toEqual({ finalScore: 86.33, dropped: null });
    expect(combineScores([40, 70, 80, 70], 3)).toEqual({ finalScore: 73.33, dropped: 0 });
    // Two against two: nothing to drop, all four averaged.
    expect(combineScores([40, 40, 80, 80], 3)).toEqual({ finalScore: 60, dropped: null });
  });
});

describe('selection reasons', () => {
  test('when an entrant is selected or not, then the reason names its rank, the top K and the recommendation', () => {
    expect(selectionReason({ rank: 2, topK: 300, topRanked: true, recommended: false })).toBe('网络投票排名第 2 名（前 300 名入选）');
    expect(selectionReason({ rank: 2, topK: 300, topRanked: true, recommended: true })).toBe('网络投票排名第 2 名（前 300 名入选），且获市州推优');
    expect(selectionReason({ rank: 420, topK: 300, topRanked: false, recommended: true })).toBe('市州推优入选（网络投票排名第 420 名，未进前 300 名）');
    expect(selectionReason({ rank: 420, topK: 300, topRanked: false, recommended: false })).toBe('网络投票排名第 420 名，未进前 300 名，且未获市州推优');
  });
});
