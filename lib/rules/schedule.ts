// The campaign clock (SPEC §2): which windows exist, when they open and close, and
// the rules for moving them. Pure and deterministic — the campaign workflow runs it.
import { addDays, shanghaiMidnight } from '../time';

export const CATEGORIES = ['teacher', 'student', 'education_worker'] as const;
export type Category = (typeof CATEGORIES)[number];

export const WINDOW_KEYS = [
  'teacher.registration', // 教师报名
  'student.registration', // 学生报名
  'teacher.voting', // 教师投票
  'student.voting', // 学生投票
  'nomination', // 市州推荐省级评审专家
  'recommendation', // 市州推优
  'review', // 专家评审
] as const;
export type WindowKey = (typeof WINDOW_KEYS)[number];

/** A half-open interval [opensAt, closesAt) of ISO instants. */
export interface Window {
  opensAt: string;
  closesAt: string;
}

export type Windows = Record<WindowKey, Window>;

export interface Actor {
  accountId: string;
  role: string;
  name?: string;
}

export interface ScheduleChange {
  seq: number;
  kind: 'advance' | 'extend' | 'reopen' | 'timer';
  window: WindowKey;
  edge?: 'opened' | 'closed';
  at: string;
  actor?: Actor;
  reason?: string;
  before?: Window;
  after?: Window;
}

export interface Schedule {
  version: number;
  windows: Windows;
}

export type WindowPhase = 'upcoming' | 'open' | 'closed';

/** Education workers (相关教育工作者) follow the teachers' windows. */
export function windowKeyFor(category: Category, kind: 'registration' | 'voting'): WindowKey {
  return `${category === 'student' ? 'student' : 'teacher'}.${kind}`;
}

export function phaseOf(window: Window, now: number): WindowPhase {
  if (now < Date.parse(window.opensAt)) return 'upcoming';
  if (now < Date.parse(window.closesAt)) return 'open';
  return 'closed';
}

export function isOpen(window: Window, now: number): boolean {
  return phaseOf(window, now) === 'open';
}

/** The next instant after `now` at which some window opens or closes, if any. */
export function nextEdge(windows: Windows, now: number): { at: number; window: WindowKey; edge: 'opened' | 'closed' } | undefined {
  let best: { at: number; window: WindowKey; edge: 'opened' | 'closed' } | undefined;
  for (const key of WINDOW_KEYS) {
    const w = windows[key];
    for (const [edge, iso] of [['opened', w.opensAt], ['closed', w.closesAt]] as const) {
      const at = Date.parse(iso);
      if (at > now && (!best || at < best.at)) best = { at, window: key, edge };
    }
  }
  return best;
}

/** All edges in (from, to], in time order — what a timer that fired at `to` passed. */
export function edgesBetween(windows: Windows, from: number, to: number): { at: number; window: WindowKey; edge: 'opened' | 'closed' }[] {
  const out: { at: number; window: WindowKey; edge: 'opened' | 'closed' }[] = [];
  for (const key of WINDOW_KEYS) {
    const w = windows[key];
    for (const [edge, iso] of [['opened', w.opensAt], ['closed', w.closesAt]] as const) {
      const at = Date.parse(iso);
      if (at > from && at <= to) out.push({ at, window: key, edge });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.window.localeCompare(b.window));
}

export class ScheduleRefusal extends Error {
  override readonly name = 'ScheduleRefusal';
}

/**
 * Advance a window early (提前): an upcoming window opens now, an open one closes now.
 * A closed window cannot be advanced.
 */
export function advanceWindow(window: Window, now: number): Window {
  const nowIso = new Date(now).toISOString();
  switch (phaseOf(window, now)) {
    case 'upcoming':
      return { ...window, opensAt: nowIso };
    case 'open':
      return { ...window, closesAt: nowIso };
    case 'closed':
      throw new ScheduleRefusal(`window already closed at ${window.closesAt}`);
  }
}

/**
 * Extend a window's deadline (延期). Extending a window that already closed reopens it,
 * which is only done when the caller says so explicitly.
 */
export function extendWindow(window: Window, closesAt: string, now: number, reopen: boolean): Window {
  const next = Date.parse(closesAt);
  if (Number.isNaN(next)) throw new ScheduleRefusal(`not an instant: ${closesAt}`);
  if (next <= Date.parse(window.closesAt)) {
    throw new ScheduleRefusal(`new deadline ${closesAt} is not later than the current one ${window.closesAt}; use advance to close early`);
  }
  if (next <= now) throw new ScheduleRefusal(`new deadline ${closesAt} is already past`);
  if (phaseOf(window, now) === 'closed' && !reopen) {
    throw new ScheduleRefusal(`window closed at ${window.closesAt}; set reopen to reopen it`);
  }
  return { ...window, closesAt: new Date(next).toISOString() };
}

/** Window [firstDay 00:00, lastDay 24:00) in Asia/Shanghai, as SPEC §2 writes them. */
export function dayWindow(firstDay: string, lastDay: string): Window {
  return {
    opensAt: shanghaiMidnight(firstDay).toISOString(),
    closesAt: shanghaiMidnight(addDays(lastDay, 1)).toISOString(),
  };
}

/** The 2017 notice's timeline for a given year (SPEC §2). */
export function noticeWindows(year: number): Windows {
  const d = (md: string) => `${year}-${md}`;
  return {
    'teacher.registration': dayWindow(d('05-15'), d('09-15')),
    'student.registration': dayWindow(d('05-25'), d('09-25')),
    'teacher.voting': dayWindow(d('05-15'), d('10-15')),
    'student.voting': dayWindow(d('05-25'), d('10-15')),
    nomination: dayWindow(d('09-18'), d('09-29')),
    recommendation: dayWindow(d('09-25'), d('10-10')),
    review: dayWindow(d('10-16'), d('11-10')),
  };
}

/**
 * A demo timeline whose windows sit around `today` so a newcomer can register,
 * approve and vote at once; the later phases follow at the notice's spacing.
 */
export function demoWindows(today: string): Windows {
  const at = (offset: number) => addDays(today, offset);
  return {
    'teacher.registration': dayWindow(at(-7), at(30)),
    'student.registration': dayWindow(at(-7), at(40)),
    'teacher.voting': dayWindow(at(-7), at(60)),
    'student.voting': dayWindow(at(-7), at(60)),
    nomination: dayWindow(at(-3), at(33)),
    recommendation: dayWindow(at(40), at(55)),
    review: dayWindow(at(61), at(86)),
  };
}

/** Every window must open before it closes; voting may not close before registration. */
export function checkWindows(windows: Windows): string[] {
  const problems: string[] = [];
  for (const key of WINDOW_KEYS) {
    const w = windows[key];
    if (!w) {
      problems.push(`${key}: missing`);
      continue;
    }
    if (!(Date.parse(w.opensAt) < Date.parse(w.closesAt))) problems.push(`${key}: opensAt must be before closesAt`);
  }
  for (const c of ['teacher', 'student'] as const) {
    const reg = windows[`${c}.registration`];
    const vote = windows[`${c}.voting`];
    if (reg && vote && Date.parse(vote.closesAt) < Date.parse(reg.closesAt)) {
      problems.push(`${c}.voting: must not close before ${c}.registration`);
    }
  }
  return problems;
}
