import { nextReminder, registrationReminders, remindersBetween } from '../../lib/rules/reminders';
import { noticeWindows } from '../../lib/rules/schedule';
import { DAY_MS } from '../../lib/time';

describe('registration reminders (报名截止前3天)', () => {
  const windows = noticeWindows(2017);
  const teacherCloses = Date.parse('2017-09-16T00:00:00+08:00');
  const studentCloses = Date.parse('2017-09-26T00:00:00+08:00');

  test('when the 2017 timeline is read, then each registration window reminds 3 days before it closes', () => {
    expect(registrationReminders(windows)).toEqual([
      { window: 'teacher.registration', closesAt: windows['teacher.registration'].closesAt, at: teacherCloses - 3 * DAY_MS },
      { window: 'student.registration', closesAt: windows['student.registration'].closesAt, at: studentCloses - 3 * DAY_MS },
    ]);
  });

  test('when asked for the next reminder, then it is the earliest one after now, and none after both', () => {
    expect(nextReminder(windows, Date.parse('2017-06-01T00:00:00+08:00'))?.window).toBe('teacher.registration');
    expect(nextReminder(windows, teacherCloses - 3 * DAY_MS)?.window).toBe('student.registration');
    expect(nextReminder(windows, studentCloses)).toBeUndefined();
  });

  test('when a timer fires, then the reminders in (from, to] are due, each once', () => {
    const at = teacherCloses - 3 * DAY_MS;
    expect(remindersBetween(windows, at - 1, at).map((r) => r.window)).toEqual(['teacher.registration']);
    expect(remindersBetween(windows, at, at + DAY_MS)).toEqual([]);
    expect(remindersBetween(windows, 0, studentCloses).map((r) => r.window)).toEqual(['teacher.registration', 'student.registration']);
  });

  test('when a deadline is extended, then its reminder moves with it', () => {
    const extended = { ...windows, 'teacher.registration': { ...windows['teacher.registration'], closesAt: '2017-09-21T00:00:00+08:00' } };
    expect(registrationReminders(extended)[0]).toMatchObject({ closesAt: '2017-09-21T00:00:00+08:00', at: Date.parse('2017-09-18T00:00:00+08:00') });
  });

  test('when a registration window is shorter than 3 days, then it has no reminder', () => {
    const short = { ...windows, 'student.registration': { opensAt: '2017-09-24T00:00:00+08:00', closesAt: '2017-09-26T00:00:00+08:00' } };
    expect(registrationReminders(short).map((r) => r.window)).toEqual(['teacher.registration']);
  });
});
