import { parseCampaignConfig, type CampaignConfig } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import {
  addCounts,
  addPopulation,
  formatRegion,
  mayReport,
  noticeSummary,
  reportGroup,
  unitFigures,
  ZERO_COUNTS,
  ZERO_POPULATION,
  type GroupCounts,
  type Population,
  type RegionLevel,
  type RegionRef,
  type UnitFigures,
} from '../../lib/rules/registration-report';
import type { Category } from '../../lib/rules/schedule';
import type { Principal } from '../../lib/rules/scope';
import { addDays, shanghaiIso } from '../../lib/time';
import type { ApiDeps } from '../deps';

type Conn = ReturnType<ReturnType<ApiDeps['orm']['em']['fork']>['getConnection']>;

export interface Region {
  level: RegionLevel;
  code: string;
  name: string;
  cityId?: number;
  countyId?: number;
  /** Every county of the region: the report's queries are all bounded by this list. */
  countyIds: number[];
}

export const PROVINCE_NAME = '湖北省';

const pgInts = (ids: number[]) => `{${ids.join(',')}}`;

/** Rows of a raw query, typed by the caller (the SQL names the columns). */
async function select<T = Record<string, any>>(conn: Conn, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await conn.execute(sql, params)) as unknown as T[];
}

export async function loadRegion(conn: Conn, ref: RegionRef): Promise<Region> {
  if (ref.level === 'province') {
    const rows = await select(conn, `select id from county order by id`);
    return { level: 'province', code: '42', name: PROVINCE_NAME, countyIds: rows.map((r) => r.id) };
  }
  if (ref.level === 'city') {
    const [city] = await select(conn, `select id, code, name from city where code = ?`, [ref.code]);
    if (!city) throw new AppError('NotFound', `no city with code ${ref.code}`);
    const rows = await select(conn, `select id from county where city_id = ? order by id`, [city.id]);
    return { level: 'city', code: city.code, name: city.name, cityId: city.id, countyIds: rows.map((r) => r.id) };
  }
  const [county] = await select(conn, `select id, code, name, city_id from county where code = ?`, [ref.code]);
  if (!county) throw new AppError('NotFound', `no county with code ${ref.code}`);
  return { level: 'county', code: county.code, name: county.name, cityId: county.city_id, countyId: county.id, countyIds: [county.id] };
}

/** The region a principal sees when it names none: its own. */
export async function ownRegion(conn: Conn, p: Principal): Promise<RegionRef> {
  if (p.role === 'city_admin' && p.cityId != null) {
    const [c] = await select(conn, `select code from city where id = ?`, [p.cityId]);
    return { level: 'city', code: c.code };
  }
  if (p.role === 'county_admin' && p.countyId != null) {
    const [c] = await select(conn, `select code from county where id = ?`, [p.countyId]);
    return { level: 'county', code: c.code };
  }
  return { level: 'province' };
}

export async function regionInScope(conn: Conn, p: Principal, ref: RegionRef | undefined): Promise<Region> {
  const region = await loadRegion(conn, ref ?? (await ownRegion(conn, p)));
  if (!mayReport(p, region)) throw new AppError('Forbidden', `the report of ${region.name} (${formatRegion(region)}) is outside your scope`);
  return region;
}

export interface CampaignRow {
  id: string;
  name: string;
  year: number;
  config: CampaignConfig;
}

/** The named campaign, or the latest one when none is named. */
export async function loadCampaign(conn: Conn, id: string | undefined): Promise<CampaignRow> {
  const [row] = id
    ? await select(conn, `select id, name, year, config from campaign where id = ?`, [id])
    : await select(conn, `select id, name, year, config from campaign order by created_at desc, id limit 1`);
  if (!row) throw new AppError('NotFound', id ? `no campaign ${id}` : 'there is no campaign yet');
  return { id: row.id, name: row.name, year: row.year, config: parseCampaignConfig(row.config) };
}

export interface ReportUnit {
  level: 'city' | 'county' | 'school';
  id: number;
  code: string;
  name: string;
  /** For schools: the county they belong to. */
  county?: string;
  figures: UnitFigures;
}

export interface RegistrationReport {
  campaign: { id: string; name: string };
  region: { level: RegionLevel; code: string; name: string; key: string };
  /** Exclusive bounds in Asia/Shanghai: "as of 2017-06-18" is 2017-06-19T00:00:00+08:00. */
  asOf: string;
  asOfDay: string;
  compareTo: string | null;
  compareToDay: string | null;
  targets: { teacherRate: number; studentRate: number };
  unitLevel: 'city' | 'county' | 'school';
  rows: ReportUnit[];
  total: UnitFigures;
  /** The notice's paragraph, regenerated from these figures. */
  summary: string;
  /** What a bar chart needs: one category per row, one series per figure. */
  chart: { categories: string[]; series: { key: string; name: string; data: number[] }[] };
}

export interface ReportRequest {
  campaignId?: string;
  region?: RegionRef;
  asOf: { at: Date; day: string };
  compareTo?: { at: Date; day: string };
  /** `school` lists the schools of the region instead of its next level down. */
  by: 'child' | 'school';
}

type Key = number;
interface Tally {
  teachers: GroupCounts;
  students: GroupCounts;
}

function tallyAdd(map: Map<Key, Tally>, key: Key, category: Category, c: GroupCounts, sign: 1 | -1): void {
  const t = map.get(key) ?? { teachers: ZERO_COUNTS, students: ZERO_COUNTS };
  const g = reportGroup(category);
  const signed = sign === 1 ? c : { registered: -c.registered, approved: -c.approved, registeredBefore: -c.registeredBefore, approvedBefore: -c.approvedBefore };
  map.set(key, { ...t, [g]: addCounts(t[g], signed) });
}

/**
 * The progress report: every unit of the region with its counts as of `asOf` (and
 * `compareTo`), 0 where nobody signed up. Three aggregates, each bounded by the region's
 * counties and the later bound, over indexes that cover them.
 */
export async function registrationReport(deps: ApiDeps, p: Principal, req: ReportRequest): Promise<RegistrationReport> {
  const conn = deps.orm.em.fork().getConnection();
  const campaign = await loadCampaign(conn, req.campaignId);
  const region = await regionInScope(conn, p, req.region);
  const unitLevel: ReportUnit['level'] = req.by === 'school' || region.level === 'county' ? 'school' : region.level === 'province' ? 'city' : 'county';
  const bySchool = unitLevel === 'school';

  const units: Omit<ReportUnit, 'figures'>[] = [];
  // For the province's cities the counts come per county and roll up through this map.
  const rollUp = new Map<number, number>();
  if (unitLevel === 'city') {
    for (const r of await select(conn, `select id, code, name from city order by sort_order`)) units.push({ level: 'city', id: r.id, code: r.code, name: r.name });
    for (const r of await select(conn, `select id, city_id from county`)) rollUp.set(r.id, r.city_id);
  } else if (unitLevel === 'county') {
    for (const r of await select(conn, `select id, code, name from county where id = any(?::int[]) order by code`, [pgInts(region.countyIds)])) {
      units.push({ level: 'county', id: r.id, code: r.code, name: r.name });
    }
  } else {
    const rows = await select(conn, 
      `select s.id, s.code, s.name, c.name as county from school s join county c on c.id = s.county_id where s.county_id = any(?::int[]) order by s.code`,
      [pgInts(region.countyIds)],
    );
    for (const r of rows) units.push({ level: 'school', id: r.id, code: r.code, name: r.name, county: r.county });
  }
  const unitOf = (key: number) => (unitLevel === 'city' ? rollUp.get(key)! : key);

  const asOf = req.asOf.at.toISOString();
  const before = (req.compareTo ?? req.asOf).at.toISOString();
  const upTo = new Date(Math.max(req.asOf.at.getTime(), (req.compareTo ?? req.asOf).at.getTime())).toISOString();
  const keyCol = bySchool ? 'school_id' : 'county_id';
  const counties = pgInts(region.countyIds);

  const [signedUp, left, rosters] = await Promise.all([
    select(conn, 
      `select e.${keyCol} as key, e.category,
              count(*) filter (where e.registered_at < ?::timestamptz)::int as registered,
              count(*) filter (where e.approved_at < ?::timestamptz)::int as approved,
              count(*) filter (where e.registered_at < ?::timestamptz)::int as registered_before,
              count(*) filter (where e.approved_at < ?::timestamptz)::int as approved_before
         from entrant e
        where e.campaign_id = ? and e.county_id = any(?::int[]) and e.registered_at < ?::timestamptz
        group by 1, 2`,
      [asOf, asOf, before, before, campaign.id, counties, upTo],
    ),
    // Withdrawn and disqualified entrants stop counting from the moment they left, so a
    // report of a past date stays what it was.
    select(conn, 
      `select e.${keyCol} as key, e.category,
              count(*) filter (where t.at < ?::timestamptz)::int as registered,
              count(*) filter (where t.at < ?::timestamptz and e.approved_at < ?::timestamptz)::int as approved,
              count(*) filter (where t.at < ?::timestamptz)::int as registered_before,
              count(*) filter (where t.at < ?::timestamptz and e.approved_at < ?::timestamptz)::int as approved_before
         from entrant_transition t join entrant e on e.id = t.entrant_id
        where t.to_state in ('withdrawn', 'disqualified') and t.at < ?::timestamptz
          and e.campaign_id = ? and e.county_id = any(?::int[])
        group by 1, 2`,
      [asOf, asOf, asOf, before, before, before, upTo, campaign.id, counties],
    ),
    select(conn, 
      `select s.${bySchool ? 'id' : 'county_id'} as key, count(*)::int as schools,
              sum(r.teachers)::int as teachers, sum(r.students)::int as students, sum(r.platform_spaces)::int as platform_spaces
         from roster r join school s on s.id = r.school_id
        where r.campaign_id = ? and s.county_id = any(?::int[])
        group by 1`,
      [campaign.id, counties],
    ),
  ]);

  const tallies = new Map<Key, Tally>();
  const counts = (r: Record<string, number>): GroupCounts => ({ registered: r.registered, approved: r.approved, registeredBefore: r.registered_before, approvedBefore: r.approved_before });
  for (const r of signedUp) tallyAdd(tallies, unitOf(r.key), r.category, counts(r), 1);
  for (const r of left) tallyAdd(tallies, unitOf(r.key), r.category, counts(r), -1);
  const population = new Map<Key, Population>();
  for (const r of rosters) {
    const k = unitOf(r.key);
    population.set(k, addPopulation(population.get(k) ?? ZERO_POPULATION, { teachers: r.teachers, students: r.students, platformSpaces: r.platform_spaces, schools: r.schools }));
  }

  const targets = { teacherRate: campaign.config.targets.teacherRate, studentRate: campaign.config.targets.studentRate };
  const compared = req.compareTo !== undefined;
  let allT = ZERO_COUNTS;
  let allS = ZERO_COUNTS;
  let allPop = ZERO_POPULATION;
  const rows: ReportUnit[] = units.map((u) => {
    const t = tallies.get(u.id) ?? { teachers: ZERO_COUNTS, students: ZERO_COUNTS };
    const pop = population.get(u.id) ?? ZERO_POPULATION;
    allT = addCounts(allT, t.teachers);
    allS = addCounts(allS, t.students);
    allPop = addPopulation(allPop, pop);
    return { ...u, figures: unitFigures(t.teachers, t.students, pop, targets, compared) };
  });
  const total = unitFigures(allT, allS, allPop, targets, compared);
  const regionName = region.name;
  const report: RegistrationReport = {
    campaign: { id: campaign.id, name: campaign.name },
    region: { level: region.level, code: region.code, name: regionName, key: formatRegion(region) },
    asOf: shanghaiIso(req.asOf.at),
    asOfDay: req.asOf.day,
    compareTo: req.compareTo ? shanghaiIso(req.compareTo.at) : null,
    compareToDay: req.compareTo?.day ?? null,
    targets,
    unitLevel,
    rows,
    total,
    summary: '',
    chart: {
      categories: rows.map((r) => r.name),
      series: [
        { key: 'teachers.registered', name: '教师报名', data: rows.map((r) => r.figures.teachers.registered) },
        { key: 'teachers.approved', name: '教师审核通过', data: rows.map((r) => r.figures.teachers.approved) },
        { key: 'students.registered', name: '学生报名', data: rows.map((r) => r.figures.students.registered) },
        { key: 'students.approved', name: '学生审核通过', data: rows.map((r) => r.figures.students.approved) },
        ...(compared ? [{ key: 'teachers.change', name: '教师报名增加', data: rows.map((r) => r.figures.teachers.change!.registered) }] : []),
      ],
    },
  };
  report.summary = noticeSummary({ regionName, asOfDay: report.asOfDay, compareToDay: report.compareToDay, rows, total });
  return report;
}

/** The campaign dashboard of province and city admins. */
export interface Dashboard {
  campaign: { id: string; name: string };
  region: { level: RegionLevel; code: string; name: string; key: string };
  generatedAt: string;
  registrationsPerDay: { day: string; teachers: number; students: number }[];
  approvalsPendingPerSchool: { schoolId: number; code: string; name: string; county: string; teachers: number; students: number; total: number; oldestRegisteredAt: string }[];
  /** Entrants by lifecycle state (a review-progress view that needs no score table). */
  states: Record<string, number>;
  recommendationsAgainstQuota: { cityCode: string; city: string; teachers: { used: number; quota: number }; students: { used: number; quota: number } }[];
  reviewProgress: { selected: number; inReview: number; reviewed: number; published: number; rate: number | null; scoresSubmitted: number };
  /** Counted votes per Asia/Shanghai day (the vote's own day column), for the region's entrants. */
  votesPerDay: { day: string; votes: number }[];
  notes: string[];
}

const REVIEWED_STATES = ['reviewed', 'published', 'awarded', 'not_awarded'];
const SELECTED_STATES = ['in_review', ...REVIEWED_STATES];

export async function campaignDashboard(deps: ApiDeps, p: Principal, q: { campaignId?: string; region?: RegionRef }): Promise<Dashboard> {
  const conn = deps.orm.em.fork().getConnection();
  const campaign = await loadCampaign(conn, q.campaignId);
  const region = await regionInScope(conn, p, q.region);
  const counties = pgInts(region.countyIds);
  const [perDay, pending, states, recommended, cities, votes, scores] = await Promise.all([
    select(conn, 
      `select to_char(e.registered_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
              count(*) filter (where e.category <> 'student')::int as teachers,
              count(*) filter (where e.category = 'student')::int as students
         from entrant e where e.campaign_id = ? and e.county_id = any(?::int[])
        group by 1 order by 1`,
      [campaign.id, counties],
    ),
    select(conn, 
      `select s.id as school_id, s.code, s.name, c.name as county, p.teachers, p.students, p.total, p.oldest
         from (select e.school_id,
                      count(*) filter (where e.category <> 'student')::int as teachers,
                      count(*) filter (where e.category = 'student')::int as students,
                      count(*)::int as total, min(e.registered_at) as oldest
                 from entrant e
                where e.campaign_id = ? and e.county_id = any(?::int[]) and e.state = 'pending_approval'
                group by e.school_id) p
         join school s on s.id = p.school_id join county c on c.id = s.county_id
        order by p.total desc, s.code`,
      [campaign.id, counties],
    ),
    select(conn, `select state, count(*)::int as n from entrant where campaign_id = ? and county_id = any(?::int[]) group by state`, [campaign.id, counties]),
    select(conn, 
      `select city_id, count(*) filter (where category <> 'student')::int as teachers, count(*) filter (where category = 'student')::int as students
         from entrant where campaign_id = ? and county_id = any(?::int[]) and recommended group by city_id`,
      [campaign.id, counties],
    ),
    region.level === 'province'
      ? select(conn, `select id, code, name from city order by sort_order`)
      : select(conn, `select id, code, name from city where id = ?`, [region.cityId]),
    select(conn,
      `select to_char(v.day, 'YYYY-MM-DD') as day, count(*)::int as votes
         from vote v join entrant e on e.id = v.entrant_id
        where v.campaign_id = ? and e.county_id = any(?::int[])
        group by v.day order by v.day`,
      [campaign.id, counties],
    ),
    select(conn,
      `select count(*)::int as n from expert_score x join entrant e on e.id = x.entrant_id where x.campaign_id = ? and e.county_id = any(?::int[])`,
      [campaign.id, counties],
    ),
  ]);

  // Days without a registration show as 0 so the chart's axis has no holes.
  const registrationsPerDay: Dashboard['registrationsPerDay'] = [];
  if (perDay.length > 0) {
    const got = new Map<string, { teachers: number; students: number }>(perDay.map((r) => [r.day, { teachers: r.teachers, students: r.students }]));
    const last = perDay[perDay.length - 1].day as string;
    for (let d = perDay[0].day as string; d <= last; d = addDays(d, 1)) {
      const r = got.get(d);
      registrationsPerDay.push({ day: d, teachers: r?.teachers ?? 0, students: r?.students ?? 0 });
    }
  }
  const byState: Record<string, number> = Object.fromEntries(states.map((r) => [r.state, r.n]));
  const sum = (keys: string[]) => keys.reduce((n, k) => n + (byState[k] ?? 0), 0);
  const used = new Map<number, { teachers: number; students: number }>(recommended.map((r) => [r.city_id, { teachers: r.teachers, students: r.students }]));
  const selected = sum(SELECTED_STATES);
  const reviewed = sum(REVIEWED_STATES);
  return {
    campaign: { id: campaign.id, name: campaign.name },
    region: { level: region.level, code: region.code, name: region.name, key: formatRegion(region) },
    generatedAt: shanghaiIso(deps.clock()),
    registrationsPerDay,
    approvalsPendingPerSchool: pending.map((r) => ({
      schoolId: r.school_id as number,
      code: r.code as string,
      name: r.name as string,
      county: r.county as string,
      teachers: r.teachers as number,
      students: r.students as number,
      total: r.total as number,
      oldestRegisteredAt: shanghaiIso(new Date(r.oldest as string)),
    })),
    states: byState,
    // 市州推优: education workers use the teacher spaces' quota.
    recommendationsAgainstQuota: cities.map((c) => {
      const quota = campaign.config.quotas[c.code] ?? { teacher: 0, student: 0 };
      const u = used.get(c.id) ?? { teachers: 0, students: 0 };
      return { cityCode: c.code, city: c.name, teachers: { used: u.teachers, quota: quota.teacher }, students: { used: u.students, quota: quota.student } };
    }),
    reviewProgress: {
      selected,
      inReview: byState.in_review ?? 0,
      reviewed,
      published: sum(['published', 'awarded', 'not_awarded']),
      rate: selected > 0 ? Math.round((reviewed / selected) * 10000) / 10000 : null,
      scoresSubmitted: scores[0]?.n ?? 0,
    },
    votesPerDay: votes.map((r) => ({ day: r.day as string, votes: r.votes as number })),
    notes: [],
  };
}

