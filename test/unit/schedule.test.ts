import { advanceWindow, checkWindows, dayWindow, edgesBetween, extendWindow, nextEdge, noticeWindows, phaseOf, windowKeyFor } from '../../lib/rules/schedule';
import { shanghaiDay, shanghaiMidnight } from '../../lib/time';

describe('the campaign clock (SPEC §2)', () => {
  const w2017 = noticeWindows(2017);

  test('when the notice says "Sep 15 24:00", then teachers registration closes at Sep 16 00:00 Asia/Shanghai', () => {
    expect(w2017['teacher.registration']).toEqual({ opensAt: '2017-05-14T16:00:00.000Z', closesAt: '2017-09-15T16:00:00.000Z' });
    expect(w2017['student.registration'].closesAt).toBe('2017-09-25T16:00:00.000Z');
    expect(w2017['teacher.voting'].closesAt).toBe('2017-10-15T16:00:00.000Z');
  });

  test('when it is 23:59:59 Sep 15 it is open, at 00:00:00 Sep 16 it is closed', () => {
    const close = Date.parse('2017-09-16T00:00:00+08:00');
    expect(phaseOf(w2017['teacher.registration'], close - 1000)).toBe('open');
    expect(phaseOf(w2017['teacher.registration'], close)).toBe('closed');
  });

  test('when the day is asked near midnight, then it is the Asia/Shanghai calendar day', () => {
    expect(shanghaiDay(Date.parse('2017-09-15T15:59:59Z'))).toBe('2017-09-15');
    expect(shanghaiDay(Date.parse('2017-09-15T16:00:00Z'))).toBe('2017-09-16');
    expect(shanghaiMidnight('2017-09-16').toISOString()).toBe('2017-09-15T16:00:00.000Z');
  });

  test('when an education worker registers, then it follows the teachers windows', () => {
    expect(windowKeyFor('education_worker', 'registration')).toBe('teacher.registration');
    expect(windowKeyFor('student', 'voting')).toBe('student.voting');
  });

  test('when advanced, then an upcoming window opens now, an open one closes now, a closed one is refused', () => {
    const w = dayWindow('2017-05-15', '2017-09-15');
    const before = Date.parse('2017-05-01T00:00:00Z');
    expect(advanceWindow(w, before).opensAt).toBe(new Date(before).toISOString());
    const during = Date.parse('2017-06-01T00:00:00Z');
    expect(advanceWindow(w, during).closesAt).toBe(new Date(during).toISOString());
    expect(() => advanceWindow(w, Date.parse('2017-10-01T00:00:00Z'))).toThrow(/already closed/);
  });

  test('when extended, then only a later deadline is accepted and a closed window needs reopen', () => {
    const w = dayWindow('2017-05-15', '2017-09-15');
    const during = Date.parse('2017-09-01T00:00:00Z');
    expect(extendWindow(w, '2017-09-20T16:00:00.000Z', during, false).closesAt).toBe('2017-09-20T16:00:00.000Z');
    expect(() => extendWindow(w, '2017-09-10T16:00:00.000Z', during, false)).toThrow(/not later/);
    const after = Date.parse('2017-09-17T00:00:00Z');
    expect(() => extendWindow(w, '2017-09-20T16:00:00.000Z', after, false)).toThrow(/set reopen/);
    expect(extendWindow(w, '2017-09-20T16:00:00.000Z', after, true).closesAt).toBe('2017-09-20T16:00:00.000Z');
    expect(() => extendWindow(w, 'soon', during, false)).toThrow(/not an instant/);
  });

  test('when edges are listed, then the next one and the ones passed come in time order', () => {
    const start = Date.parse('2017-09-15T00:00:00+08:00');
    expect(nextEdge(w2017, start)).toEqual({ at: Date.parse('2017-09-16T00:00:00+08:00'), window: 'teacher.registration', edge: 'closed' });
    const passed = edgesBetween(w2017, start, Date.parse('2017-09-19T00:00:00+08:00'));
    expect(passed.map((e) => `${e.window}:${e.edge}`)).toEqual(['teacher.registration:closed', 'nomination:opened']);
  });

  test('when voting would close before registration, then the windows are refused', () => {
    expect(checkWindows(w2017)).toEqual([]);
    const bad = { ...w2017, 'teacher.voting': dayWindow('2017-05-15', '2017-09-01') };
    expect(checkWindows(bad)).toEqual(['teacher.voting: must not close before teacher.registration']);
  });
});
