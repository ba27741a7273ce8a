// The registration progress report (报名情况通报, SPEC §9): what "as of" means, which
// categories count as teachers, the rates against targets and platform spaces, and the
// notice-style summary. Pure: the SQL in api/services/reports.ts only counts.
import { addDays, shanghaiDay, shanghaiMidnight } from '../time';
import type { Category } from './schedule';
import type { Principal } from './scope';

export type ReportGroup = 'teachers' | 'students';

/** Education workers (相关教育工作者) are counted with the teachers, as the notice's 教师报名人数 does. */
export function reportGroup(category: Category): ReportGroup {
  return category === 'student' ? 'students' : 'teachers';
}

export type RegionLevel = 'province' | 'city' | 'county';
export interface RegionRef {
  level: RegionLevel;
  /** Absent for the province. */
  code?: string;
}

/** `province`, `city:4202`, `county:420202` (codes, not ids, so links survive a re-seed). */
export function parseRegion(input: string): RegionRef | undefined {
  if (input === 'province') return { level: 'province' };
  const m = /^(city|county):([0-9]{4,12})$/.exec(input);
  return m ? { level: m[1] as RegionLevel, code: m[2] } : undefined;
}

export function formatRegion(r: RegionRef): string {
  return r.level === 'province' ? 'province' : `${r.level}:${r.code}`;
}

/**
 * "As of" is a half-open bound: the report counts what happened strictly before it. A bare
 * day D (Asia/Shanghai) means the end of that day, D 24:00 = D+1 00:00, the way SPEC §2
 * writes deadlines: the notice's "18号的数据", read on the 18th, is then simply "everything so
 * far", and a report asked for the 18th after the fact still shows the whole 18th.
 */
export function resolveAsOf(input: string): { at: Date; day: string } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(input)) return { at: shanghaiMidnight(addDays(input, 1)), day: input };
  const ms = Date.parse(input);
  if (Number.isNaN(ms)) throw new Error(`not a day or an instant: ${input}`);
  // The day the bound falls in; an instant exactly at midnight closes the day before.
  return { at: new Date(ms), day: shanghaiDay(ms - 1) };
}

export const INSTANT_OR_DAY = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** The regions a principal may see reports of (分级管理). School admins and others: none. */
export function mayReport(p: Principal, region: { level: RegionLevel; cityId?: number; countyId?: number }): boolean {
  switch (p.role) {
    case 'province_admin':
    case 'auditor':
      return true;
    case 'city_admin':
      return region.level !== 'province' && region.cityId === p.cityId;
    case 'county_admin':
      return region.level === 'county' && region.countyId === p.countyId;
    default:
      return false;
  }
}

export interface Targets {
  teacherRate: number;
  studentRate: number;
}

/** Counts of one group in one unit, as of the report date and (optionally) the comparison date. */
export interface GroupCounts {
  registered: number;
  approved: number;
  registeredBefore: number;
  approvedBefore: number;
}

export interface Population {
  teachers: number;
  students: number;
  platformSpaces: number;
  /** Schools of the unit with a roster row. */
  schools: number;
}

export interface GroupFigures {
  registered: number;
  approved: number;
  /** Since the comparison date; null without one. */
  change: { registered: number; approved: number } | null;
  /** Eligible population from the rosters; null when no school of the unit has one. */
  eligible: number | null;
  targetRate: number;
  /** ceil(eligible × targetRate): the number of sign-ups the target asks for. */
  target: number | null;
  /** registered / target. */
  progress: number | null;
}

export interface TeacherFigures extends GroupFigures {
  /** Teacher spaces registered on the provincial platform (省平台注册教师空间数). */
  platformSpaces: number | null;
  /** registered / platformSpaces. */
  platformProgress: number | null;
}

export interface UnitFigures {
  teachers: TeacherFigures;
  students: GroupFigures;
  rosterSchools: number;
}

export const ZERO_COUNTS: GroupCounts = Object.freeze({ registered: 0, approved: 0, registeredBefore: 0, approvedBefore: 0 });

export function addCounts(a: GroupCounts, b: GroupCounts): GroupCounts {
  return {
    registered: a.registered + b.registered,
    approved: a.approved + b.approved,
    registeredBefore: a.registeredBefore + b.registeredBefore,
    approvedBefore: a.approvedBefore + b.approvedBefore,
  };
}

export function addPopulation(a: Population, b: Population): Population {
  return { teachers: a.teachers + b.teachers, students: a.students + b.students, platformSpaces: a.platformSpaces + b.platformSpaces, schools: a.schools + b.schools };
}

export const ZERO_POPULATION: Population = Object.freeze({ teachers: 0, students: 0, platformSpaces: 0, schools: 0 });

function ratio(n: number, d: number | null): number | null {
  if (d == null || d === 0) return null;
  return Math.round((n / d) * 10000) / 10000;
}

function group(c: GroupCounts, eligible: number | null, rate: number, compared: boolean): GroupFigures {
  // A float product like 0.07 × 100 = 7.000000000000001 must not round 7 up to 8.
  const target = eligible == null ? null : Math.ceil(Math.round(eligible * rate * 1e6) / 1e6);
  return {
    registered: c.registered,
    approved: c.approved,
    change: compared ? { registered: c.registered - c.registeredBefore, approved: c.approved - c.approvedBefore } : null,
    eligible,
    targetRate: rate,
    target,
    progress: ratio(c.registered, target),
  };
}

export function unitFigures(teachers: GroupCounts, students: GroupCounts, pop: Population, targets: Targets, compared: boolean): UnitFigures {
  const hasRoster = pop.schools > 0;
  const t = group(teachers, hasRoster ? pop.teachers : null, targets.teacherRate, compared);
  const platformSpaces = hasRoster ? pop.platformSpaces : null;
  return {
    teachers: { ...t, platformSpaces, platformProgress: ratio(teachers.registered, platformSpaces) },
    students: group(students, hasRoster ? pop.students : null, targets.studentRate, compared),
    rosterSchools: pop.schools,
  };
}

function cnDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** 全市 / 全省 / 全县 / 全区 — what the notice calls the whole region. */
export function wholeRegionWord(name: string): string {
  const last = name.slice(-1);
  return '省市县区州'.includes(last) ? `全${last}` : name;
}

/** Units in the notice's order: most sign-ups first, then by code. */
function byCount<T extends { code: string }>(rows: T[], n: (r: T) => number): T[] {
  return [...rows].sort((a, b) => n(b) - n(a) || a.code.localeCompare(b.code));
}

/**
 * The notice's paragraph, regenerated: totals with the units that signed up, those that did
 * not, and the change since the comparison date by the units that grew.
 */
export function noticeSummary(report: {
  regionName: string;
  asOfDay: string;
  compareToDay: string | null;
  rows: { code: string; name: string; figures: UnitFigures }[];
  total: UnitFigures;
}): string {
  const whole = wholeRegionWord(report.regionName);
  const parts: string[] = [`截至${cnDate(report.asOfDay)}，`];
  const listed = (g: ReportGroup, label: string): string => {
    const n = (r: { figures: UnitFigures }) => r.figures[g].registered;
    const some = byCount(report.rows.filter((r) => n(r) > 0), n);
    const none = report.rows.filter((r) => n(r) === 0);
    let s = `${whole}活动${label}报名人数为${report.total[g].registered}人`;
    if (some.length > 0) s += `，其中${some.map((r) => `${r.name}${n(r)}人`).join('、')}`;
    if (none.length > 0 && some.length > 0) s += g === 'students' ? '，其他单位均没有学生报名' : `，${none.map((r) => r.name).join('、')}无人报名`;
    return `${s}。`;
  };
  parts.push(listed('teachers', '教师'), listed('students', '学生'));
  if (report.compareToDay && report.total.teachers.change) {
    const d = (r: { figures: UnitFigures }) => r.figures.teachers.change?.registered ?? 0;
    const grew = byCount(report.rows.filter((r) => d(r) !== 0), d);
    const delta = report.total.teachers.change.registered;
    let s = `通过对比${cnDate(report.compareToDay)}和${cnDate(report.asOfDay)}的数据，${whole}教师的报名总人数${delta >= 0 ? '增加' : '减少'}了${Math.abs(delta)}人`;
    if (grew.length > 0) s += `，其中${grew.map((r) => `${r.name}${d(r) >= 0 ? '增加' : '减少'}了${Math.abs(d(r))}人`).join('，')}`;
    parts.push(`${s}。`);
  }
  return parts.join('');
}

