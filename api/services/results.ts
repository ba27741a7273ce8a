// Results and awards (SPEC §8): the computation the province admin reviews (proposal) and the
// publication workflow snapshots, and the public reading of what was published. The rules
// (order, tiers, special and group awards) are lib/rules/awards.ts; this module only reads.
import type { Orm } from '../../db/orm';
import { parseCampaignConfig, type CampaignConfig } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import {
  groupWinners,
  popularityWinners,
  primaryAward,
  prizePoints,
  rankAndAward,
  rankingGroup,
  rankingKey,
  sharingWinners,
  talentScore,
  talentWinners,
  type AwardTier,
  type RankingGroup,
  type SpecialAward,
  type TierCutoff,
  type UnitStanding,
} from '../../lib/rules/awards';
import { rankingScore } from '../../lib/rules/ranking';
import { addCounts, addPopulation, unitFigures, ZERO_COUNTS, ZERO_POPULATION, type GroupCounts, type Population } from '../../lib/rules/registration-report';
import type { Category } from '../../lib/rules/schedule';
import type { Principal } from '../../lib/rules/scope';
import { shanghaiDay } from '../../lib/time';
import type { ApiDeps } from '../deps';
import { registrationReport } from './reports';

type Conn = ReturnType<ReturnType<Orm['em']['fork']>['getConnection']>;

async function select<T = Record<string, any>>(conn: Conn, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await conn.execute(sql, params)) as unknown as T[];
}

export interface ComputedEntrant {
  entrantId: string;
  name: string;
  category: Category;
  group: RankingGroup;
  stage: string;
  rankingKey: string;
  schoolId: number;
  countyId: number;
  cityId: number;
  school: string;
  county: string;
  city: string;
  registeredAt: string;
  votes: number;
  acceptedBoosts: number;
  /** The voting ranking's score: votes + w × accepted boosts. */
  rankingScore: number;
  finalScore: number;
  rank: number;
  award: AwardTier | null;
  specialAwards: SpecialAward[];
  /** What the lifecycle is told (lib/rules/awards.ts: the tier, else the first special award). */
  primaryAward: string | null;
  /** Students only (才艺达人奖's score). */
  talentScore: number | null;
}

export interface ComputedUnit {
  level: 'city' | 'county' | 'school';
  id: number;
  code: string;
  name: string;
  /** 组织类奖 for cities, 团体类奖 for counties and schools. */
  award: 'organisation' | 'group';
  rank: number;
  score: number;
  figures: {
    teacherProgress: number | null;
    studentProgress: number | null;
    registered: number;
    prizePoints: number;
    prizeDensity: number;
    teacherPart: number;
    studentPart: number;
    prizePart: number;
  };
}

export interface ResultsComputation {
  campaign: { id: string; name: string };
  /** The instant the figures are as of. */
  at: string;
  rules: Pick<CampaignConfig['awards'], 'tiers' | 'byStage' | 'special' | 'group'> & { boostWeight: number };
  /** In final ranking order within each ranking key; keys in name order. */
  entrants: ComputedEntrant[];
  cutoffs: Record<string, TierCutoff[]>;
  groupAwards: { cities: ComputedUnit[]; counties: ComputedUnit[]; schools: ComputedUnit[] };
  /** Entrants still in review: not in these results. */
  pending: { inReview: number };
}

/** Which tables of other stages exist in this deployment (votes and review land separately). */
async function tablesPresent(conn: Conn, names: string[]): Promise<Set<string>> {
  const rows = await select(conn, `select relname from pg_class where relkind = 'r' and relname = any(?::text[]) and pg_table_is_visible(oid)`, [`{${names.join(',')}}`]);
  return new Set(rows.map((r) => r.relname as string));
}

/** The province as a report reader: group awards read every school's registration figures. */
const PROVINCE_READER: Principal = { accountId: 'system', role: 'province_admin', displayName: 'system', cityId: null, countyId: null, schoolId: null };

/**
 * The results of a campaign as of `at`, over its entrants in `states` (the proposal and the
 * snapshot: `reviewed`). Each entrant's final score is the latest one its lifecycle recorded
 * (review complete, score edited or corrected).
 */
export async function computeResults(orm: Orm, campaignId: string, at: Date, states: readonly string[] = ['reviewed']): Promise<ResultsComputation> {
  const conn = orm.em.fork().getConnection();
  const [campaign] = await select(conn, `select id, name, config from campaign where id = ?`, [campaignId]);
  if (!campaign) throw new AppError('NotFound', `no campaign ${campaignId}`);
  const config = parseCampaignConfig(campaign.config);
  const { awards } = config;
  const boostWeight = config.ranking.boostWeight;
  const present = await tablesPresent(conn, ['entrant_tally', 'expert_score']);
  const tally = present.has('entrant_tally');

  const rows = await select(
    conn,
    `select e.id, e.name, e.category, e.stage, e.school_id, e.county_id, e.city_id, e.registered_at,
            s.name as school, c.name as county, ci.name as city,
            ${tally ? 'coalesce(t.votes, 0)' : '0'}::int as votes, ${tally ? 'coalesce(t.accepted_boosts, 0)' : '0'}::int as accepted_boosts,
            fs.final_score
       from entrant e
       join school s on s.id = e.school_id join county c on c.id = e.county_id join city ci on ci.id = e.city_id
       ${tally ? 'left join entrant_tally t on t.entrant_id = e.id' : ''}
       join lateral (
         select (tr.details->>'finalScore')::float8 as final_score from entrant_transition tr
          where tr.entrant_id = e.id and tr.workflow_id = e.workflow_id and jsonb_exists(tr.details, 'finalScore')
          order by split_part(tr.event_key, ':', 1)::int desc limit 1
       ) fs on true
      where e.campaign_id = ? and e.state = any(?::text[])`,
    [campaignId, `{${states.join(',')}}`],
  );
  const [{ n: inReview }] = await select(conn, `select count(*)::int as n from entrant where campaign_id = ? and state = 'in_review'`, [campaignId]);

  const contenders = rows.map((r) => {
    const group = rankingGroup(r.category);
    return {
      id: r.id as string,
      row: r,
      group,
      rankingKey: rankingKey(group, r.stage, awards.byStage),
      finalScore: Number(r.final_score),
      votes: Number(r.votes),
      acceptedBoosts: Number(r.accepted_boosts),
      registeredAt: new Date(r.registered_at).toISOString(),
    };
  });
  const { placements, cutoffs, order } = rankAndAward(contenders, awards.tiers, boostWeight);

  // Special awards, per award group, over the entrants of these results.
  const specials = new Map<string, SpecialAward[]>();
  const give = (ids: string[], award: SpecialAward) => ids.forEach((id) => specials.set(id, [...(specials.get(id) ?? []), award]));
  const inGroup = (g: RankingGroup) => order.filter((c) => c.group === g);
  for (const g of ['teacher', 'student'] as const) give(popularityWinners(inGroup(g), boostWeight, awards.special.popularity[g]), 'popularity');

  const flags = await select(
    conn,
    `select distinct on (entrant_id) entrant_id, marked from entrant_flag
      where campaign_id = ? and kind = 'achievement_sharing' order by entrant_id, id desc`,
    [campaignId],
  );
  const marked = new Set(flags.filter((f) => f.marked).map((f) => f.entrant_id as string));
  give(sharingWinners(inGroup('teacher'), marked, awards.special.sharing), 'sharing');

  const students = inGroup('student');
  const talent = new Map<string, number>();
  if (students.length > 0) {
    const item = config.rubric.student.find((i) => i.key === awards.special.talent.item);
    const averages = new Map<string, number>();
    if (item && present.has('expert_score')) {
      // The latest review round of each space: a re-review's experts replace the first ones.
      const scored = await select(
        conn,
        `select s.entrant_id, avg((s.items->>?)::float8) as average from expert_score s
          where s.campaign_id = ? and s.entrant_id = any(?::uuid[]) and (s.items->>?) is not null
            and s.round = (select max(r.round) from expert_score r where r.entrant_id = s.entrant_id)
          group by s.entrant_id`,
        [item.key, campaignId, `{${students.map((s) => s.id).join(',')}}`, item.key],
      );
      for (const s of scored) averages.set(s.entrant_id, Number(s.average));
    }
    const maxVotes = students.reduce((m, s) => Math.max(m, s.votes), 0);
    for (const s of students) talent.set(s.id, talentScore(averages.get(s.id) ?? null, item?.max ?? 0, s.votes, maxVotes, awards.special.talent.attentionWeight));
    give(talentWinners(students.map((s) => ({ id: s.id, talentScore: talent.get(s.id)! })), awards.special.talent.count), 'talent');
  }

  const entrants: ComputedEntrant[] = order.map((c) => {
    const p = placements.get(c.id)!;
    const sp = specials.get(c.id) ?? [];
    return {
      entrantId: c.id,
      name: c.row.name,
      category: c.row.category,
      group: c.group,
      stage: c.row.stage,
      rankingKey: c.rankingKey,
      schoolId: c.row.school_id,
      countyId: c.row.county_id,
      cityId: c.row.city_id,
      school: c.row.school,
      county: c.row.county,
      city: c.row.city,
      registeredAt: c.registeredAt,
      votes: c.votes,
      acceptedBoosts: c.acceptedBoosts,
      rankingScore: Math.round(rankingScore(c.votes, c.acceptedBoosts, boostWeight) * 100) / 100,
      finalScore: c.finalScore,
      rank: p.rank,
      award: p.tier,
      specialAwards: sp,
      primaryAward: primaryAward(p.tier, sp),
      talentScore: c.group === 'student' ? (talent.get(c.id) ?? 0) : null,
    };
  });

  return {
    campaign: { id: campaign.id, name: campaign.name },
    at: at.toISOString(),
    rules: { tiers: awards.tiers, byStage: awards.byStage, special: awards.special, group: awards.group, boostWeight },
    entrants,
    cutoffs,
    groupAwards: await computeGroupAwards(orm, conn, campaignId, at, config, entrants),
    pending: { inReview },
  };
}

/**
 * 团体类奖 and 组织类奖: registration progress from the registration report (issue 8's, as of
 * `at`, every school of the province), rolled up to counties and cities the way the report
 * rolls up, plus the prizes won there.
 */
async function computeGroupAwards(orm: Orm, conn: Conn, campaignId: string, at: Date, config: CampaignConfig, entrants: ComputedEntrant[]): Promise<ResultsComputation['groupAwards']> {
  // registrationReport reads only deps.orm.
  const report = await registrationReport({ orm } as ApiDeps, PROVINCE_READER, { campaignId, asOf: { at, day: shanghaiDay(at.getTime() - 1) }, by: 'school' });
  const [schools, counties, cities] = await Promise.all([
    select(conn, `select id, county_id, city_id from school`),
    select(conn, `select id, code, name from county`),
    select(conn, `select id, code, name from city`),
  ]);
  const placeOf = new Map<number, { county: number; city: number }>(schools.map((s) => [s.id, { county: s.county_id, city: s.city_id }]));
  const points = { school: new Map<number, number>(), county: new Map<number, number>(), city: new Map<number, number>() };
  for (const e of entrants) {
    const p = prizePoints(e.award, e.specialAwards);
    if (p === 0) continue;
    points.school.set(e.schoolId, (points.school.get(e.schoolId) ?? 0) + p);
    points.county.set(e.countyId, (points.county.get(e.countyId) ?? 0) + p);
    points.city.set(e.cityId, (points.city.get(e.cityId) ?? 0) + p);
  }

  type Sum = { teachers: GroupCounts; students: GroupCounts; pop: Population };
  const rollUp = { county: new Map<number, Sum>(), city: new Map<number, Sum>() };
  const schoolUnits: UnitStanding[] = [];
  const counts = (f: { registered: number; approved: number }): GroupCounts => ({ registered: f.registered, approved: f.approved, registeredBefore: f.registered, approvedBefore: f.approved });
  for (const row of report.rows) {
    const f = row.figures;
    schoolUnits.push({
      id: row.id,
      code: row.code,
      name: row.name,
      teacherProgress: f.teachers.progress,
      studentProgress: f.students.progress,
      registered: f.teachers.registered + f.students.registered,
      prizePoints: points.school.get(row.id) ?? 0,
    });
    const pop: Population = f.rosterSchools > 0 ? { teachers: f.teachers.eligible ?? 0, students: f.students.eligible ?? 0, platformSpaces: f.teachers.platformSpaces ?? 0, schools: f.rosterSchools } : ZERO_POPULATION;
    const place = placeOf.get(row.id);
    if (!place) continue;
    for (const [level, id] of [['county', place.county], ['city', place.city]] as const) {
      const s = rollUp[level].get(id) ?? { teachers: ZERO_COUNTS, students: ZERO_COUNTS, pop: ZERO_POPULATION };
      rollUp[level].set(id, { teachers: addCounts(s.teachers, counts(f.teachers)), students: addCounts(s.students, counts(f.students)), pop: addPopulation(s.pop, pop) });
    }
  }
  const targets = config.targets;
  const units = (level: 'county' | 'city', list: Record<string, any>[]): UnitStanding[] =>
    list.map((u) => {
      const s = rollUp[level].get(u.id) ?? { teachers: ZERO_COUNTS, students: ZERO_COUNTS, pop: ZERO_POPULATION };
      const f = unitFigures(s.teachers, s.students, s.pop, targets, false);
      return { id: u.id, code: u.code, name: u.name, teacherProgress: f.teachers.progress, studentProgress: f.students.progress, registered: f.teachers.registered + f.students.registered, prizePoints: points[level].get(u.id) ?? 0 };
    });
  const { counts: n, weights } = config.awards.group;
  const award = (level: ComputedUnit['level'], list: UnitStanding[], count: number): ComputedUnit[] =>
    groupWinners(list, weights, count).map((u) => ({
      level,
      id: u.id,
      code: u.code,
      name: u.name,
      award: level === 'city' ? 'organisation' : 'group',
      rank: u.rank,
      score: u.score,
      figures: {
        teacherProgress: u.teacherProgress,
        studentProgress: u.studentProgress,
        registered: u.registered,
        prizePoints: u.prizePoints,
        prizeDensity: u.prizeDensity,
        teacherPart: u.teacherPart,
        studentPart: u.studentPart,
        prizePart: u.prizePart,
      },
    }));
  return {
    cities: award('city', units('city', cities), n.city),
    counties: award('county', units('county', counties), n.county),
    schools: award('school', schoolUnits, n.school),
  };
}
