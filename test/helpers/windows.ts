import { addDays, shanghaiDay, shanghaiMidnight } from '../../lib/time';
import { dayWindow, type Windows } from '../../lib/rules/schedule';

/**
 * A timeline around `now` with Asia/Shanghai midnights as deadlines, the shape of
 * SPEC §2: teachers' registration closes at day+3 24:00, students' at day+6 24:00,
 * voting at day+10 24:00.
 */
export function windowsAround(now: number): { windows: Windows; teacherRegistrationCloses: number; studentRegistrationCloses: number; votingCloses: number } {
  const today = shanghaiDay(now);
  const at = (n: number) => addDays(today, n);
  const windows: Windows = {
    'teacher.registration': dayWindow(at(-1), at(3)),
    'student.registration': dayWindow(at(-1), at(6)),
    'teacher.voting': dayWindow(at(-1), at(10)),
    'student.voting': dayWindow(at(-1), at(10)),
    nomination: dayWindow(at(0), at(8)),
    recommendation: dayWindow(at(7), at(9)),
    review: dayWindow(at(11), at(20)),
  };
  return {
    windows,
    teacherRegistrationCloses: shanghaiMidnight(at(4)).getTime(),
    studentRegistrationCloses: shanghaiMidnight(at(7)).getTime(),
    votingCloses: shanghaiMidnight(at(11)).getTime(),
  };
}
