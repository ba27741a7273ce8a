// 报名截止前3天的待审核提醒 (SPEC §3, [ours]): one reminder per registration window, three
// days before it closes. Pure and deterministic — the campaign workflow times them.
import { DAY_MS } from '../time';
import type { Windows } from './schedule';

export const REGISTRATION_WINDOWS = ['teacher.registration', 'student.registration'] as const;
export type RegistrationWindow = (typeof REGISTRATION_WINDOWS)[number];

export const REGISTRATION_REMINDER_DAYS = 3;

export interface Reminder {
  window: RegistrationWindow;
  /** The deadline the reminder is about. */
  closesAt: string;
  /** When it goes out. */
  at: number;
}

/** This schedule's reminders; a window shorter than the lead time gets none (nobody is pending yet). */
export function registrationReminders(windows: Windows): Reminder[] {
  return REGISTRATION_WINDOWS.map((window) => ({
    window,
    closesAt: windows[window].closesAt,
    at: Date.parse(windows[window].closesAt) - REGISTRATION_REMINDER_DAYS * DAY_MS,
  })).filter((r) => r.at > Date.parse(windows[r.window].opensAt));
}

/** The next reminder after `now`, if any. */
export function nextReminder(windows: Windows, now: number): Reminder | undefined {
  return registrationReminders(windows)
    .filter((r) => r.at > now)
    .sort((a, b) => a.at - b.at)[0];
}

/** Reminders due in (from, to], in time order — what a timer that fired at `to` passed. */
export function remindersBetween(windows: Windows, from: number, to: number): Reminder[] {
  return registrationReminders(windows)
    .filter((r) => r.at > from && r.at <= to)
    .sort((a, b) => a.at - b.at || a.window.localeCompare(b.window));
}
