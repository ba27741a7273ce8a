import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { AppError } from '../../lib/errors';
import { entrantWorkflowId, TASK_QUEUE } from '../../lib/ids';
import { isEnding, STATE_LABELS_ZH, type EntrantState } from '../../lib/rules/entrant-state';
import { inScope, type Principal } from '../../lib/rules/scope';
import { isOpen, phaseOf, windowKeyFor, type Actor, type Category, type Schedule } from '../../lib/rules/schedule';
import { entrantLifecycle } from '../../workflows';
import { sealCredentials, type BrowseCredentials } from '../credentials';
import type { ApiDeps } from '../deps';

export const PUBLIC_STATES: readonly EntrantState[] = ['approved', 'awaiting_selection', 'in_review', 'reviewed', 'published', 'awarded', 'not_awarded', 'not_selected'];

/** Which identities an account may register as (SPEC §3: 教师, 学生, 相关教育工作者). */
const CATEGORIES_BY_ROLE: Record<string, readonly Category[]> = {
  teacher: ['teacher', 'education_worker'],
  education_worker: ['education_worker', 'teacher'],
  student: ['student'],
};

export interface RegistrationInput {
  campaignId: string;
  category: Category;
  schoolId: number;
  name: string;
  subject: string;
  stage: 'primary' | 'junior' | 'senior';
  spaceUrl: string;
  platform: string;
  browseCredentials?: BrowseCredentials;
}

export interface EntrantRow {
  id: string;
  campaign_id: string;
  account_id: string;
  category: Category;
  name: string;
  school_id: number;
  county_id: number;
  city_id: number;
  subject: string;
  stage: string;
  space_url: string;
  platform: string;
  browse_credentials: string | null;
  state: EntrantState;
  workflow_id: string;
  idempotency_key: string | null;
  registered_at: Date;
  approved_at: Date | null;
  last_reason: string | null;
  recommended: boolean;
}

export function actorOf(p: Principal): Actor {
  return { accountId: p.accountId, role: p.role, name: p.displayName };
}

const WINDOW_NAMES: Record<string, string> = { teacher: '教师', student: '学生', education_worker: '相关教育工作者' };

export async function loadSchedule(deps: ApiDeps, campaignId: string): Promise<Schedule> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select schedule from campaign where id = ?`, [campaignId]);
  if (!row) throw new AppError('NotFound', `no campaign ${campaignId}`);
  return row.schedule as Schedule;
}

export async function loadEntrant(deps: ApiDeps, id: string): Promise<EntrantRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select * from entrant where id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no entrant ${id}`);
  return row as EntrantRow;
}

async function startLifecycle(deps: ApiDeps, row: EntrantRow, principal: Principal, expertsPerSpace?: number): Promise<void> {
  if (expertsPerSpace === undefined) {
    const [campaign] = await deps.orm.em.fork().getConnection().execute(`select config->'review'->'expertsPerSpace' as n from campaign where id = ?`, [row.campaign_id]);
    expertsPerSpace = Number(campaign?.n ?? 3);
  }
  try {
    await deps.temporal.workflow.start(entrantLifecycle, {
      taskQueue: TASK_QUEUE,
      workflowId: row.workflow_id,
      args: [{ campaignId: row.campaign_id, entrantId: row.id, category: row.category, actor: actorOf(principal), expertsPerSpace }],
    });
  } catch (err) {
    // A retried registration finds its workflow already running: that is the point.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * 我要报名: one entry per account, campaign and category, only inside the category's
 * registration window. The row is written first, then its workflow started; a retry (same
 * Idempotency-Key, or the same account and category) finds the row and only makes sure the
 * workflow runs, so it never makes a second entrant or a second workflow.
 */
export async function register(
  deps: ApiDeps,
  principal: Principal,
  input: RegistrationInput,
  idempotencyKey?: string,
): Promise<{ row: EntrantRow; created: boolean; view?: Awaited<ReturnType<typeof describeEntrant>> }> {
  const allowed = CATEGORIES_BY_ROLE[principal.role] ?? [];
  if (!allowed.includes(input.category)) {
    throw new AppError('ValidationFailed', `an account of role ${principal.role} cannot register as ${input.category}`, [
      { path: 'body.category', message: `allowed: ${allowed.join(', ') || 'none'}` },
    ]);
  }
  const conn = deps.orm.em.fork().getConnection();
  if (idempotencyKey) {
    const [prior] = await conn.execute(`select * from entrant where account_id = ? and idempotency_key = ?`, [principal.accountId, idempotencyKey]);
    if (prior) {
      if (prior.campaign_id !== input.campaignId || prior.category !== input.category) {
        throw new AppError('Conflict', 'this Idempotency-Key was already used for a different registration');
      }
      if (prior.state === 'submitted') await startLifecycle(deps, prior as EntrantRow, principal);
      return { row: prior as EntrantRow, created: false };
    }
  }
  // The hot path of a registration: three statements and the workflow start.
  const [campaign] = await conn.execute(`select schedule, config->'review'->'expertsPerSpace' as experts from campaign where id = ?`, [input.campaignId]);
  if (!campaign) throw new AppError('NotFound', `no campaign ${input.campaignId}`);
  const schedule = campaign.schedule as Schedule;
  const window = schedule.windows[windowKeyFor(input.category, 'registration')];
  const now = deps.clock();
  if (!isOpen(window, now)) {
    const when = phaseOf(window, now) === 'upcoming' ? `opens at ${window.opensAt}` : `closed at ${window.closesAt}`;
    throw new AppError('WindowClosed', `registration for ${WINDOW_NAMES[input.category]} (${input.category}) ${when}`);
  }
  const [school] = await conn.execute(
    `select s.id, s.county_id, s.city_id, s.stages, s.name, c.name as county, ci.name as city, ci.code as city_code
     from school s join county c on c.id = s.county_id join city ci on ci.id = s.city_id where s.id = ?`,
    [input.schoolId],
  );
  if (!school) throw new AppError('ValidationFailed', 'unknown school', [{ path: 'body.schoolId', message: `no school ${input.schoolId}` }]);
  if (!(school.stages as string[]).includes(input.stage)) {
    throw new AppError('ValidationFailed', 'the school has no such stage', [{ path: 'body.stage', message: `this school teaches: ${(school.stages as string[]).join(', ')}` }]);
  }
  const id = randomUUID();
  const sealed = input.browseCredentials ? sealCredentials(deps.config.credentialsKey, input.browseCredentials) : null;
  const inserted = await conn.execute(
    `insert into entrant (id, campaign_id, account_id, category, name, school_id, county_id, city_id, subject, stage, space_url, platform,
                          browse_credentials, state, workflow_id, idempotency_key, registered_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)
     on conflict (campaign_id, account_id, category) do nothing
     returning *`,
    [
      id, input.campaignId, principal.accountId, input.category, input.name, school.id, school.county_id, school.city_id, input.subject, input.stage,
      input.spaceUrl, input.platform, sealed, entrantWorkflowId(input.campaignId, id), idempotencyKey ?? null, new Date(now),
    ],
  );
  if (inserted.length === 0) {
    const [existing] = await conn.execute(`select * from entrant where campaign_id = ? and account_id = ? and category = ?`, [input.campaignId, principal.accountId, input.category]);
    if (existing.state !== 'submitted') {
      throw new AppError('Conflict', `you have already registered in this campaign as ${input.category} (entrant ${existing.id}, ${STATE_LABELS_ZH[existing.state as EntrantState]})`);
    }
    await startLifecycle(deps, existing as EntrantRow, principal);
    return { row: existing as EntrantRow, created: false };
  }
  const row = inserted[0] as EntrantRow;
  await startLifecycle(deps, row, principal, Number(campaign.experts ?? 3));
  const place = { school: school.name, county: school.county, city: school.city, city_code: school.city_code };
  // Nothing has been decided yet: the view needs no further reads.
  return { row, created: true, view: { ...publicView(row, place), ...privateView(row, schedule, []) } };
}

export type Visibility = 'full' | 'public' | 'none';

export function visibility(row: EntrantRow, p: Principal | undefined): Visibility {
  if (p && (p.accountId === row.account_id || inScope(p, { cityId: row.city_id, countyId: row.county_id, schoolId: row.school_id }))) return 'full';
  return PUBLIC_STATES.includes(row.state) ? 'public' : 'none';
}

/** An admin acting on an entrant must hold it in its subtree; the owner acts on its own only. */
export function requireInScope(row: EntrantRow, p: Principal, what: string): void {
  if (!inScope(p, { cityId: row.city_id, countyId: row.county_id, schoolId: row.school_id })) {
    throw new AppError('Forbidden', `you cannot ${what} this entrant: it is outside your ${p.role.replace('_admin', '')}`);
  }
}

export function requireOwner(row: EntrantRow, p: Principal, what: string): void {
  if (row.account_id !== p.accountId) throw new AppError('Forbidden', `only the entrant itself can ${what}`);
}

/**
 * School decisions and resubmissions end with registration. The stored schedule is the clock
 * here: a lifecycle may not have heard of a change yet (an early close still on its way).
 */
export async function requireRegistrationOpen(deps: ApiDeps, row: EntrantRow, what: string): Promise<void> {
  const schedule = await loadSchedule(deps, row.campaign_id);
  const closesAt = Date.parse(schedule.windows[windowKeyFor(row.category, 'registration')].closesAt);
  if (deps.clock() >= closesAt) throw new AppError('DeadlinePassed', `cannot ${what}: registration closed at ${new Date(closesAt).toISOString()}`);
}

export function requireOpen(row: EntrantRow): void {
  if (isEnding(row.state)) throw new AppError('InvalidTransition', `this entry is ${row.state} (${STATE_LABELS_ZH[row.state]}) and takes no more decisions`);
  if (row.state === 'submitted') throw new AppError('Conflict', 'the registration is still being recorded; try again in a moment');
}

interface Place {
  school: string;
  county: string;
  city: string;
  city_code: string;
}

function publicView(row: EntrantRow, place: Place) {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    category: row.category,
    name: row.name,
    school: { id: row.school_id, name: place.school },
    county: { id: row.county_id, name: place.county },
    city: { id: row.city_id, name: place.city, code: place.city_code },
    subject: row.subject,
    stage: row.stage,
    spaceUrl: row.space_url,
    platform: row.platform,
    state: row.state,
    stateLabel: STATE_LABELS_ZH[row.state],
    recommended: row.recommended,
  };
}

function privateView(row: EntrantRow, schedule: Schedule, decisions: Record<string, unknown>[]) {
  return {
    registeredAt: new Date(row.registered_at).toISOString(),
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    lastReason: row.last_reason,
    hasBrowseCredentials: row.browse_credentials != null,
    deadlines: {
      registrationClosesAt: schedule.windows[windowKeyFor(row.category, 'registration')].closesAt,
      votingClosesAt: schedule.windows[windowKeyFor(row.category, 'voting')].closesAt,
    },
    decisions: decisions.map((d) => ({
      at: new Date(d.at as string).toISOString(),
      from: d.from_state,
      to: d.to_state,
      event: String(d.event_key).split(':').slice(1).join(':'),
      by: { role: d.actor_role, name: d.actor_name ?? null },
      reason: d.reason ?? null,
    })),
  };
}

export async function describeEntrant(deps: ApiDeps, row: EntrantRow, level: Exclude<Visibility, 'none'>) {
  const conn = deps.orm.em.fork().getConnection();
  const [place] = await conn.execute(
    `select s.name as school, c.name as county, ci.name as city, ci.code as city_code
     from school s join county c on c.id = s.county_id join city ci on ci.id = s.city_id where s.id = ?`,
    [row.school_id],
  );
  const base = publicView(row, place as Place);
  if (level === 'public') return base;
  const schedule = await loadSchedule(deps, row.campaign_id);
  const decisions = await conn.execute(
    `select at, from_state, to_state, event_key, actor_role, reason, details->>'actorName' as actor_name
     from entrant_transition where entrant_id = ? order by at, id`,
    [row.id],
  );
  return { ...base, ...privateView(row, schedule, decisions) };
}

