import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { parseCampaignConfig, type CampaignConfig } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import { STAGES, STATE_LABELS_ZH, type EntrantState, type SchoolStage } from '../../lib/rules/entrant-state';
import {
  CATEGORY_GROUPS,
  categoryGroupOf,
  hasRoom,
  quotaLimit,
  quotaUse,
  RECOMMENDABLE_STATES,
  stageMix,
  stageWarnings,
  STATES_RELEASING_RECOMMENDATION,
  type CategoryGroup,
  type QuotaUse,
  type StageMix,
  type StageWarning,
} from '../../lib/rules/quota';
import type { Principal } from '../../lib/rules/scope';
import { phaseOf, type Actor, type Category, type Schedule, type Window } from '../../lib/rules/schedule';
import { recommendUpdate, unrecommendUpdate } from '../../workflows';
import type { ApiDeps } from '../deps';
import { fromTemporal } from '../errors';
import { actorOf } from './entrants';

// 市州推优 (SPEC §5). The quota is counted on the `recommendation` ledger under a per-(campaign,
// city, group) transaction lock; the entrant's lifecycle holds the truth the selection reads
// (`entrant.recommended`). The ledger row is written first as `pending`, then the lifecycle is
// told, then the row becomes `active`: a crash in between leaves a pending row that still holds
// its place — never a recommended entrant that the quota does not count. A pending row is settled
// later by re-sending the same update (same update id, so Temporal runs it at most once).

type Deps = Pick<ApiDeps, 'orm' | 'temporal' | 'clock'>;

/** How long a pending row is left to its own request before another request settles it. */
const PENDING_GRACE_SECONDS = 60;

export interface CampaignRow {
  id: string;
  name: string;
  config: CampaignConfig;
  schedule: Schedule;
}

export async function loadCampaignConfig(deps: Deps, campaignId: string): Promise<CampaignRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select id, name, config, schedule from campaign where id = ?`, [campaignId]);
  if (!row) throw new AppError('NotFound', `no campaign ${campaignId}`);
  return { id: row.id, name: row.name, config: parseCampaignConfig(row.config), schedule: row.schedule as Schedule };
}

export function describeWindow(window: Window, now: number) {
  return { opensAt: window.opensAt, closesAt: window.closesAt, phase: phaseOf(window, now) };
}

/** Inside the window or a 409 that says when it opens or closed. */
export function requireWindowOpen(window: Window, now: number, what: string): void {
  const phase = phaseOf(window, now);
  if (phase === 'upcoming') throw new AppError('WindowClosed', `${what} opens at ${window.opensAt}`, { opensAt: window.opensAt, closesAt: window.closesAt });
  if (phase === 'closed') throw new AppError('WindowClosed', `${what} closed at ${window.closesAt}`, { opensAt: window.opensAt, closesAt: window.closesAt });
}

export function requireOwnCity(p: Principal, cityId: number, what: string): void {
  if (p.role === 'city_admin' && p.cityId !== cityId) throw new AppError('Forbidden', `you cannot ${what}: it is outside your city`);
}

export interface RecommendationView {
  id: string;
  campaignId: string;
  entrant: { id: string; name: string; category: Category; stage: SchoolStage; school: string; state: EntrantState; stateLabel: string };
  cityId: number;
  category: CategoryGroup;
  state: 'pending' | 'active' | 'withdrawn';
  reason: string | null;
  recommendedBy: { id: string; name: string | null };
  createdAt: string;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  withdrawReason: string | null;
  /** The entrant withdrew or was disqualified since: the place is free again. */
  released: boolean;
}

export interface CityRecommendationSummary {
  city: { id: number; code: string; name: string };
  category: CategoryGroup;
  quota: QuotaUse;
  /** 学段分布 of the live recommendations (小学/初中/高中). */
  stageMix: StageMix;
  /** 尽量兼顾各学段: stages the city has recommendable entrants in but none recommended. */
  warnings: StageWarning[];
  recommendations: RecommendationView[];
}

const RELEASING = `{${STATES_RELEASING_RECOMMENDATION.join(',')}}`;
const RECOMMENDABLE = `{${RECOMMENDABLE_STATES.join(',')}}`;

function view(r: Record<string, unknown>): RecommendationView {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: String(r.id),
    campaignId: String(r.campaign_id),
    entrant: {
      id: String(r.entrant_id),
      name: String(r.entrant_name),
      category: r.entrant_category as Category,
      stage: r.entrant_stage as SchoolStage,
      school: String(r.school),
      state: r.entrant_state as EntrantState,
      stateLabel: STATE_LABELS_ZH[r.entrant_state as EntrantState],
    },
    cityId: Number(r.city_id),
    category: r.category_group as CategoryGroup,
    state: r.state as RecommendationView['state'],
    reason: (r.reason as string | null) ?? null,
    recommendedBy: { id: String(r.recommended_by), name: (r.recommended_by_name as string | null) ?? null },
    createdAt: iso(r.created_at)!,
    withdrawnAt: iso(r.withdrawn_at),
    withdrawnBy: (r.withdrawn_by as string | null) ?? null,
    withdrawReason: (r.withdraw_reason as string | null) ?? null,
    released: (STATES_RELEASING_RECOMMENDATION as readonly string[]).includes(String(r.entrant_state)),
  };
}

const VIEW_SQL = `select r.*, e.name as entrant_name, e.category as entrant_category, e.stage as entrant_stage, e.state as entrant_state,
    s.name as school, a.display_name as recommended_by_name
  from recommendation r join entrant e on e.id = r.entrant_id join school s on s.id = e.school_id join account a on a.id = r.recommended_by`;

/**
 * Quota use, stage mix and warnings for each (city, group) asked for — one aggregate over the
 * ledger, one probe per (city, group, stage) for recommendable entrants, one list of rows.
 */
export async function summaries(
  deps: Deps,
  campaign: CampaignRow,
  filter: { cityId?: number; category?: CategoryGroup; withWithdrawn?: boolean },
): Promise<CityRecommendationSummary[]> {
  const conn = deps.orm.em.fork().getConnection();
  const cities: { id: number; code: string; name: string }[] = await conn.execute(
    `select id, code, name from city ${filter.cityId ? 'where id = ?' : ''} order by sort_order`,
    filter.cityId ? [filter.cityId] : [],
  );
  const groups = filter.category ? [filter.category] : [...CATEGORY_GROUPS];
  const cityArg = filter.cityId ? [filter.cityId] : [];
  const live: { city_id: number; category_group: CategoryGroup; stage: SchoolStage; n: number }[] = await conn.execute(
    `select r.city_id, r.category_group, e.stage, count(*)::int as n
     from recommendation r join entrant e on e.id = r.entrant_id
     where r.campaign_id = ? and r.state <> 'withdrawn' and e.state <> all(?::text[]) ${filter.cityId ? 'and r.city_id = ?' : ''}
     group by 1, 2, 3`,
    [campaign.id, RELEASING, ...cityArg],
  );
  // Each probe stops at the first matching entrant (entrant_campaign_city_idx).
  const present: { city_id: number; grp: CategoryGroup; stage: SchoolStage }[] = await conn.execute(
    `select c.id as city_id, g.grp, st.stage
     from city c
     cross join (values ('teacher', '{teacher,education_worker}'::text[]), ('student', '{student}'::text[])) as g(grp, cats)
     cross join unnest(?::text[]) as st(stage)
     where ${filter.cityId ? 'c.id = ? and' : ''} exists (
       select 1 from entrant e where e.campaign_id = ? and e.city_id = c.id and e.category = any(g.cats) and e.stage = st.stage and e.state = any(?::text[]))`,
    [`{${STAGES.join(',')}}`, ...cityArg, campaign.id, RECOMMENDABLE],
  );
  const rows: Record<string, unknown>[] = await conn.execute(
    `${VIEW_SQL} where r.campaign_id = ? ${filter.cityId ? 'and r.city_id = ?' : ''} ${filter.withWithdrawn ? '' : `and r.state <> 'withdrawn'`}
     order by r.created_at, r.id`,
    [campaign.id, ...cityArg],
  );
  const out: CityRecommendationSummary[] = [];
  for (const city of cities) {
    for (const group of groups) {
      const stages: SchoolStage[] = [];
      for (const l of live) if (l.city_id === city.id && l.category_group === group) for (let i = 0; i < l.n; i += 1) stages.push(l.stage);
      const mix = stageMix(stages);
      const withEntrants = present.filter((x) => x.city_id === city.id && x.grp === group).map((x) => x.stage);
      out.push({
        city,
        category: group,
        quota: quotaUse(quotaLimit(campaign.config.quotas, city.code, group), stages.length),
        stageMix: mix,
        warnings: stageWarnings(mix, withEntrants),
        recommendations: rows.filter((r) => r.city_id === city.id && r.category_group === group).map(view),
      });
    }
  }
  return out;
}

interface EntrantForRecommendation {
  id: string;
  campaign_id: string;
  category: Category;
  city_id: number;
  city_code: string;
  state: EntrantState;
  workflow_id: string;
}

async function loadEntrantForRecommendation(deps: Deps, entrantId: string): Promise<EntrantForRecommendation> {
  const [row] = await deps.orm.em.fork().getConnection().execute(
    `select e.id, e.campaign_id, e.category, e.city_id, c.code as city_code, e.state, e.workflow_id from entrant e join city c on c.id = e.city_id where e.id = ?`,
    [entrantId],
  );
  if (!row) throw new AppError('NotFound', `no entrant ${entrantId}`);
  return row as EntrantForRecommendation;
}

function isRefusal(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError) return true;
  const kind = fromTemporal(err)?.kind;
  return kind !== undefined && kind !== 'ServiceUnavailable';
}

async function entrantRecommended(deps: Deps, entrantId: string): Promise<boolean> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select recommended from entrant where id = ?`, [entrantId]);
  return Boolean(row?.recommended);
}

/**
 * Tells the lifecycle of a pending recommendation and settles the row. A refusal is checked
 * against the entrant's flag: when it is already set, an earlier delivery of this same update
 * landed (the ledger allows one live row per entrant) and the row becomes active; otherwise
 * the row is removed and the refusal stands. Transient failures leave the row pending.
 */
async function deliver(deps: Deps, rec: { id: string; entrantId: string; workflowId: string; actor: Actor; reason?: string }): Promise<void> {
  const conn = deps.orm.em.fork().getConnection();
  try {
    await deps.temporal.workflow.getHandle(rec.workflowId).executeUpdate(recommendUpdate, { updateId: `recommend-${rec.id}`, args: [{ actor: rec.actor, reason: rec.reason }] });
  } catch (err) {
    if (!isRefusal(err)) throw err;
    if (!(await entrantRecommended(deps, rec.entrantId))) {
      await conn.execute(`delete from recommendation where id = ? and state = 'pending'`, [rec.id]);
      throw err;
    }
  }
  await conn.execute(`update recommendation set state = 'active', activated_at = now() where id = ? and state = 'pending'`, [rec.id]);
}

/** Pending rows left by a request that did not finish (crash, timeout) are settled by the next one. */
async function settleStale(deps: Deps, campaignId: string, cityId: number, group: CategoryGroup): Promise<void> {
  const stale = await deps.orm.em.fork().getConnection().execute(
    `select r.id, r.entrant_id, r.reason, e.workflow_id, a.id as actor_id, a.role, a.display_name
     from recommendation r join entrant e on e.id = r.entrant_id join account a on a.id = r.recommended_by
     where r.campaign_id = ? and r.city_id = ? and r.category_group = ? and r.state = 'pending'
       and r.created_at < now() - make_interval(secs => ?)`,
    [campaignId, cityId, group, PENDING_GRACE_SECONDS],
  );
  for (const s of stale) {
    await deliver(deps, {
      id: s.id,
      entrantId: s.entrant_id,
      workflowId: s.workflow_id,
      actor: { accountId: s.actor_id, role: s.role, name: s.display_name },
      reason: s.reason ?? undefined,
    }).catch(() => undefined); // still undecided: it keeps holding its place
  }
}

function lockKey(campaignId: string, cityId: number, group: CategoryGroup): string {
  return `recommendation:${campaignId}:${cityId}:${group}`;
}

/**
 * 推优: inside the window, for the city admin's own city, within its quota per group. The
 * count and the insert happen under one transaction lock per (campaign, city, group), so two
 * admins of the city recommending at once cannot both take the last place.
 */
export async function recommend(deps: Deps, p: Principal, input: { entrantId: string; reason?: string }): Promise<{ recommendation: RecommendationView; summary: CityRecommendationSummary }> {
  const entrant = await loadEntrantForRecommendation(deps, input.entrantId);
  requireOwnCity(p, entrant.city_id, 'recommend this entrant');
  const campaign = await loadCampaignConfig(deps, entrant.campaign_id);
  requireWindowOpen(campaign.schedule.windows.recommendation, deps.clock(), '市州推优 (recommendation)');
  if (!RECOMMENDABLE_STATES.includes(entrant.state)) {
    throw new AppError('InvalidTransition', `only approved entrants can be recommended: this one is ${entrant.state} (${STATE_LABELS_ZH[entrant.state]})`, {
      state: entrant.state,
      recommendable: RECOMMENDABLE_STATES,
    });
  }
  const group = categoryGroupOf(entrant.category);
  const limit = quotaLimit(campaign.config.quotas, entrant.city_code, group);
  await settleStale(deps, campaign.id, entrant.city_id, group);

  const id = randomUUID();
  await deps.orm.em.fork().transactional(async (em) => {
    // em.execute runs on the transaction; em.getConnection().execute would run outside it.
    const conn = em;
    await conn.execute(`select pg_advisory_xact_lock(hashtext(?))`, [lockKey(campaign.id, entrant.city_id, group)]);
    const [already] = await conn.execute(`select id, state from recommendation where entrant_id = ? and state <> 'withdrawn'`, [entrant.id]);
    if (already) throw new AppError('Conflict', `this entrant is already recommended (recommendation ${already.id})`, { recommendationId: already.id });
    const [{ used }] = await conn.execute(
      `select count(*)::int as used from recommendation r join entrant e on e.id = r.entrant_id
       where r.campaign_id = ? and r.city_id = ? and r.category_group = ? and r.state <> 'withdrawn' and e.state <> all(?::text[])`,
      [campaign.id, entrant.city_id, group, RELEASING],
    );
    const use = quotaUse(limit, used);
    if (!hasRoom(use)) {
      throw new AppError('QuotaExceeded', `the city's ${group} recommendation quota is used up (${use.used}/${use.limit})`, { category: group, ...use });
    }
    await conn.execute(
      `insert into recommendation (id, campaign_id, entrant_id, city_id, category_group, state, recommended_by, reason) values (?, ?, ?, ?, ?, 'pending', ?, ?)`,
      [id, campaign.id, entrant.id, entrant.city_id, group, p.accountId, input.reason ?? null],
    );
  });

  await deliver(deps, { id, entrantId: entrant.id, workflowId: entrant.workflow_id, actor: actorOf(p), reason: input.reason });
  return answer(deps, campaign, id, entrant.city_id, group);
}

/** 撤回推优: until the window closes; the lifecycle is told first, so the place is freed only after it agreed. */
export async function withdrawRecommendation(deps: Deps, p: Principal, id: string, reason: string): Promise<{ recommendation: RecommendationView; summary: CityRecommendationSummary }> {
  const conn = deps.orm.em.fork().getConnection();
  const [row] = await conn.execute(`select r.*, e.workflow_id from recommendation r join entrant e on e.id = r.entrant_id where r.id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no recommendation ${id}`);
  requireOwnCity(p, row.city_id, 'withdraw this recommendation');
  const campaign = await loadCampaignConfig(deps, row.campaign_id);
  requireWindowOpen(campaign.schedule.windows.recommendation, deps.clock(), '市州推优 (recommendation)');
  if (row.state === 'withdrawn') throw new AppError('InvalidTransition', `this recommendation was already withdrawn at ${new Date(row.withdrawn_at).toISOString()}`);
  if (row.state === 'pending') throw new AppError('Conflict', 'this recommendation is still being recorded; try again in a moment');
  try {
    await deps.temporal.workflow
      .getHandle(row.workflow_id)
      .executeUpdate(unrecommendUpdate, { updateId: `unrecommend-${id}`, args: [{ actor: actorOf(p), reason }] });
  } catch (err) {
    // Refused because an earlier attempt of this withdrawal already landed: finish it.
    if (!isRefusal(err) || (await entrantRecommended(deps, row.entrant_id))) throw err;
  }
  await conn.execute(
    `update recommendation set state = 'withdrawn', withdrawn_at = now(), withdrawn_by = ?, withdraw_reason = ? where id = ? and state = 'active'`,
    [p.accountId, reason, id],
  );
  return answer(deps, campaign, id, row.city_id, row.category_group);
}

async function answer(deps: Deps, campaign: CampaignRow, id: string, cityId: number, group: CategoryGroup) {
  const [summary] = await summaries(deps, campaign, { cityId, category: group });
  const [row] = await deps.orm.em.fork().getConnection().execute(`${VIEW_SQL} where r.id = ?`, [id]);
  return { recommendation: view(row), summary };
}
