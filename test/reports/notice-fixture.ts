import type { EntrantBatch } from './fixtures';

/**
 * 黄石市's registrations shaped so that the report reproduces the notice (SPEC §9).
 *
 * Month: the notice is from 2017 (teachers register from May 15, students from May 25) and
 * compares "13号和18号"; June 13 and June 18, 2017 lie inside both windows, so those are the days.
 *
 * The notice's quirk: its June 18 totals list 直属高中 32 and no 市辖区, while its change list
 * names 市辖区 +6 and no 直属高中. The totals add up to 475 only if the +6 belongs to a unit of
 * the June 18 list, and the changes add up to 95 only with it; the faithful consistent reading
 * is that the change list's 市辖区 (city-administered) means the city-run 直属高中. So 直属高中
 * grows 26 → 32, and the seed's separate 市辖区 unit has nobody (0, listed, not missing).
 *
 * June 13 (derived): 黄石港区 206, 大冶市 119, 直属高中 26, 铁山区 16, 下陆区 13, others 0 = 380.
 */
export const NOTICE_TEACHERS_18: Record<string, number> = {
  黄石港区: 206,
  大冶市: 124,
  铁山区: 71,
  下陆区: 34,
  直属高中: 32,
  西塞山区: 7,
  阳新县: 1,
  开发区: 0,
  市辖区: 0,
};
export const NOTICE_STUDENTS_18: Record<string, number> = {
  黄石港区: 2,
  大冶市: 0,
  铁山区: 25,
  下陆区: 0,
  直属高中: 0,
  西塞山区: 0,
  阳新县: 0,
  开发区: 0,
  市辖区: 0,
};
/** The notice's change list, with its 市辖区 read as 直属高中; units it does not name grew by 0. */
export const NOTICE_TEACHER_CHANGE: Record<string, number> = {
  铁山区: 55,
  下陆区: 21,
  西塞山区: 7,
  直属高中: 6,
  大冶市: 5,
  阳新县: 1,
  黄石港区: 0,
  开发区: 0,
  市辖区: 0,
};

const at = (s: string) => `2017-${s}+08:00`;

export function noticeBatches(): EntrantBatch[] {
  return [
    // 黄石港区 206, all before the 13th; 2 students.
    { school: '420202-01', category: 'teacher', count: 100, registeredAt: at('05-20T09:00:00'), approvedAt: at('05-25T10:00:00') },
    { school: '420202-02', category: 'teacher', count: 106, registeredAt: at('06-08T15:30:00') },
    { school: '420202-04', category: 'student', count: 2, registeredAt: at('06-02T19:00:00') },
    // Signed up and withdrew before the 13th: counted on neither day.
    { school: '420202-03', category: 'teacher', count: 3, registeredAt: at('06-05T08:00:00'), left: { state: 'withdrawn', at: at('06-10T08:00:00') } },

    // 大冶市 119 → 124, education workers (相关教育工作者) counted with the teachers.
    { school: '420281-01', category: 'teacher', count: 115, registeredAt: at('06-03T10:00:00'), approvedAt: at('06-12T10:00:00') },
    { school: '420281-02', category: 'education_worker', count: 4, registeredAt: at('06-04T10:00:00') },
    { school: '420281-05', category: 'teacher', count: 5, registeredAt: at('06-16T10:00:00') },

    // 铁山区 16 → 71; 20 → 25 students.
    { school: '420205-01', category: 'teacher', count: 10, registeredAt: at('06-01T09:00:00'), approvedAt: at('06-02T09:00:00') },
    { school: '420205-02', category: 'teacher', count: 5, registeredAt: at('06-10T09:00:00') },
    // The last minute of the 13th still counts for the 13th.
    { school: '420205-03', category: 'teacher', count: 1, registeredAt: at('06-13T23:59:00') },
    // Approved on the 19th: registered as of the 18th, not yet approved.
    { school: '420205-01', category: 'teacher', count: 30, registeredAt: at('06-15T11:00:00'), approvedAt: at('06-19T09:00:00') },
    { school: '420205-03', category: 'teacher', count: 25, registeredAt: at('06-16T11:00:00') },
    // Disqualified before the 13th: counted on neither day.
    { school: '420205-02', category: 'teacher', count: 2, registeredAt: at('06-02T09:00:00'), approvedAt: at('06-03T09:00:00'), left: { state: 'disqualified', at: at('06-12T09:00:00') } },
    { school: '420205-03', category: 'student', count: 20, registeredAt: at('06-05T16:00:00'), approvedAt: at('06-07T16:00:00') },
    { school: '420205-03', category: 'student', count: 5, registeredAt: at('06-17T16:00:00') },

    // 下陆区 13 → 34; 12 approved between the two days.
    { school: '420204-01', category: 'teacher', count: 12, registeredAt: at('06-06T09:00:00'), approvedAt: at('06-16T09:00:00') },
    // Withdrew on the 20th: still registered as of the 18th, so the report of the 18th stays as it was.
    { school: '420204-02', category: 'teacher', count: 1, registeredAt: at('06-07T09:00:00'), left: { state: 'withdrawn', at: at('06-20T09:00:00') } },
    { school: '420204-03', category: 'teacher', count: 21, registeredAt: at('06-17T09:00:00') },

    // 直属高中 26 → 32 (the notice's "市辖区 +6").
    { school: '420290-01', category: 'teacher', count: 26, registeredAt: at('06-09T09:00:00'), approvedAt: at('06-10T09:00:00') },
    { school: '420290-02', category: 'teacher', count: 6, registeredAt: at('06-14T09:00:00') },

    // 西塞山区 0 → 7; 阳新县 0 → 1 in the last second of the 18th.
    { school: '420203-01', category: 'teacher', count: 7, registeredAt: at('06-18T10:00:00') },
    { school: '420222-01', category: 'teacher', count: 1, registeredAt: at('06-18T23:59:59') },

    // 开发区: the first one arrives at 00:00 on the 19th, after the report's bound.
    { school: '420271-01', category: 'teacher', count: 1, registeredAt: at('06-19T00:00:00') },

    // Another city: never in 黄石市's report.
    { school: '420102-01', category: 'teacher', count: 1, registeredAt: at('06-10T09:00:00') },
  ];
}

/** Teachers approved as of the 18th: 黄石港区 100, 大冶市 115, 直属高中 26, 铁山区 10, 下陆区 12. */
export const APPROVED_TEACHERS_18 = 263;
export const APPROVED_TEACHERS_13 = 251;

/**
 * A roster (eligible population) for 黄石市 whose platform spaces add up to the notice's
 * 1,975 teacher spaces on the provincial platform; 4,000 teachers, 60,000 students.
 */
export const HUANGSHI_ROSTER_CSV = [
  '学校代码,学校名称,教师数,学生数,平台空间数',
  '420202-01,黄石港区第一小学,800,12000,400',
  '420203-01,西塞山区第一小学,300,5000,150',
  '420204-01,下陆区第一小学,350,5000,175',
  '420205-01,铁山区第一小学,400,6000,200',
  '420281-01,大冶市实验小学,900,13000,450',
  '420222-01,阳新县实验小学,700,10000,300',
  '420271-01,黄石开发区第一小学,150,3000,100',
  '420290-01,黄石一中,400,6000,200',
].join('\r\n');
