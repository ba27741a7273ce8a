import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { hashPassword } from '../../lib/passwords';
import { invitationTokenHash } from '../../activities/experts';
import { AppError } from '../../lib/errors';
import { nominationWorkflowId, TASK_QUEUE } from '../../lib/ids';
import {
  EXPERT_CRITERIA,
  NOMINATION_HOLDS_SLOT,
  NOMINATION_LABELS_ZH,
  NOMINATION_STATES,
  hasRoom,
  quotaLimit,
  quotaUse,
  type ExpertCriterion,
  type NominationState,
  type QuotaUse,
} from '../../lib/rules/quota';
import type { Principal } from '../../lib/rules/scope';
import type { SchoolStage } from '../../lib/rules/entrant-state';
import {
  activateExpertUpdate,
  declineInvitationUpdate,
  expertNomination,
  rejectNomineeUpdate,
  selectNomineeUpdate,
  type NominationInput,
} from '../../workflows';
import type { ApiDeps } from '../deps';
import { actorOf } from './entrants';
import { describeWindow, loadCampaignConfig, requireOwnCity, requireWindowOpen } from './recommendations';

// 市州推荐省级评审专家 (SPEC §6). The nomination row is the nomination: it is written under a
// per-(campaign, city) transaction lock that counts the places held (nominated, selected,
// invited, active), then its workflow is started. Starting is idempotent and is done again
// when a decision finds a row whose workflow never recorded anything (a crash in between).

type Deps = Pick<ApiDeps, 'orm' | 'temporal' | 'clock'>;

export interface NominationBody {
  campaignId: string;
  cityId?: number;
  name: string;
  email: string;
  title: string;
  speciality: string;
  stages: SchoolStage[];
  experience: string;
  criteria: Record<ExpertCriterion, string>;
}

export interface NominationRow {
  id: string;
  campaign_id: string;
  city_id: number;
  name: string;
  email: string;
  title: string;
  speciality: string;
  stages: SchoolStage[];
  experience: string;
  criteria: Record<string, string>;
  state: NominationState;
  workflow_id: string;
  account_id: string | null;
  nominated_by: string;
  decided_by: string | null;
  reason: string | null;
  invitation_expires_at: Date | null;
  activated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  city_name?: string;
  city_code?: string;
}

const HOLDS = `{${NOMINATION_HOLDS_SLOT.join(',')}}`;
const iso = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : null);

export function describeNomination(r: NominationRow) {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    city: { id: r.city_id, name: r.city_name ?? null },
    name: r.name,
    email: r.email,
    title: r.title,
    speciality: r.speciality,
    stages: r.stages,
    experience: r.experience,
    criteria: Object.fromEntries(Object.entries(EXPERT_CRITERIA).map(([key, label]) => [key, { label, statement: r.criteria?.[key] ?? null }])),
    state: r.state,
    stateLabel: NOMINATION_LABELS_ZH[r.state],
    reason: r.reason,
    invitationExpiresAt: iso(r.invitation_expires_at),
    accountId: r.account_id,
    activatedAt: iso(r.activated_at),
    nominatedBy: r.nominated_by,
    decidedBy: r.decided_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

const ROW_SQL = `select n.*, ci.name as city_name, ci.code as city_code from expert_nomination n join city ci on ci.id = n.city_id`;

export async function loadNomination(deps: Deps, id: string): Promise<NominationRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`${ROW_SQL} where n.id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no nomination ${id}`);
  return row as NominationRow;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return e?.code === '23505' || e?.name === 'UniqueConstraintViolationException';
}

async function startNominationWorkflow(deps: Deps, row: NominationRow, input: Omit<NominationInput, 'campaignId' | 'nominationId' | 'cityId' | 'name' | 'email'>): Promise<void> {
  try {
    await deps.temporal.workflow.start(expertNomination, {
      taskQueue: TASK_QUEUE,
      workflowId: row.workflow_id,
      // A finished nomination must never start over under its id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [{ campaignId: row.campaign_id, nominationId: row.id, cityId: row.city_id, name: row.name, email: row.email, ...input }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** A nomination whose workflow has not recorded its first step may never have been started. */
async function ensureStarted(deps: Deps, row: NominationRow): Promise<void> {
  if (row.state !== 'nominated') return;
  const [t] = await deps.orm.em.fork().getConnection().execute(`select 1 from expert_nomination_transition where nomination_id = ? limit 1`, [row.id]);
  if (t) return;
  const campaign = await loadCampaignConfig(deps, row.campaign_id);
  const [by] = await deps.orm.em.fork().getConnection().execute(`select id, role, display_name from account where id = ?`, [row.nominated_by]);
  await startNominationWorkflow(deps, row, {
    actor: { accountId: by.id, role: by.role, name: by.display_name },
    invitationDays: campaign.config.review.invitationDays,
  });
}

/**
 * 推荐: a city admin nominates an expert for its own city, inside the nomination window and
 * within the city's expert quota. Rejected, declined and expired nominations free their place.
 */
export async function nominate(deps: Deps, p: Principal, body: NominationBody) {
  const cityId = body.cityId ?? p.cityId;
  if (cityId == null) throw new AppError('ValidationFailed', 'which city nominates is required', [{ path: 'body.cityId', message: 'required' }]);
  requireOwnCity(p, cityId, 'nominate experts for this city');
  const campaign = await loadCampaignConfig(deps, body.campaignId);
  requireWindowOpen(campaign.schedule.windows.nomination, deps.clock(), '市州推荐省级评审专家 (expert nomination)');
  const conn0 = deps.orm.em.fork().getConnection();
  const [city] = await conn0.execute(`select code, name from city where id = ?`, [cityId]);
  if (!city) throw new AppError('ValidationFailed', 'unknown city', [{ path: 'body.cityId', message: `no city ${cityId}` }]);
  const limit = quotaLimit(campaign.config.quotas, city.code, 'expert');

  const id = randomUUID();
  const email = body.email.trim().toLowerCase();
  let row: NominationRow;
  try {
    row = await deps.orm.em.fork().transactional(async (em) => {
      // em.execute runs on the transaction; em.getConnection().execute would run outside it.
      const conn = em;
      await conn.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`nomination:${campaign.id}:${cityId}`]);
      const [dup] = await conn.execute(
        `select id, city_id from expert_nomination where campaign_id = ? and lower(email) = ? and state = any(?::text[])`,
        [campaign.id, email, HOLDS],
      );
      if (dup) throw new AppError('Conflict', `${email} is already nominated in this campaign (nomination ${dup.id})`, { nominationId: dup.id });
      const [{ used }] = await conn.execute(`select count(*)::int as used from expert_nomination where campaign_id = ? and city_id = ? and state = any(?::text[])`, [
        campaign.id,
        cityId,
        HOLDS,
      ]);
      const use = quotaUse(limit, used);
      if (!hasRoom(use)) throw new AppError('QuotaExceeded', `the city's expert nomination quota is used up (${use.used}/${use.limit})`, use);
      const [inserted] = await conn.execute(
        `insert into expert_nomination (id, campaign_id, city_id, name, email, title, speciality, stages, experience, criteria, state, workflow_id, nominated_by)
         values (?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?::jsonb, 'nominated', ?, ?) returning *`,
        [
          id, campaign.id, cityId, body.name, email, body.title, body.speciality, `{${body.stages.join(',')}}`, body.experience,
          JSON.stringify(body.criteria), nominationWorkflowId(campaign.id, id), p.accountId,
        ],
      );
      return inserted as NominationRow;
    });
  } catch (err) {
    // Nominated at the same moment by another city: the live-email index decides.
    if (isUniqueViolation(err)) throw new AppError('Conflict', `${email} is already nominated in this campaign`);
    throw err;
  }
  await startNominationWorkflow(deps, row, { actor: actorOf(p), invitationDays: campaign.config.review.invitationDays });
  return { nomination: describeNomination({ ...row, city_name: city.name }), quota: await cityQuota(deps, campaign.id, cityId, limit) };
}

async function cityQuota(deps: Deps, campaignId: string, cityId: number, limit: number): Promise<QuotaUse> {
  const [{ used }] = await deps.orm.em.fork().getConnection().execute(
    `select count(*)::int as used from expert_nomination where campaign_id = ? and city_id = ? and state = any(?::text[])`,
    [campaignId, cityId, HOLDS],
  );
  return quotaUse(limit, used);
}

/** 遴选: the province selects (then the workflow invites) or rejects with a reason. */
export async function decide(deps: Deps, p: Principal, id: string, decision: 'select' | 'reject', reason?: string) {
  const row = await loadNomination(deps, id);
  // The workflow's validator has the last word; a decided nomination is answered from its row.
  if (row.state !== 'nominated') throw new AppError('InvalidTransition', `cannot ${decision}: the nomination is ${row.state} (${NOMINATION_LABELS_ZH[row.state]})`);
  await ensureStarted(deps, row);
  const handle = deps.temporal.workflow.getHandle(row.workflow_id);
  const update = decision === 'select' ? selectNomineeUpdate : rejectNomineeUpdate;
  await handle.executeUpdate(update, { args: [{ actor: actorOf(p), reason }] });
  return describeNomination(await loadNomination(deps, id));
}

interface InvitationRow {
  nomination_id: string;
  expires_at: Date;
  used_at: Date | null;
  state: NominationState;
  workflow_id: string;
  name: string;
  email: string;
  city_id: number;
  campaign_id: string;
}

/** The one-time link's checks: known, unused, not expired, and the nominee still invited. */
async function openInvitation(deps: Deps, token: string): Promise<InvitationRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(
    `select i.nomination_id, i.expires_at, i.used_at, n.state, n.workflow_id, n.name, n.email, n.city_id, n.campaign_id
     from expert_invitation i join expert_nomination n on n.id = i.nomination_id where i.token_hash = ?`,
    [invitationTokenHash(token)],
  );
  if (!row) throw new AppError('NotFound', 'this activation link is not valid');
  const r = row as InvitationRow;
  if (r.used_at || r.state === 'active' || r.state === 'declined') throw new AppError('Conflict', 'this activation link has already been used');
  if (r.state === 'expired' || new Date(r.expires_at).getTime() <= deps.clock()) {
    throw new AppError('DeadlinePassed', `this invitation expired at ${new Date(r.expires_at).toISOString()}`, { expiresAt: new Date(r.expires_at).toISOString() });
  }
  if (r.state !== 'invited') throw new AppError('Conflict', `the nomination is ${r.state}`);
  return r;
}

/**
 * The expert's account: an expert account with the nominee's address is reused (an expert of an
 * earlier campaign), otherwise one is created with the address as its username — disabled until
 * the workflow records the activation, which enables it and adds it to the campaign's pool.
 */
async function expertAccount(deps: Deps, inv: InvitationRow, password: string): Promise<{ id: string; username: string }> {
  const conn = deps.orm.em.fork().getConnection();
  const hash = await hashPassword(password);
  const [existing] = await conn.execute(`select id, username from account where role = 'expert' and lower(email) = ? order by created_at limit 1`, [inv.email]);
  if (existing) {
    await conn.execute(`update account set password_hash = ?, city_id = ?, updated_at = now() where id = ?`, [hash, inv.city_id, existing.id]);
    return { id: String(existing.id), username: String(existing.username) };
  }
  for (const username of [inv.email, `expert-${inv.nomination_id}`]) {
    const [row] = await conn.execute(
      `insert into account (id, username, password_hash, display_name, email, role, city_id, disabled) values (?, ?, ?, ?, ?, 'expert', ?, true)
       on conflict (username) do update set password_hash = excluded.password_hash, city_id = excluded.city_id, updated_at = now()
         where account.role = 'expert' and lower(account.email) = lower(excluded.email)
       returning id, username`,
      [randomUUID(), username, hash, inv.name, inv.email, inv.city_id],
    );
    if (row) return { id: String(row.id), username: String(row.username) };
  }
  throw new AppError('Conflict', 'no account can be made for this address; ask the province to help');
}

/** 激活: the token holder sets a password; the workflow turns the nominee into an active expert. */
export async function activate(deps: Deps, token: string, password: string) {
  const inv = await openInvitation(deps, token);
  const account = await expertAccount(deps, inv, password);
  await deps.temporal.workflow
    .getHandle(inv.workflow_id)
    .executeUpdate(activateExpertUpdate, { updateId: `activate-${inv.nomination_id}`, args: [{ accountId: account.id, name: inv.name }] });
  return { nominationId: inv.nomination_id, campaignId: inv.campaign_id, state: 'active' as const, username: account.username };
}

export async function decline(deps: Deps, token: string, reason?: string) {
  const inv = await openInvitation(deps, token);
  await deps.temporal.workflow.getHandle(inv.workflow_id).executeUpdate(declineInvitationUpdate, { updateId: `decline-${inv.nomination_id}`, args: [{ reason }] });
  return { nominationId: inv.nomination_id, campaignId: inv.campaign_id, state: 'declined' as const };
}

/** Per-city quota use and counts by state, for the cities asked for. */
export async function nominationQuotas(deps: Deps, campaignId: string, cityId?: number) {
  const campaign = await loadCampaignConfig(deps, campaignId);
  const conn = deps.orm.em.fork().getConnection();
  const cities: { id: number; code: string; name: string }[] = await conn.execute(
    `select id, code, name from city ${cityId ? 'where id = ?' : ''} order by sort_order`,
    cityId ? [cityId] : [],
  );
  const counts: { city_id: number; state: NominationState; n: number }[] = await conn.execute(
    `select city_id, state, count(*)::int as n from expert_nomination where campaign_id = ? ${cityId ? 'and city_id = ?' : ''} group by 1, 2`,
    cityId ? [campaignId, cityId] : [campaignId],
  );
  return {
    campaign,
    cities: cities.map((c) => {
      const byState = Object.fromEntries(NOMINATION_STATES.map((s) => [s, 0])) as Record<NominationState, number>;
      for (const x of counts) if (x.city_id === c.id) byState[x.state] = x.n;
      const used = NOMINATION_HOLDS_SLOT.reduce((acc, s) => acc + byState[s], 0);
      return { city: c, quota: quotaUse(quotaLimit(campaign.config.quotas, c.code, 'expert'), used), byState };
    }),
  };
}

export async function listNominations(deps: Deps, p: Principal, q: { campaignId: string; cityId?: number; state?: NominationState }) {
  if (q.cityId !== undefined) requireOwnCity(p, q.cityId, 'see the nominations of this city');
  const cityId = p.role === 'city_admin' ? p.cityId! : q.cityId;
  const { campaign, cities } = await nominationQuotas(deps, q.campaignId, cityId);
  if (cityId !== undefined && cities.length === 0) throw new AppError('NotFound', `no city ${cityId}`);
  const where = ['n.campaign_id = ?'];
  const args: unknown[] = [q.campaignId];
  if (cityId !== undefined) (where.push('n.city_id = ?'), args.push(cityId));
  if (q.state) (where.push('n.state = ?'), args.push(q.state));
  const rows = await deps.orm.em.fork().getConnection().execute(`${ROW_SQL} where ${where.join(' and ')} order by ci.sort_order, n.created_at, n.id`, args);
  return {
    campaignId: campaign.id,
    window: describeWindow(campaign.schedule.windows.nomination, deps.clock()),
    cities,
    items: (rows as NominationRow[]).map(describeNomination),
  };
}

/** 专家库: the selected pool — selected, invited and active nominees, and whether each is active. */
export async function expertPool(deps: Deps, q: { campaignId: string; cityId?: number }) {
  const { campaign, cities } = await nominationQuotas(deps, q.campaignId, q.cityId);
  const rows = await deps.orm.em.fork().getConnection().execute(
    `select n.*, ci.name as city_name, ci.code as city_code, ce.active as pool_active
     from expert_nomination n join city ci on ci.id = n.city_id
     left join campaign_expert ce on ce.campaign_id = n.campaign_id and ce.account_id = n.account_id
     where n.campaign_id = ? and n.state in ('selected', 'invited', 'active') ${q.cityId ? 'and n.city_id = ?' : ''}
     order by ci.sort_order, n.created_at, n.id`,
    q.cityId ? [q.campaignId, q.cityId] : [q.campaignId],
  );
  const items = (rows as (NominationRow & { pool_active: boolean | null })[]).map((r) => ({ ...describeNomination(r), active: Boolean(r.pool_active) }));
  return {
    campaignId: campaign.id,
    counts: {
      selected: items.filter((i) => i.state === 'selected').length,
      invited: items.filter((i) => i.state === 'invited').length,
      active: items.filter((i) => i.active).length,
    },
    cities: cities.map((c) => ({ city: c.city, selected: c.byState.selected + c.byState.invited + c.byState.active, active: c.byState.active })),
    items,
  };
}
