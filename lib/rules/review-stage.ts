// The review stage on the campaign clock (SPEC §7): when the selection, the assignment, the
// reminder and the late-expert replacement are due. Pure and deterministic — the campaign
// workflow runs it, and keeps the progress below across continue-as-new.
//
// Steps, in the order they run when several are due at one instant:
// - select <group>: at the group's voting close (teacher spaces: teachers and education workers
//   together, on teacher.voting; student spaces on student.voting);
// - assign: at the review window's opening, once both groups are selected (a voting window that
//   closes after review opens holds the draw back until it closes);
// - remind: REVIEW_REMINDER_DAYS before the review window closes, again if the close moves;
// - sweep: at the review window's close, experts who have not scored are replaced; the sweep
//   answers when the next explicit deadline (an expert drawn late) falls, and runs again then.
import { DAY_MS } from '../time';
import type { Category, WindowKey, Windows } from './schedule';
import { finalScore, fourthReviewScore } from './scoring';

/** A review reopened later (an upheld objection) would draw in round 2; the review itself is round 1. */
export const REVIEW_ROUND = 1;

export const CATEGORY_GROUPS = ['teacher', 'student'] as const;
export type CategoryGroup = (typeof CATEGORY_GROUPS)[number];

/** Education workers (相关教育工作者) compete with the teachers (SPEC §3). */
export const GROUP_CATEGORIES: Record<CategoryGroup, readonly Category[]> = {
  teacher: ['teacher', 'education_worker'],
  student: ['student'],
};

export const GROUP_VOTING: Record<CategoryGroup, WindowKey> = { teacher: 'teacher.voting', student: 'student.voting' };

export function groupOf(category: Category): CategoryGroup {
  return category === 'student' ? 'student' : 'teacher';
}

/** [ours] 评审截止前3天: one reminder to every expert with spaces still to score. */
export const REVIEW_REMINDER_DAYS = 3;

/**
 * [ours] An expert drawn when fewer than this many days of the review window are left (a
 * replacement, a fourth review, a draw re-run after the close) gets this many days from the draw.
 */
export const LATE_DRAW_DAYS = 3;

/** The explicit deadline of an expert drawn at `at`, or null when the window's close leaves enough time. */
export function drawDeadline(at: number, reviewClosesAt: number): number | null {
  const own = at + LATE_DRAW_DAYS * DAY_MS;
  return own > reviewClosesAt ? own : null;
}

/** When an assignment's scoring locks: its own deadline, never before the (possibly extended) window close. */
export function effectiveDeadline(deadline: number | null, reviewClosesAt: number): number {
  return deadline === null ? reviewClosesAt : Math.max(deadline, reviewClosesAt);
}

export interface ReviewProgress {
  selected: Record<CategoryGroup, boolean>;
  /** The automatic draw at the review opening has run (done or infeasible; retries are the admin's). */
  assignmentTried: boolean;
  /** The review deadline (ISO) the reminder went out for. */
  remindedFor: string | null;
  /** null until the first sweep (due at the window's close); then the next explicit deadline, if any. */
  sweep: { nextAt: number | null } | null;
}

export function initialReviewProgress(): ReviewProgress {
  return { selected: { teacher: false, student: false }, assignmentTried: false, remindedFor: null, sweep: null };
}

export type ReviewStep =
  | { kind: 'select'; group: CategoryGroup }
  | { kind: 'assign' }
  | { kind: 'remind'; closesAt: string }
  | { kind: 'sweep' };

function reminderAt(windows: Windows): number | undefined {
  const at = Date.parse(windows.review.closesAt) - REVIEW_REMINDER_DAYS * DAY_MS;
  return at > Date.parse(windows.review.opensAt) ? at : undefined;
}

function sweepAt(p: ReviewProgress, windows: Windows): number | undefined {
  if (!p.assignmentTried) return undefined;
  if (p.sweep === null) return Date.parse(windows.review.closesAt);
  return p.sweep.nextAt ?? undefined;
}

/** The steps due at `now`, in the order they must run. */
export function dueReviewSteps(windows: Windows, p: ReviewProgress, now: number): ReviewStep[] {
  const steps: ReviewStep[] = [];
  for (const group of CATEGORY_GROUPS) {
    if (!p.selected[group] && now >= Date.parse(windows[GROUP_VOTING[group]].closesAt)) steps.push({ kind: 'select', group });
  }
  const bothSelected = CATEGORY_GROUPS.every((g) => p.selected[g] || steps.some((s) => s.kind === 'select' && s.group === g));
  const assigned = p.assignmentTried || (bothSelected && now >= Date.parse(windows.review.opensAt));
  if (!p.assignmentTried && assigned) steps.push({ kind: 'assign' });
  const closesAt = Date.parse(windows.review.closesAt);
  const remind = reminderAt(windows);
  if (assigned && remind !== undefined && p.remindedFor !== windows.review.closesAt && now >= remind && now < closesAt) {
    steps.push({ kind: 'remind', closesAt: windows.review.closesAt });
  }
  const sweep = sweepAt({ ...p, assignmentTried: assigned }, windows);
  if (sweep !== undefined && now >= sweep) steps.push({ kind: 'sweep' });
  return steps;
}

/** The next instant after `now` at which a step falls due, if any. */
export function nextReviewWake(windows: Windows, p: ReviewProgress, now: number): number | undefined {
  const candidates: number[] = [];
  for (const group of CATEGORY_GROUPS) if (!p.selected[group]) candidates.push(Date.parse(windows[GROUP_VOTING[group]].closesAt));
  if (!p.assignmentTried) candidates.push(Date.parse(windows.review.opensAt));
  else {
    const remind = reminderAt(windows);
    if (remind !== undefined && p.remindedFor !== windows.review.closesAt) candidates.push(remind);
    const sweep = sweepAt(p, windows);
    if (sweep !== undefined) candidates.push(sweep);
  }
  const future = candidates.filter((t) => t > now);
  return future.length ? Math.min(...future) : undefined;
}

/** Progress after a step ran; `nextAt` is what a sweep (or a late draw) reported. */
export function afterStep(p: ReviewProgress, step: ReviewStep, result: { nextAt?: number | null } = {}): ReviewProgress {
  switch (step.kind) {
    case 'select':
      return { ...p, selected: { ...p.selected, [step.group]: true } };
    case 'assign':
      return { ...p, assignmentTried: true };
    case 'remind':
      return { ...p, remindedFor: step.closesAt };
    case 'sweep':
      return { ...p, sweep: { nextAt: result.nextAt ?? null } };
  }
}

/**
 * A draw outside the sweep (an admin's re-run, a replacement, a fourth review) produced an
 * explicit deadline: once the first sweep has run, the next one must come no later than it.
 */
export function withDeadline(p: ReviewProgress, deadline: number | null): ReviewProgress {
  if (deadline === null || p.sweep === null) return p;
  const nextAt = p.sweep.nextAt === null ? deadline : Math.min(p.sweep.nextAt, deadline);
  return { ...p, sweep: { nextAt } };
}

/** Why an entrant did or did not enter review, as its lifecycle records it. */
export function selectionReason(s: { rank: number; topK: number; topRanked: boolean; recommended: boolean }): string {
  const rank = `网络投票排名第 ${s.rank} 名`;
  if (s.topRanked) return `${rank}（前 ${s.topK} 名入选）${s.recommended ? '，且获市州推优' : ''}`;
  if (s.recommended) return `市州推优入选（${rank}，未进前 ${s.topK} 名）`;
  return `${rank}，未进前 ${s.topK} 名，且未获市州推优`;
}

/**
 * The final score of a space from its experts' totals (adjustments included): the average
 * (取其平均分), or — when a fourth review is in — the fourth-review rule of lib/rules/scoring
 * (the total farthest from the median is dropped). `dropped` indexes into `totals`.
 */
export function combineScores(totals: readonly number[], expertsPerSpace: number): { finalScore: number; dropped: number | null } {
  if (totals.length === 4 && expertsPerSpace === 3) return fourthReviewScore(totals);
  return { finalScore: finalScore(totals), dropped: null };
}
