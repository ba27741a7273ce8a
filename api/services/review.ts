// 专家评审 for the API (SPEC §7): an expert's own assignments with the scoring guide and the
// browse credentials of exactly those spaces, the score sheet (checked by lib/rules/scoring,
// stored, then handed to the lifecycle), declines and conflicts (a draw on the campaign
// workflow), and the province admin's views of runs, flags and spaces.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CampaignConfig } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import { campaignWorkflowId } from '../../lib/ids';
import { effectiveDeadline } from '../../lib/rules/review-stage';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Principal } from '../../lib/rules/scope';
import type { Category, Schedule } from '../../lib/rules/schedule';
import { adjustmentRange, checkScoreSheet, discrepancy, maxTotal, rubricFor } from '../../lib/rules/scoring';
import { replaceExpertUpdate, scoreSignal } from '../../workflows';
import { openCredentials } from '../credentials';
import type { ApiDeps } from '../deps';
import { actorOf } from './entrants';

interface AssignmentRow {
  entrant_id: string;
  campaign_id: string;
  campaign: string;
  purpose: 'review' | 'replacement' | 'fourth_review' | 're_review';
  /** The space's current review round (a re-review after an upheld objection is a new one). */
  round: number;
  assigned_at: Date;
  deadline: Date | null;
  category: Category;
  name: string;
  subject: string;
  stage: string;
  space_url: string;
  platform: string;
  browse_credentials: string | null;
  state: EntrantState;
  workflow_id: string;
  city_id: number;
  city: string;
  county: string;
  school: string;
  top_ranked: boolean | null;
  recommended: boolean | null;
  config: CampaignConfig;
  schedule: Schedule;
  items: Record<string, number> | null;
  rubric_total: string | null;
  adjustment: number | null;
  total: string | null;
  submitted_at: Date | null;
  updated_at: Date | null;
  locked: boolean | null;
}

const ASSIGNMENT_SQL = `
  select a.entrant_id, a.campaign_id, c.name as campaign, a.purpose, a.round, a.assigned_at, a.deadline,
         e.category, e.name, e.subject, e.stage, e.space_url, e.platform, e.browse_credentials, e.state, e.workflow_id,
         e.city_id, ci.name as city, co.name as county, s.name as school,
         rs.top_ranked, rs.recommended, c.config, c.schedule,
         sc.items, sc.rubric_total, sc.adjustment, sc.total, sc.submitted_at, sc.updated_at, sc.locked
  from review_assignment a
  join entrant e on e.id = a.entrant_id
  join campaign c on c.id = a.campaign_id
  join school s on s.id = e.school_id
  join county co on co.id = e.county_id
  join city ci on ci.id = e.city_id
  left join review_selection rs on rs.entrant_id = e.id
  left join expert_score sc on sc.entrant_id = a.entrant_id and sc.expert_account_id = a.expert_account_id and sc.round = a.round
  where a.expert_account_id = ? and a.replaced_at is null
    and a.round = (select max(x.round) from review_assignment x where x.entrant_id = a.entrant_id)`;

/** An expert's assignment on a space, or 404: a space not assigned to it does not exist for it. */
async function loadAssignment(deps: ApiDeps, expertId: string, entrantId: string): Promise<AssignmentRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`${ASSIGNMENT_SQL} and a.entrant_id = ?`, [expertId, entrantId]);
  if (!row) throw new AppError('NotFound', `no space ${entrantId} is assigned to you`);
  return row as AssignmentRow;
}

function deadlineOf(row: AssignmentRow): number {
  return effectiveDeadline(row.deadline ? new Date(row.deadline).getTime() : null, Date.parse(row.schedule.windows.review.closesAt));
}

function spaceKind(category: Category): 'teacher' | 'student' {
  return category === 'student' ? 'student' : 'teacher';
}

const ADJUSTMENT_RULES = {
  none: 'only a city-recommended space takes a bonus or penalty: 0',
  bonus: '市州推优 and among the top-ranked: a bonus of +1 to +5 (评审加分)',
  penalty: '市州推优 but not among the top-ranked: a penalty of −5 to −1 (评审减分)',
};

function describeAssignment(deps: ApiDeps, row: AssignmentRow, now: number) {
  const items = rubricFor(row.config.rubric, row.category);
  const space = { recommended: row.recommended === true, topRanked: row.top_ranked === true };
  const range = adjustmentRange(space);
  const deadline = deadlineOf(row);
  let credentials: { username: string; password: string } | null = null;
  if (row.browse_credentials) {
    try {
      credentials = openCredentials(deps.config.credentialsKey, row.browse_credentials);
    } catch (err) {
      deps.log(`browse credentials of entrant ${row.entrant_id} could not be opened`, err);
    }
  }
  const locked = row.locked === true || now >= deadline;
  return {
    entrantId: row.entrant_id,
    campaign: { id: row.campaign_id, name: row.campaign },
    purpose: row.purpose,
    assignedAt: new Date(row.assigned_at).toISOString(),
    deadline: new Date(deadline).toISOString(),
    editable: !locked && (row.state === 'in_review' || row.state === 'reviewed'),
    space: {
      name: row.name,
      category: row.category,
      kind: spaceKind(row.category),
      subject: row.subject,
      stage: row.stage,
      school: row.school,
      county: row.county,
      city: { id: row.city_id, name: row.city },
      url: row.space_url,
      platform: row.platform,
      browseCredentials: credentials,
      state: row.state,
      recommended: space.recommended,
      topRanked: space.topRanked,
    },
    rubric: { items: items.map((i) => ({ key: i.key, label: i.label, max: i.max })), maxTotal: maxTotal(items) },
    adjustment: { ...range, rule: !space.recommended ? ADJUSTMENT_RULES.none : space.topRanked ? ADJUSTMENT_RULES.bonus : ADJUSTMENT_RULES.penalty },
    score: row.items
      ? {
          items: row.items,
          rubricTotal: Number(row.rubric_total),
          adjustment: row.adjustment,
          total: Number(row.total),
          submittedAt: new Date(row.submitted_at!).toISOString(),
          updatedAt: new Date(row.updated_at!).toISOString(),
          locked,
        }
      : null,
  };
}

export type AssignmentView = ReturnType<typeof describeAssignment>;

export async function listAssignments(deps: ApiDeps, p: Principal, campaignId?: string): Promise<AssignmentView[]> {
  const rows: AssignmentRow[] = await deps.orm.em.fork().getConnection().execute(
    `${ASSIGNMENT_SQL}${campaignId ? ' and a.campaign_id = ?' : ''} order by a.assigned_at, a.entrant_id limit 1000`,
    campaignId ? [p.accountId, campaignId] : [p.accountId],
  );
  const now = deps.clock();
  return rows.map((r) => describeAssignment(deps, r, now));
}

export async function getAssignment(deps: ApiDeps, p: Principal, entrantId: string): Promise<AssignmentView> {
  return describeAssignment(deps, await loadAssignment(deps, p.accountId, entrantId), deps.clock());
}

/** Refusals in the order a caller can act on: not yours (404), too late or closed (409), bad sheet (400). */
function requireScorable(row: AssignmentRow, now: number): void {
  const deadline = deadlineOf(row);
  if (row.locked || now >= deadline) {
    throw new AppError('DeadlinePassed', `scores for this space could be given or edited until ${new Date(deadline).toISOString()}; they are locked now`);
  }
  if (row.state !== 'in_review' && row.state !== 'reviewed') throw new AppError('InvalidTransition', `this space is ${row.state} and takes no scores`);
}

/**
 * An expert's score sheet (评分): checked against the space's rubric and bonus/penalty range,
 * stored (one per expert, space and round; edits overwrite until the deadline) and handed to
 * the lifecycle, which computes the final score. The signal goes inside the transaction: when
 * the lifecycle cannot take it, nothing is stored.
 */
export async function submitScore(deps: ApiDeps, p: Principal, entrantId: string, body: { items: Record<string, unknown>; adjustment?: unknown }): Promise<AssignmentView> {
  const row = await loadAssignment(deps, p.accountId, entrantId);
  const now = deps.clock();
  requireScorable(row, now);
  const sheet = checkScoreSheet({
    items: rubricFor(row.config.rubric, row.category),
    itemScores: body.items,
    adjustment: body.adjustment,
    recommended: row.recommended === true,
    topRanked: row.top_ranked === true,
  });
  if (!sheet.ok) throw new AppError('ValidationFailed', 'the score sheet is not valid', sheet.errors.map((e) => ({ path: `body.${e.path}`, message: e.message })));

  const at = new Date(now);
  await deps.orm.em.fork().transactional(async (tx) => {
    // tx.execute runs on the transaction (tx.getConnection().execute would not).
    const conn = tx;
    const stored = await conn.execute(
      `insert into expert_score (campaign_id, entrant_id, expert_account_id, round, items, rubric_total, adjustment, total, submitted_at, updated_at)
       values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
       on conflict (entrant_id, expert_account_id, round) do update
         set items = excluded.items, rubric_total = excluded.rubric_total, adjustment = excluded.adjustment, total = excluded.total, updated_at = excluded.updated_at
         where not expert_score.locked
       returning id`,
      [row.campaign_id, entrantId, p.accountId, row.round, JSON.stringify(body.items), sheet.rubricTotal, sheet.adjustment, sheet.total, at, at],
    );
    if (stored.length === 0) throw new AppError('DeadlinePassed', 'this score is locked');
    try {
      await deps.temporal.workflow
        .getHandle(row.workflow_id)
        .signal(scoreSignal, { expertAccountId: p.accountId, total: sheet.total, adjustment: sheet.adjustment, actor: actorOf(p) });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('InvalidTransition', 'this space’s lifecycle has ended and takes no scores');
      throw err;
    }
  });
  await recordDiscrepancy(deps, row, now);
  return getAssignment(deps, p, entrantId);
}

/**
 * [ours] When every expert of a space has scored and the totals differ by more than the
 * campaign's threshold D, the space is flagged for the province admin (who may order a fourth
 * review); an edit that brings them back within D clears the flag. Once a fourth review is
 * ordered, its rule settles the score and nothing is flagged again.
 */
async function recordDiscrepancy(deps: ApiDeps, row: AssignmentRow, now: number): Promise<void> {
  const conn = deps.orm.em.fork().getConnection();
  const experts: { purpose: string; expert_account_id: string; total: string | null }[] = await conn.execute(
    `select a.purpose, a.expert_account_id, s.total from review_assignment a
     left join expert_score s on s.entrant_id = a.entrant_id and s.expert_account_id = a.expert_account_id and s.round = a.round
     where a.entrant_id = ? and a.round = ? and a.replaced_at is null order by a.expert_account_id`,
    [row.entrant_id, row.round],
  );
  const perSpace = row.config.review?.expertsPerSpace ?? 3;
  if (experts.some((e) => e.purpose === 'fourth_review') || experts.length < perSpace || experts.some((e) => e.total === null)) return;
  const threshold = row.config.review?.discrepancyThreshold ?? 20;
  const totals = experts.map((e) => Number(e.total));
  const d = discrepancy(totals, threshold);
  const at = new Date(now);
  const detail = JSON.stringify(experts.map((e) => ({ expertAccountId: e.expert_account_id, total: Number(e.total) })));
  if (d.flagged) {
    await conn.execute(
      `insert into review_flag (campaign_id, entrant_id, round, spread, threshold, totals, state, flagged_at, updated_at) values (?, ?, ?, ?, ?, ?::jsonb, 'open', ?, ?)
       on conflict (entrant_id, round) do update set spread = excluded.spread, threshold = excluded.threshold, totals = excluded.totals, updated_at = excluded.updated_at,
         state = case when review_flag.state = 'fourth_review' then review_flag.state else 'open' end`,
      [row.campaign_id, row.entrant_id, row.round, d.spread, threshold, detail, at, at],
    );
  } else {
    await conn.execute(
      `update review_flag set state = 'cleared', spread = ?, totals = ?::jsonb, updated_at = ? where entrant_id = ? and round = ? and state = 'open'`,
      [d.spread, detail, at, row.entrant_id, row.round],
    );
  }
}

/** Updates on the campaign workflow; a campaign whose clock is not running cannot draw. */
export async function campaignUpdate<T>(deps: ApiDeps, campaignId: string, run: (handle: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<T>): Promise<T> {
  try {
    return await run(deps.temporal.workflow.getHandle(campaignWorkflowId(campaignId)));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new AppError('Conflict', `the clock of campaign ${campaignId} is not running, so no draw can be made`);
    throw err;
  }
}

/**
 * 回避 / 放弃: the expert comes off the space and a new draw takes over (on the campaign
 * workflow, which records the draw's seed). Refused once the expert has scored the space.
 */
export async function stepDown(deps: ApiDeps, p: Principal, entrantId: string, kind: 'declined' | 'conflict', reason: string) {
  const row = await loadAssignment(deps, p.accountId, entrantId);
  if (row.items) throw new AppError('Conflict', 'you have already scored this space; a conflict found after scoring goes to the province admin');
  if (row.state !== 'in_review') throw new AppError('InvalidTransition', `this space is ${row.state}; its review is not open`);
  const result = await campaignUpdate(deps, row.campaign_id, (h) =>
    h.executeUpdate(replaceExpertUpdate, { args: [{ entrantId, expertAccountId: p.accountId, kind, reason, actor: actorOf(p) }] }),
  );
  // Who takes over is not the leaving expert's business; the province admin sees it in the runs.
  // already_replaced: the deadline sweep got there first — the expert is off the space either way.
  const outcome = result.status === 'vacant' ? 'removed_awaiting_replacement' : 'replaced';
  return { entrantId, kind, outcome };
}

export async function listRuns(deps: ApiDeps, campaignId: string) {
  const rows = await deps.orm.em.fork().getConnection().execute(
    `select id, kind, seed, algorithm, state, report, actor, reason, at from review_run where campaign_id = ? order by id desc limit 200`,
    [campaignId],
  );
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: String(r.id), at: new Date(r.at as string).toISOString() }));
}

export async function listFlags(deps: ApiDeps, campaignId: string, state?: string) {
  const rows = await deps.orm.em.fork().getConnection().execute(
    `select f.id, f.entrant_id, e.name, e.category, f.spread, f.threshold, f.totals, f.state, f.flagged_at, f.ordered_at, f.reason
     from review_flag f join entrant e on e.id = f.entrant_id where f.campaign_id = ?${state ? ' and f.state = ?' : ''} order by f.flagged_at, f.id`,
    state ? [campaignId, state] : [campaignId],
  );
  return rows.map((r: Record<string, unknown>) => ({
    id: String(r.id),
    entrantId: r.entrant_id,
    name: r.name,
    category: r.category,
    spread: Number(r.spread),
    threshold: Number(r.threshold),
    totals: r.totals,
    state: r.state,
    flaggedAt: new Date(r.flagged_at as string).toISOString(),
    orderedAt: r.ordered_at ? new Date(r.ordered_at as string).toISOString() : null,
    reason: r.reason ?? null,
  }));
}

export async function loadFlag(deps: ApiDeps, id: string): Promise<{ id: string; campaign_id: string; entrant_id: string; state: string }> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select id, campaign_id, entrant_id, state from review_flag where id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no discrepancy flag ${id}`);
  return { id: String(row.id), campaign_id: row.campaign_id, entrant_id: row.entrant_id, state: row.state };
}

/** The province admin's view of the review: each space, its experts (replacements kept) and their totals. */
export async function listSpaces(deps: ApiDeps, campaignId: string, page: number, pageSize: number) {
  const conn = deps.orm.em.fork().getConnection();
  const [{ total }] = await conn.execute(`select count(*)::int as total from review_selection where campaign_id = ? and selected`, [campaignId]);
  const spaces: { entrant_id: string; name: string; category: string; city: string; state: string; rank: number; top_ranked: boolean; recommended: boolean }[] = await conn.execute(
    `select rs.entrant_id, e.name, e.category, ci.name as city, e.state, rs.rank, rs.top_ranked, rs.recommended
     from review_selection rs join entrant e on e.id = rs.entrant_id join city ci on ci.id = e.city_id
     where rs.campaign_id = ? and rs.selected order by rs.category_group, rs.rank limit ? offset ?`,
    [campaignId, pageSize, (page - 1) * pageSize],
  );
  const ids = `{${spaces.map((s) => s.entrant_id).join(',')}}`;
  const experts: Record<string, unknown>[] = spaces.length
    ? await conn.execute(
        `select a.entrant_id, a.expert_account_id, acc.display_name, ci.name as city, a.purpose, a.round, a.assigned_at, a.deadline, a.replaced_at, a.replacement_kind, a.replaced_by, a.reason,
                s.total, s.adjustment, s.locked
         from review_assignment a join account acc on acc.id = a.expert_account_id left join city ci on ci.id = acc.city_id
         left join expert_score s on s.entrant_id = a.entrant_id and s.expert_account_id = a.expert_account_id and s.round = a.round
         where a.entrant_id = any(?::uuid[]) order by a.round, a.assigned_at, a.id`,
        [ids],
      )
    : [];
  return {
    total,
    page,
    pageSize,
    items: spaces.map((s) => ({
      entrantId: s.entrant_id,
      name: s.name,
      category: s.category,
      city: s.city,
      state: s.state,
      rank: s.rank,
      topRanked: s.top_ranked,
      recommended: s.recommended,
      experts: experts
        .filter((x) => x.entrant_id === s.entrant_id)
        .map((x) => ({
          expertAccountId: x.expert_account_id,
          name: x.display_name,
          city: x.city,
          purpose: x.purpose,
          round: x.round,
          assignedAt: new Date(x.assigned_at as string).toISOString(),
          deadline: x.deadline ? new Date(x.deadline as string).toISOString() : null,
          replaced: x.replaced_at ? { at: new Date(x.replaced_at as string).toISOString(), kind: x.replacement_kind, by: x.replaced_by ?? null, reason: x.reason } : null,
          total: x.total === null ? null : Number(x.total),
          adjustment: x.adjustment ?? null,
        })),
    })),
  };
}
