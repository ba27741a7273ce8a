// Rankings (排行, SPEC §4/§11) read from entrant_tally — never by counting votes at read time.
// Order: score = votes + w × accepted boosts desc, then lib/rules/ranking.ts's tie-break.
import { createHash } from 'node:crypto';
import { AppError } from '../../lib/errors';
import { RANKED_STATES, RANKING_SCORE_SQL, RANKING_TIE_BREAK_SQL } from '../../lib/rules/ranking';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Category } from '../../lib/rules/schedule';
import type { ApiDeps } from '../deps';

export interface RankingFilter {
  campaignId: string;
  /** ranking.boostWeight of the campaign config. */
  boostWeight: number;
  category?: Category;
  stage?: 'primary' | 'junior' | 'senior';
  cityId?: number;
  countyId?: number;
  schoolId?: number;
  /** Defaults to RANKED_STATES (public rankings); the review selection passes SELECTABLE_STATES. */
  states?: readonly EntrantState[];
  limit: number;
  offset?: number;
}

export interface RankingQuery {
  sql: string;
  params: unknown[];
}

/**
 * The SQL and `?` params of one ranking page: columns id, name, category, stage, school_id,
 * county_id, city_id, state, registered_at, votes, accepted_boosts, score (numeric as text via
 * the driver) and total (the count of the whole filtered ranking, on every row). A missing
 * tally row counts 0.
 */
export function rankingQuery(f: RankingFilter): RankingQuery {
  const where: string[] = ['e.campaign_id = ?', 'e.state = any(?::text[])'];
  const filterParams: unknown[] = [f.campaignId, `{${(f.states ?? RANKED_STATES).join(',')}}`];
  if (f.category) (where.push('e.category = ?'), filterParams.push(f.category));
  if (f.stage) (where.push('e.stage = ?'), filterParams.push(f.stage));
  if (f.cityId != null) (where.push('e.city_id = ?'), filterParams.push(f.cityId));
  if (f.countyId != null) (where.push('e.county_id = ?'), filterParams.push(f.countyId));
  if (f.schoolId != null) (where.push('e.school_id = ?'), filterParams.push(f.schoolId));
  const sql = `
    select e.id, e.name, e.category, e.stage, e.school_id, e.county_id, e.city_id, e.state, e.registered_at,
           coalesce(t.votes, 0)::int as votes, coalesce(t.accepted_boosts, 0)::int as accepted_boosts,
           ${RANKING_SCORE_SQL}::float8 as score,
           count(*) over ()::int as total
    from entrant e
    left join entrant_tally t on t.entrant_id = e.id
    where ${where.join(' and ')}
    order by ${RANKING_SCORE_SQL} desc, ${RANKING_TIE_BREAK_SQL}
    limit ? offset ?`;
  // The score expression appears twice (select and order by): its weight is bound twice.
  return { sql, params: [f.boostWeight, ...filterParams, f.boostWeight, f.limit, f.offset ?? 0] };
}

export interface RankingPageQuery {
  campaignId?: string;
  category?: Category;
  stage?: 'primary' | 'junior' | 'senior';
  cityId?: number;
  countyId?: number;
  /** City / county by code (4201, 420102), as an alternative to the ids. */
  city?: string;
  county?: string;
  schoolId?: number;
  page: number;
  pageSize: number;
}

/**
 * One public ranking page (公开排行). Reads tallies, never votes; the page is cached in Redis for
 * RANKING_CACHE_SECONDS because a province-wide ranking sorts every entrant of a category.
 */
export async function rankingPage(deps: ApiDeps, q: RankingPageQuery) {
  const conn = deps.orm.em.fork().getConnection();
  const [campaign] = q.campaignId
    ? await conn.execute(`select id, name, config->'ranking' as ranking from campaign where id = ?`, [q.campaignId])
    : await conn.execute(`select id, name, config->'ranking' as ranking from campaign order by created_at desc, id desc limit 1`);
  if (!campaign) throw new AppError('NotFound', q.campaignId ? `no campaign ${q.campaignId}` : 'there is no campaign yet');
  let cityId = q.cityId;
  let countyId = q.countyId;
  if (q.city) {
    const [c] = await conn.execute(`select id from city where code = ?`, [q.city]);
    if (!c) throw new AppError('ValidationFailed', `no city with code ${q.city}`, [{ path: 'query.city', message: 'unknown city code' }]);
    cityId = c.id;
  }
  if (q.county) {
    const [c] = await conn.execute(`select id from county where code = ?`, [q.county]);
    if (!c) throw new AppError('ValidationFailed', `no county with code ${q.county}`, [{ path: 'query.county', message: 'unknown county code' }]);
    countyId = c.id;
  }
  const boostWeight = Number(campaign.ranking?.boostWeight ?? 10);
  const filter: RankingFilter = {
    campaignId: campaign.id,
    boostWeight,
    category: q.category,
    stage: q.stage,
    cityId,
    countyId,
    schoolId: q.schoolId,
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  };
  const ttl = deps.config.RANKING_CACHE_SECONDS;
  const key = `ranking:${createHash('sha1').update(JSON.stringify(filter)).digest('hex')}`;
  if (ttl > 0) {
    const hit = await deps.redis.get(key).catch(() => null);
    if (hit) return JSON.parse(hit);
  }
  const { sql, params } = rankingQuery(filter);
  const rows = (await conn.execute(sql, params)) as Record<string, any>[];
  const schools = rows.length
    ? await conn.execute(
        `select s.id, s.name as school, c.name as county, ci.name as city from school s join county c on c.id = s.county_id join city ci on ci.id = s.city_id
         where s.id = any(?::int[])`,
        [`{${[...new Set(rows.map((r) => r.school_id))].join(',')}}`],
      )
    : [];
  const place = new Map(schools.map((s: Record<string, any>) => [s.id, s]));
  const page = {
    campaign: { id: campaign.id, name: campaign.name },
    boostWeight,
    scoring: `score = votes + ${boostWeight} × accepted boosts; ties: more votes, then earlier registration, then entrant id`,
    total: rows[0]?.total ?? (await countRanked(conn, filter)),
    page: q.page,
    pageSize: q.pageSize,
    items: rows.map((r, i) => ({
      rank: filter.offset! + i + 1,
      id: r.id,
      name: r.name,
      category: r.category,
      stage: r.stage,
      state: r.state,
      school: { id: r.school_id, name: place.get(r.school_id)?.school },
      county: { id: r.county_id, name: place.get(r.school_id)?.county },
      city: { id: r.city_id, name: place.get(r.school_id)?.city },
      votes: r.votes,
      acceptedBoosts: r.accepted_boosts,
      score: Number(r.score),
    })),
  };
  if (ttl > 0) await deps.redis.set(key, JSON.stringify(page), 'EX', ttl).catch(() => undefined);
  return page;
}

/** The size of a ranking when the page asked for lies past its end (no row carries the total). */
async function countRanked(conn: ReturnType<ReturnType<ApiDeps['orm']['em']['fork']>['getConnection']>, f: RankingFilter): Promise<number> {
  const { sql, params } = rankingQuery({ ...f, limit: 1, offset: 0 });
  const [row] = await conn.execute(sql, params);
  return row?.total ?? 0;
}
