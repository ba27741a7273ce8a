// The review stage's activities (专家评审, SPEC §7): the selection at voting close, the draw at
// the review opening, reminders, replacements, the fourth review and the re-review after an
// upheld objection. The campaign and publication workflows call them with the instant (`at`,
// workflow time) and, for draws, the seed from their history (a re-review's is its objection's);
// they never read the clock for a business decision.
//
// Fan-out (signals to lifecycles) goes in pages with bounded concurrency and the cursor in the
// heartbeat; every write is keyed (selection per entrant, run per seed, assignment per
// entrant+expert+round), so a retried attempt finds what the last one wrote and goes on.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ASSIGNMENT_ALGORITHM, assign, replace, type AssignmentExpert, type AssignmentProblem, type Conflict, type IdleExpert } from '../lib/rules/assignment';
import { RANKING_SCORE_SQL, RANKING_TIE_BREAK_SQL, SELECTABLE_STATES } from '../lib/rules/ranking';
import { drawDeadline, GROUP_CATEGORIES, REVIEW_ROUND, selectionReason, type CategoryGroup } from '../lib/rules/review-stage';
import type { Actor, Schedule } from '../lib/rules/schedule';
import { assignmentSignal, selectionSignal } from '../workflows/entrant-lifecycle';
import type { ActivityDeps } from './deps';
import { mailJobId } from './mail/queue';
import { queueMail } from './notifications';

const SYSTEM: Actor = { accountId: 'system', role: 'system', name: '评审系统' };
const PAGE = 500;
const SIGNAL_CONCURRENCY = 20;
const MAIL_CONCURRENCY = 50;
/** How long the selection waits for lifecycles still moving from approved to awaiting_selection. */
const SETTLE_LIMIT_MS = 10 * 60_000;
const SETTLE_POLL_MS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The slice of a MikroORM connection used here (a fork's or a transaction's). */
interface Conn {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  execute(sql: string, params?: unknown[], method?: 'all' | 'get' | 'run'): Promise<any>;
}

export interface SelectionResult {
  group: CategoryGroup;
  /** Approved entrants of the group ranked at voting close. */
  ranked: number;
  selected: number;
  topRanked: number;
  recommendedOnly: number;
  signalled: number;
  /** Entrants still approved when the settle wait ran out: their lifecycle did not take the decision. */
  stragglers: number;
}

export type ReplacementKind = 'late' | 'declined' | 'conflict';

export interface ReReviewResult {
  status: 'drawn' | 'infeasible';
  runId: string | null;
  /** The new review round of the space (the first review is round 1). */
  round: number | null;
  experts: string[];
  problems: AssignmentProblem[];
  /** When the new experts' scoring locks (epoch ms). */
  deadline: number | null;
}

export interface AssignmentRunResult {
  runId: string;
  state: 'done' | 'infeasible';
  seed: string;
  algorithm: string;
  /** Spaces drawn in this run (new spaces and vacancies filled). */
  spaces: number;
  assignments: number;
  poolSize: number;
  balance?: { minLoad: number; maxLoad: number };
  problems: AssignmentProblem[];
  idle: IdleExpert[];
  /** The explicit deadline of this run's experts (a late draw), or null: the window's close. */
  deadline: number | null;
}

export interface ReplacementResult {
  status: 'replaced' | 'vacant' | 'already_replaced' | 'not_assigned';
  runId: string | null;
  entrantId: string;
  problems: AssignmentProblem[];
  deadline: number | null;
}

export interface SweepResult {
  runId: string;
  late: number;
  replaced: number;
  vacant: number;
  locked: number;
  /** The next explicit deadline after `at` of an expert who has not scored, if any. */
  nextAt: number | null;
}

export interface FourthReviewResult {
  status: 'ordered' | 'infeasible' | 'refused';
  runId: string | null;
  entrantId: string | null;
  message?: string;
  problems: AssignmentProblem[];
  deadline: number | null;
}

interface CampaignRow {
  name: string;
  config: { review?: { topK?: { teacher: number; student: number }; expertsPerSpace?: number }; ranking?: { boostWeight?: number } };
  schedule: Schedule;
}

async function loadCampaign(conn: Conn, campaignId: string): Promise<CampaignRow> {
  const [row] = await conn.execute(`select name, config, schedule from campaign where id = ?`, [campaignId]);
  if (!row) throw new Error(`campaign ${campaignId} not found`);
  return row as CampaignRow;
}

const perSpaceOf = (c: CampaignRow) => c.config.review?.expertsPerSpace ?? 3;
const reviewClose = (c: CampaignRow) => Date.parse(c.schedule.windows.review.closesAt);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const pgArray = (items: readonly (string | number)[]) => `{${items.join(',')}}`;

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

/** A lifecycle that is gone (ended, never started) takes no news; that is not an error here. */
async function signalQuietly(run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The active pool: experts of the campaign, active, with an enabled expert account. */
async function expertPool(conn: Conn, campaignId: string): Promise<AssignmentExpert[]> {
  const rows: { id: string; city_id: number }[] = await conn.execute(
    `select ce.account_id as id, ce.city_id from campaign_expert ce join account a on a.id = ce.account_id
     where ce.campaign_id = ? and ce.active and a.role = 'expert' and not a.disabled order by ce.account_id`,
    [campaignId],
  );
  return rows.map((r) => ({ id: r.id, cityId: r.city_id }));
}

async function conflictsOf(conn: Conn, campaignId: string, entrantId?: string): Promise<Conflict[]> {
  const rows: { expert_account_id: string; entrant_id: string }[] = await conn.execute(
    `select expert_account_id, entrant_id from expert_conflict where campaign_id = ?${entrantId ? ' and entrant_id = ?' : ''}`,
    entrantId ? [campaignId, entrantId] : [campaignId],
  );
  return rows.map((r) => ({ expertId: r.expert_account_id, spaceId: r.entrant_id }));
}

/** Each expert's active reviews in the campaign: what replacements and later draws balance against. */
async function activeLoads(conn: Conn, campaignId: string): Promise<Record<string, number>> {
  const rows: { expert_account_id: string; n: number }[] = await conn.execute(
    `select expert_account_id, count(*)::int as n from review_assignment where campaign_id = ? and round = ? and replaced_at is null group by expert_account_id`,
    [campaignId, REVIEW_ROUND],
  );
  return Object.fromEntries(rows.map((r) => [r.expert_account_id, r.n]));
}

/** A space's current review round (a re-review is a new one), its active experts there, and everyone ever on it. */
async function spaceExperts(conn: Conn, entrantId: string): Promise<{ round: number; active: string[]; ever: string[] }> {
  const rows: { expert_account_id: string; replaced_at: Date | null; round: number }[] = await conn.execute(
    `select expert_account_id, replaced_at, round from review_assignment where entrant_id = ? order by expert_account_id`,
    [entrantId],
  );
  const round = Math.max(REVIEW_ROUND, ...rows.map((r) => r.round));
  return {
    round,
    active: rows.filter((r) => r.round === round && r.replaced_at === null).map((r) => r.expert_account_id),
    ever: [...new Set(rows.map((r) => r.expert_account_id))],
  };
}

async function insertRun(
  conn: Conn,
  run: { campaignId: string; kind: 'assignment' | 'replacement' | 'fourth_review' | 're_review'; seed: string; state: 'done' | 'infeasible'; report: unknown; actor?: Actor; reason?: string; at: number },
): Promise<{ id: string; created: boolean; state: string; report: unknown }> {
  const inserted = await conn.execute(
    `insert into review_run (campaign_id, kind, seed, algorithm, state, report, actor, reason, at) values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
     on conflict (campaign_id, kind, seed) do nothing returning id, state, report`,
    [run.campaignId, run.kind, run.seed, ASSIGNMENT_ALGORITHM, run.state, JSON.stringify(run.report), run.actor ? JSON.stringify(run.actor) : null, run.reason ?? null, new Date(run.at)],
  );
  if (inserted.length > 0) return { id: String(inserted[0].id), created: true, state: inserted[0].state, report: inserted[0].report };
  const [row] = await conn.execute(`select id, state, report from review_run where campaign_id = ? and kind = ? and seed = ?`, [run.campaignId, run.kind, run.seed]);
  return { id: String(row.id), created: false, state: row.state, report: row.report };
}

interface DrawContext {
  campaignId: string;
  closesAt: number;
  at: number;
  seed: string;
  runId: string;
}

interface DrawOutcome {
  status: 'replaced' | 'vacant' | 'already_replaced' | 'not_assigned';
  entrantId: string;
  replaced: string;
  expertId?: string;
  /** The space's active experts after the draw. */
  experts: string[];
  problems: AssignmentProblem[];
  deadline: number | null;
}

/**
 * Takes one expert off one space and draws who takes over, under every constraint of the draw
 * (lib/rules/assignment replace). In the caller's transaction, under the campaign's draw lock,
 * so concurrent replacements see each other's loads. No eligible expert left: the expert still
 * comes off (it must not review the space) and the seat stays vacant for the province admin.
 */
async function replaceOnSpace(conn: Conn, ctx: DrawContext, entrantId: string, expertId: string, kind: ReplacementKind, reason: string): Promise<DrawOutcome> {
  await conn.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`review-draw:${ctx.campaignId}`]);
  const before = await spaceExperts(conn, entrantId);
  const [row] = await conn.execute(
    `select replaced_at from review_assignment where entrant_id = ? and expert_account_id = ? and round = ? for update`,
    [entrantId, expertId, before.round],
  );
  if (!row) return { status: 'not_assigned', entrantId, replaced: expertId, experts: before.active, problems: [], deadline: null };
  if (row.replaced_at) return { status: 'already_replaced', entrantId, replaced: expertId, experts: before.active, problems: [], deadline: null };
  const [space] = await conn.execute(`select id, city_id from entrant where id = ?`, [entrantId]);
  const result = replace({
    assignment: { [entrantId]: before.active },
    loads: await activeLoads(conn, ctx.campaignId),
    spaceId: entrantId,
    expertId,
    spaces: [{ id: space.id, cityId: space.city_id }],
    experts: await expertPool(conn, ctx.campaignId),
    conflicts: await conflictsOf(conn, ctx.campaignId, entrantId),
    seed: ctx.seed,
    exclude: before.ever,
  });
  const deadline = drawDeadline(ctx.at, ctx.closesAt);
  await conn.execute(
    `update review_assignment set replaced_at = ?, replaced_by = ?, replacement_kind = ?, reason = ? where entrant_id = ? and expert_account_id = ? and round = ?`,
    [new Date(ctx.at), result.ok ? result.expertId : null, kind, reason, entrantId, expertId, before.round],
  );
  if (!result.ok) {
    return { status: 'vacant', entrantId, replaced: expertId, experts: before.active.filter((e) => e !== expertId), problems: result.problems, deadline: null };
  }
  await conn.execute(
    `insert into review_assignment (campaign_id, entrant_id, expert_account_id, round, purpose, run_id, assigned_at, deadline) values (?, ?, ?, ?, 'replacement', ?, ?, ?)`,
    [ctx.campaignId, entrantId, result.expertId, before.round, ctx.runId, new Date(ctx.at), deadline === null ? null : new Date(deadline)],
  );
  return { status: 'replaced', entrantId, replaced: expertId, expertId: result.expertId, experts: result.experts, problems: [], deadline };
}

const KIND_LABELS: Record<ReplacementKind, string> = { late: '评审截止时未评分', declined: '专家放弃评审', conflict: '专家申报回避' };

export function reviewActivities(deps: ActivityDeps) {
  const { orm, temporal } = deps;
  const reviewLink = (campaignId: string) => `${deps.mail.publicUrl}/review?campaignId=${encodeURIComponent(campaignId)}`;

  async function expertNames(conn: Conn, ids: readonly string[]): Promise<Map<string, { name: string; email: string | null; reminders: boolean }>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; display_name: string; email: string | null; mail_reminders: boolean }[] = await conn.execute(
      `select id, display_name, email, mail_reminders from account where id = any(?::uuid[]) and not disabled`,
      [pgArray(ids)],
    );
    return new Map(rows.map((r) => [r.id, { name: r.display_name, email: r.email, reminders: r.mail_reminders }]));
  }

  /** One assignment mail per expert with the number of spaces it was given (评审任务). */
  async function mailAssigned(conn: Conn, campaignId: string, campaign: string, key: string, counts: Map<string, { spaces: number; deadline: number }>): Promise<void> {
    const who = await expertNames(conn, [...counts.keys()]);
    await inBatches([...counts.entries()], MAIL_CONCURRENCY, async ([expertId, c]) => {
      const to = who.get(expertId);
      if (!to) return;
      await queueMail(deps, mailJobId('review', campaignId, key, 'assigned', expertId), { email: to.email, mailReminders: to.reminders }, 'expert_assignment', {
        name: to.name,
        campaign,
        link: reviewLink(campaignId),
        spaces: c.spaces,
        deadline: new Date(c.deadline).toISOString(),
      });
    });
  }

  async function mailReplaced(conn: Conn, campaignId: string, campaign: string, key: string, counts: Map<string, { spaces: number; reason: string }>): Promise<void> {
    const who = await expertNames(conn, [...counts.keys()]);
    await inBatches([...counts.entries()], MAIL_CONCURRENCY, async ([expertId, c]) => {
      const to = who.get(expertId);
      if (!to) return;
      await queueMail(deps, mailJobId('review', campaignId, key, 'replaced', expertId), { email: to.email, mailReminders: to.reminders }, 'expert_replaced', {
        name: to.name,
        campaign,
        link: reviewLink(campaignId),
        spaces: c.spaces,
        reason: c.reason,
      });
    });
  }

  async function signalAssignment(workflowId: string, experts: string[], seed: string, actor: Actor, reason?: string): Promise<boolean> {
    return signalQuietly(() => temporal.workflow.getHandle(workflowId).signal(assignmentSignal, { experts, seed, actor, reason }));
  }

  /** After replacements: the new lists to the lifecycles, the mails to who left and who came. */
  async function announceReplacements(
    conn: Conn,
    campaignId: string,
    campaign: CampaignRow,
    key: string,
    outcomes: (DrawOutcome & { kind: ReplacementKind })[],
    seed: string,
    actor: Actor,
  ): Promise<void> {
    const changed = outcomes.filter((o) => o.status === 'replaced' || o.status === 'vacant');
    if (changed.length === 0) return;
    const lastBySpace = new Map<string, DrawOutcome>();
    for (const o of changed) lastBySpace.set(o.entrantId, o);
    const workflows: { id: string; workflow_id: string }[] = await conn.execute(`select id, workflow_id from entrant where id = any(?::uuid[])`, [pgArray([...lastBySpace.keys()])]);
    await inBatches(workflows, SIGNAL_CONCURRENCY, async (w) => {
      const o = lastBySpace.get(w.id)!;
      // The space's list as it stands now (several replacements on one space: the last one's).
      const { active } = await spaceExperts(conn, w.id);
      await signalAssignment(w.workflow_id, active, seed, actor, o.status === 'vacant' ? '评审专家待补充' : '更换评审专家');
    });
    const left = new Map<string, { spaces: number; reason: string }>();
    const came = new Map<string, { spaces: number; deadline: number }>();
    for (const o of changed) {
      const l = left.get(o.replaced) ?? { spaces: 0, reason: '' };
      left.set(o.replaced, { spaces: l.spaces + 1, reason: l.reason || KIND_LABELS[o.kind] });
      if (o.expertId) {
        const c = came.get(o.expertId) ?? { spaces: 0, deadline: 0 };
        came.set(o.expertId, { spaces: c.spaces + 1, deadline: Math.max(c.deadline, o.deadline ?? reviewClose(campaign)) });
      }
    }
    await mailReplaced(conn, campaignId, campaign.name, key, left);
    await mailAssigned(conn, campaignId, campaign.name, key, came);
  }

  const activities = {
    /**
     * 入选评审 for one category group at its voting close: the top K by ranking plus every
     * city-recommended space enter review, every other approved entrant is told it was not
     * selected. First waits (bounded) until no lifecycle of the group is still approved — they
     * move to awaiting_selection on their own voting-close timers at this same instant, and a
     * lifecycle ignores a selection in any other state. Then decides once (one INSERT…SELECT
     * over the ranking) and signals in pages.
     */
    async selectForReview(input: { campaignId: string; group: CategoryGroup; at: number }): Promise<SelectionResult> {
      const ctx = Context.current();
      const conn = orm.em.fork().getConnection();
      const categories = pgArray(GROUP_CATEGORIES[input.group]);
      const resumed = ctx.info.heartbeatDetails as { cursor?: string } | undefined;
      let stragglers = 0;
      if (!resumed?.cursor) {
        const until = Date.now() + SETTLE_LIMIT_MS;
        for (;;) {
          const [{ n }] = await conn.execute(`select count(*)::int as n from entrant where campaign_id = ? and category = any(?::text[]) and state = 'approved'`, [input.campaignId, categories]);
          stragglers = n;
          if (n === 0 || Date.now() > until) break;
          ctx.heartbeat({ settling: n });
          await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
        }
      }
      const campaign = await loadCampaign(conn, input.campaignId);
      const topK = campaign.config.review?.topK?.[input.group] ?? 0;
      const boostWeight = campaign.config.ranking?.boostWeight ?? 10;
      await conn.execute(
        `insert into review_selection (entrant_id, campaign_id, category_group, rank, votes, accepted_boosts, top_k, top_ranked, recommended, selected, decided_at)
         select r.id, ?, ?, r.rank, r.votes, r.boosts, ?, r.rank <= ?, r.recommended, r.rank <= ? or r.recommended, ?
         from (
           select e.id, e.recommended, coalesce(t.votes, 0)::int as votes, coalesce(t.accepted_boosts, 0)::int as boosts,
                  row_number() over (order by ${RANKING_SCORE_SQL} desc, ${RANKING_TIE_BREAK_SQL})::int as rank
           from entrant e left join entrant_tally t on t.entrant_id = e.id
           where e.campaign_id = ? and e.category = any(?::text[]) and e.state = any(?::text[])
         ) r
         where not exists (select 1 from review_selection s where s.campaign_id = ? and s.category_group = ?)
         on conflict (entrant_id) do nothing`,
        [
          input.campaignId, input.group, topK, topK, topK, new Date(input.at),
          boostWeight, input.campaignId, categories, pgArray(SELECTABLE_STATES),
          input.campaignId, input.group,
        ],
      );

      let cursor = resumed?.cursor ?? '00000000-0000-0000-0000-000000000000';
      let signalled = 0;
      for (;;) {
        const page: { entrant_id: string; workflow_id: string; rank: number; top_k: number; top_ranked: boolean; recommended: boolean; selected: boolean }[] = await conn.execute(
          `select s.entrant_id, e.workflow_id, s.rank, s.top_k, s.top_ranked, s.recommended, s.selected
           from review_selection s join entrant e on e.id = s.entrant_id
           where s.campaign_id = ? and s.category_group = ? and s.signalled_at is null and s.entrant_id > ?
           order by s.entrant_id limit ?`,
          [input.campaignId, input.group, cursor, PAGE],
        );
        if (page.length === 0) break;
        await inBatches(page, SIGNAL_CONCURRENCY, async (s) => {
          const reason = selectionReason({ rank: s.rank, topK: s.top_k, topRanked: s.top_ranked, recommended: s.recommended });
          if (await signalQuietly(() => temporal.workflow.getHandle(s.workflow_id).signal(selectionSignal, { selected: s.selected, actor: SYSTEM, reason }))) signalled += 1;
        });
        await conn.execute(`update review_selection set signalled_at = now() where entrant_id = any(?::uuid[])`, [pgArray(page.map((s) => s.entrant_id))]);
        cursor = page[page.length - 1].entrant_id;
        ctx.heartbeat({ cursor });
      }

      const [summary] = await conn.execute(
        `select count(*)::int as ranked, count(*) filter (where selected)::int as selected, count(*) filter (where top_ranked)::int as top_ranked,
                count(*) filter (where recommended and not top_ranked)::int as recommended_only
         from review_selection where campaign_id = ? and category_group = ?`,
        [input.campaignId, input.group],
      );
      return { group: input.group, ranked: summary.ranked, selected: summary.selected, topRanked: summary.top_ranked, recommendedOnly: summary.recommended_only, signalled, stragglers };
    },

    /**
     * The draw (专家分配): every selected space without experts gets `expertsPerSpace`, and every
     * vacancy left by a replacement that found nobody is filled, under the constraints of
     * lib/rules/assignment. All or nothing: when any constraint cannot hold, the run records what
     * cannot be met (state infeasible) and nobody is signalled. Keyed by the seed, so a retry
     * finds its run and only finishes the signals and mails.
     */
    async assignReviews(input: { campaignId: string; seed: string; at: number; actor?: Actor; reason?: string }): Promise<AssignmentRunResult> {
      const ctx = Context.current();
      const em = orm.em.fork();
      const conn = em.getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const closesAt = reviewClose(campaign);
      const deadline = drawDeadline(input.at, closesAt);
      const actor = input.actor ?? SYSTEM;

      let run = await conn.execute(`select id, state, report from review_run where campaign_id = ? and kind = 'assignment' and seed = ?`, [input.campaignId, input.seed]).then((r) => r[0]);
      if (!run) {
        run = await em.transactional(async (tx) => {
          const c: Conn = tx;
          await c.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`review-draw:${input.campaignId}`]);
          const spaces: { id: string; city_id: number }[] = await c.execute(
            `select e.id, e.city_id from review_selection s join entrant e on e.id = s.entrant_id
             where s.campaign_id = ? and s.selected and e.state in ('awaiting_selection', 'in_review')
               and not exists (select 1 from review_assignment a where a.entrant_id = e.id and a.round = ?)
             order by e.id`,
            [input.campaignId, REVIEW_ROUND],
          );
          const vacancies: { entrant_id: string; expert_account_id: string; city_id: number }[] = await c.execute(
            `select a.entrant_id, a.expert_account_id, e.city_id from review_assignment a join entrant e on e.id = a.entrant_id
             where a.campaign_id = ? and a.round = ? and a.replaced_at is not null and a.replaced_by is null and e.state = 'in_review'
             order by a.entrant_id, a.expert_account_id`,
            [input.campaignId, REVIEW_ROUND],
          );
          const experts = await expertPool(c, input.campaignId);
          const conflicts = await conflictsOf(c, input.campaignId);
          let loads = await activeLoads(c, input.campaignId);
          const problems: AssignmentProblem[] = [];
          let idle: IdleExpert[] = [];
          let balance: { minLoad: number; maxLoad: number } | undefined;
          const rows: { entrantId: string; expertId: string; purpose: 'review' | 'replacement' }[] = [];
          if (spaces.length > 0) {
            const drawn = assign({
              spaces: spaces.map((s) => ({ id: s.id, cityId: s.city_id })),
              experts,
              conflicts,
              perSpace: perSpaceOf(campaign),
              seed: input.seed,
              existingLoads: loads,
            });
            if (drawn.ok) {
              for (const [entrantId, list] of Object.entries(drawn.assignments)) for (const expertId of list) rows.push({ entrantId, expertId, purpose: 'review' });
              loads = drawn.loads;
              idle = drawn.idle;
              balance = { minLoad: drawn.balance.minLoad, maxLoad: drawn.balance.maxLoad };
            } else problems.push(...drawn.problems);
          }
          const filled: { entrantId: string; departed: string; expertId: string }[] = [];
          if (problems.length === 0) {
            for (const v of vacancies) {
              const on = await spaceExperts(c, v.entrant_id);
              // Seats already filled on this space in this run count as taken.
              const taken = filled.filter((f) => f.entrantId === v.entrant_id).map((f) => f.expertId);
              const result = replace({
                assignment: { [v.entrant_id]: [...on.active, ...taken, v.expert_account_id] },
                loads,
                spaceId: v.entrant_id,
                expertId: v.expert_account_id,
                spaces: [{ id: v.entrant_id, cityId: v.city_id }],
                experts,
                conflicts,
                seed: input.seed,
                exclude: [...on.ever.filter((e) => e !== v.expert_account_id), ...taken],
              });
              if (!result.ok) {
                problems.push(...result.problems);
                continue;
              }
              loads = { ...result.loads, [v.expert_account_id]: loads[v.expert_account_id] ?? 0 };
              filled.push({ entrantId: v.entrant_id, departed: v.expert_account_id, expertId: result.expertId });
              rows.push({ entrantId: v.entrant_id, expertId: result.expertId, purpose: 'replacement' });
            }
          }
          const state = problems.length > 0 ? 'infeasible' : 'done';
          const report = {
            spaces: spaces.length,
            vacancies: vacancies.length,
            poolSize: experts.length,
            perSpace: perSpaceOf(campaign),
            assignments: state === 'done' ? rows.length : 0,
            balance,
            idle,
            problems,
            deadline: iso(deadline),
          };
          const r = await insertRun(c, { campaignId: input.campaignId, kind: 'assignment', seed: input.seed, state, report, actor, reason: input.reason, at: input.at });
          if (state === 'done' && rows.length > 0) {
            await c.execute(
              `insert into review_assignment (campaign_id, entrant_id, expert_account_id, round, purpose, run_id, assigned_at, deadline)
               select ?, x.entrant_id, x.expert_id, ?, x.purpose, ?, ?, ?
               from unnest(?::uuid[], ?::uuid[], ?::text[]) as x(entrant_id, expert_id, purpose)
               on conflict (entrant_id, expert_account_id, round) do nothing`,
              [
                input.campaignId, REVIEW_ROUND, r.id, new Date(input.at), deadline === null ? null : new Date(deadline),
                pgArray(rows.map((x) => x.entrantId)), pgArray(rows.map((x) => x.expertId)), pgArray(rows.map((x) => x.purpose)),
              ],
            );
            for (const f of filled) {
              await c.execute(`update review_assignment set replaced_by = ? where entrant_id = ? and expert_account_id = ? and round = ?`, [f.expertId, f.entrantId, f.departed, REVIEW_ROUND]);
            }
          }
          return { id: r.id, state: r.state, report: r.report };
        });
      }

      const report = run.report as { spaces: number; vacancies: number; poolSize: number; assignments: number; balance?: { minLoad: number; maxLoad: number }; idle: IdleExpert[]; problems: AssignmentProblem[] };
      const result: AssignmentRunResult = {
        runId: String(run.id),
        state: run.state,
        seed: input.seed,
        algorithm: ASSIGNMENT_ALGORITHM,
        spaces: report.spaces + report.vacancies,
        assignments: report.assignments,
        poolSize: report.poolSize,
        balance: report.balance,
        problems: report.problems,
        idle: report.idle,
        deadline,
      };
      if (run.state !== 'done') return result;

      // Each space of this run learns its experts; resumable by the heartbeat cursor.
      let cursor = (ctx.info.heartbeatDetails as { cursor?: string } | undefined)?.cursor ?? '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const page: { entrant_id: string; workflow_id: string }[] = await conn.execute(
          `select distinct a.entrant_id, e.workflow_id from review_assignment a join entrant e on e.id = a.entrant_id
           where a.run_id = ? and a.entrant_id > ? order by a.entrant_id limit ?`,
          [run.id, cursor, PAGE],
        );
        if (page.length === 0) break;
        await inBatches(page, SIGNAL_CONCURRENCY, async (s) => {
          const { active } = await spaceExperts(conn, s.entrant_id);
          await signalAssignment(s.workflow_id, active, input.seed, actor, input.reason ?? '专家评审分配');
        });
        cursor = page[page.length - 1].entrant_id;
        ctx.heartbeat({ cursor });
      }
      const counts: { expert_account_id: string; n: number }[] = await conn.execute(
        `select expert_account_id, count(*)::int as n from review_assignment where run_id = ? group by expert_account_id`,
        [run.id],
      );
      await mailAssigned(conn, input.campaignId, campaign.name, `run-${run.id}`, new Map(counts.map((c) => [c.expert_account_id, { spaces: c.n, deadline: deadline ?? closesAt }])));
      return result;
    },

    /** 评审截止提醒: one mail to each expert with spaces still to score by this deadline. */
    async sendReviewReminders(input: { campaignId: string; closesAt: string }): Promise<{ experts: number }> {
      const ctx = Context.current();
      const conn = orm.em.fork().getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const closesAt = new Date(input.closesAt);
      let cursor = (ctx.info.heartbeatDetails as { cursor?: string } | undefined)?.cursor ?? '00000000-0000-0000-0000-000000000000';
      let experts = 0;
      for (;;) {
        const page: { id: string; display_name: string; email: string | null; mail_reminders: boolean; remaining: number }[] = await conn.execute(
          `select a.id, a.display_name, a.email, a.mail_reminders, count(*)::int as remaining
           from review_assignment r join account a on a.id = r.expert_account_id
           where r.campaign_id = ? and r.round = ? and r.replaced_at is null and (r.deadline is null or r.deadline <= ?)
             and not exists (select 1 from expert_score s where s.entrant_id = r.entrant_id and s.expert_account_id = r.expert_account_id and s.round = r.round)
             and a.id > ? and not a.disabled
           group by a.id order by a.id limit ?`,
          [input.campaignId, REVIEW_ROUND, closesAt, cursor, PAGE],
        );
        if (page.length === 0) break;
        await inBatches(page, MAIL_CONCURRENCY, async (a) => {
          const queued = await queueMail(
            deps,
            mailJobId('review-reminder', input.campaignId, closesAt.getTime(), a.id),
            { email: a.email, mailReminders: a.mail_reminders },
            'review_reminder',
            { name: a.display_name, campaign: campaign.name, link: reviewLink(input.campaignId), remaining: a.remaining, deadline: input.closesAt },
          );
          if (queued) experts += 1;
        });
        cursor = page[page.length - 1].id;
        ctx.heartbeat({ cursor });
      }
      return { experts };
    },

    /**
     * At a deadline: every sheet whose deadline passed is locked, and every expert who has not
     * scored by then is replaced by a new draw (the newcomer gets LATE_DRAW_DAYS of its own).
     * Answers the next explicit deadline, when the campaign runs this again.
     */
    async replaceLateExperts(input: { campaignId: string; seed: string; at: number }): Promise<SweepResult> {
      const ctx = Context.current();
      const em = orm.em.fork();
      const conn = em.getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const closesAt = reviewClose(campaign);
      const close = new Date(closesAt);
      const at = new Date(input.at);
      const locked = await conn.execute(
        `update expert_score s set locked = true
         from review_assignment a
         where s.campaign_id = ? and not s.locked and a.entrant_id = s.entrant_id and a.expert_account_id = s.expert_account_id and a.round = s.round
           and greatest(coalesce(a.deadline, ?), ?) <= ?
         returning s.id`,
        [input.campaignId, close, close, at],
      );
      const run = await insertRun(conn, { campaignId: input.campaignId, kind: 'replacement', seed: input.seed, state: 'done', report: { sweep: true }, actor: SYSTEM, reason: KIND_LABELS.late, at: input.at });
      const outcomes: (DrawOutcome & { kind: ReplacementKind })[] = [];
      for (;;) {
        const late: { entrant_id: string; expert_account_id: string }[] = await conn.execute(
          `select a.entrant_id, a.expert_account_id from review_assignment a join entrant e on e.id = a.entrant_id
           where a.campaign_id = ? and a.round = (select max(x.round) from review_assignment x where x.entrant_id = a.entrant_id) and a.replaced_at is null and e.state = 'in_review'
             and greatest(coalesce(a.deadline, ?), ?) <= ?
             and not exists (select 1 from expert_score s where s.entrant_id = a.entrant_id and s.expert_account_id = a.expert_account_id and s.round = a.round)
           order by a.entrant_id, a.expert_account_id limit ?`,
          [input.campaignId, close, close, at, PAGE],
        );
        if (late.length === 0) break;
        for (const l of late) {
          const o = await em.fork().transactional((tx) =>
            replaceOnSpace(tx, { campaignId: input.campaignId, closesAt, at: input.at, seed: input.seed, runId: run.id }, l.entrant_id, l.expert_account_id, 'late', KIND_LABELS.late),
          );
          outcomes.push({ ...o, kind: 'late' });
        }
        ctx.heartbeat({ replaced: outcomes.length });
      }
      // A retry finds the late experts already replaced: the announcements come from the rows.
      const done: { entrant_id: string; expert_account_id: string; replaced_by: string | null }[] = await conn.execute(
        `select a.entrant_id, a.expert_account_id, a.replaced_by from review_assignment a
         where a.campaign_id = ? and a.replacement_kind = 'late' and a.replaced_at = ?`,
        [input.campaignId, at],
      );
      const newRows: { entrant_id: string; expert_account_id: string; deadline: Date | null }[] = await conn.execute(
        `select entrant_id, expert_account_id, deadline from review_assignment where run_id = ?`,
        [run.id],
      );
      const deadlineOf = new Map(newRows.map((r) => [`${r.entrant_id}|${r.expert_account_id}`, r.deadline ? new Date(r.deadline).getTime() : null]));
      const all: (DrawOutcome & { kind: ReplacementKind })[] = done.map((d) => ({
        status: d.replaced_by ? 'replaced' : 'vacant',
        entrantId: d.entrant_id,
        replaced: d.expert_account_id,
        expertId: d.replaced_by ?? undefined,
        experts: [],
        problems: outcomes.find((o) => o.entrantId === d.entrant_id && o.replaced === d.expert_account_id)?.problems ?? [],
        deadline: d.replaced_by ? (deadlineOf.get(`${d.entrant_id}|${d.replaced_by}`) ?? null) : null,
        kind: 'late',
      }));
      const vacant = all.filter((o) => o.status === 'vacant');
      await conn.execute(`update review_run set state = ?, report = ?::jsonb where id = ?`, [
        vacant.length > 0 ? 'infeasible' : 'done',
        JSON.stringify({
          sweep: true,
          late: all.length,
          replaced: all.length - vacant.length,
          locked: locked.length,
          replacements: all.filter((o) => o.status === 'replaced').map((o) => ({ entrantId: o.entrantId, replaced: o.replaced, expertId: o.expertId })),
          problems: vacant.flatMap((o) => (o.problems.length ? o.problems : [{ kind: 'space_short' as const, message: `space ${o.entrantId} has no eligible expert left to replace ${o.replaced}`, spaceIds: [o.entrantId] }])),
        }),
        run.id,
      ]);
      await announceReplacements(conn, input.campaignId, campaign, `sweep-${run.id}`, all, input.seed, SYSTEM);

      const [next] = await conn.execute(
        `select min(greatest(coalesce(a.deadline, ?), ?)) as at from review_assignment a join entrant e on e.id = a.entrant_id
         where a.campaign_id = ? and a.round = (select max(x.round) from review_assignment x where x.entrant_id = a.entrant_id) and a.replaced_at is null and e.state = 'in_review' and greatest(coalesce(a.deadline, ?), ?) > ?
           and not exists (select 1 from expert_score s where s.entrant_id = a.entrant_id and s.expert_account_id = a.expert_account_id and s.round = a.round)`,
        [close, close, input.campaignId, close, close, at],
      );
      return { runId: run.id, late: all.length, replaced: all.length - vacant.length, vacant: vacant.length, locked: locked.length, nextAt: next?.at ? new Date(next.at).getTime() : null };
    },

    /**
     * During finalisation, for spaces held by a re-review: an expert of the new round whose own
     * deadline passed without a score is replaced as at the review's close (the same sweep), so
     * one absent expert cannot hold a published entrant for ever. Nothing late: nothing written.
     */
    async sweepLateReReviews(input: { campaignId: string; seed: string; at: number }): Promise<SweepResult | null> {
      const [late] = await orm.em.fork().getConnection().execute(
        `select 1 from review_assignment a join entrant e on e.id = a.entrant_id
          where a.campaign_id = ? and a.round > ? and a.replaced_at is null and e.state = 'in_review' and a.deadline <= ?
            and a.round = (select max(x.round) from review_assignment x where x.entrant_id = a.entrant_id)
            and not exists (select 1 from expert_score s where s.entrant_id = a.entrant_id and s.expert_account_id = a.expert_account_id and s.round = a.round)
          limit 1`,
        [input.campaignId, REVIEW_ROUND, new Date(input.at)],
      );
      return late ? activities.replaceLateExperts(input) : null;
    },

    /** An expert declines a space or declares a conflict (回避): it comes off, a new draw takes over. */
    async replaceReviewExpert(input: {
      campaignId: string;
      entrantId: string;
      expertAccountId: string;
      kind: 'declined' | 'conflict';
      reason: string;
      seed: string;
      at: number;
      actor: Actor;
    }): Promise<ReplacementResult> {
      const em = orm.em.fork();
      const conn = em.getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const closesAt = reviewClose(campaign);
      const { outcome, runId, created } = await em.transactional(async (tx) => {
        const c: Conn = tx;
        if (input.kind === 'conflict') {
          await c.execute(
            `insert into expert_conflict (campaign_id, expert_account_id, entrant_id, reason, declared_at) values (?, ?, ?, ?, ?)
             on conflict (campaign_id, expert_account_id, entrant_id) do nothing`,
            [input.campaignId, input.expertAccountId, input.entrantId, input.reason, new Date(input.at)],
          );
        }
        const run = await insertRun(c, { campaignId: input.campaignId, kind: 'replacement', seed: input.seed, state: 'done', report: {}, actor: input.actor, reason: input.reason, at: input.at });
        const o = await replaceOnSpace(c, { campaignId: input.campaignId, closesAt, at: input.at, seed: input.seed, runId: run.id }, input.entrantId, input.expertAccountId, input.kind, `${KIND_LABELS[input.kind]}：${input.reason}`);
        if (run.created) {
          await c.execute(`update review_run set state = ?, report = ?::jsonb where id = ?`, [
            o.status === 'vacant' ? 'infeasible' : 'done',
            JSON.stringify({ kind: input.kind, entrantId: input.entrantId, replaced: input.expertAccountId, expertId: o.expertId ?? null, status: o.status, problems: o.problems }),
            run.id,
          ]);
        }
        return { outcome: o, runId: run.id, created: run.created };
      });
      // A retry after the commit finds the expert already replaced; announce from the rows.
      const [row] = await conn.execute(
        `select replaced_by, replacement_kind from review_assignment where entrant_id = ? and expert_account_id = ? order by round desc limit 1`,
        [input.entrantId, input.expertAccountId],
      );
      const retried = outcome.status === 'already_replaced' && !created;
      if (row?.replacement_kind === input.kind && (outcome.status === 'replaced' || outcome.status === 'vacant' || retried)) {
        const [newRow] = row.replaced_by
          ? await conn.execute(`select deadline from review_assignment where entrant_id = ? and expert_account_id = ? order by round desc limit 1`, [input.entrantId, row.replaced_by])
          : [undefined];
        const o: DrawOutcome & { kind: ReplacementKind } = {
          ...outcome,
          status: row.replaced_by ? 'replaced' : 'vacant',
          expertId: row.replaced_by ?? undefined,
          deadline: newRow?.deadline ? new Date(newRow.deadline).getTime() : null,
          kind: input.kind,
        };
        await announceReplacements(conn, input.campaignId, campaign, `replace-${runId}`, [o], input.seed, input.actor);
      }
      return { status: outcome.status, runId, entrantId: input.entrantId, problems: outcome.problems, deadline: outcome.deadline };
    },

    /**
     * 第四位专家 [ours]: the province admin orders a fourth review of a flagged space. One more
     * expert is drawn under the same constraints (never one who was on the space before).
     */
    async orderFourthReview(input: { campaignId: string; flagId: string; seed: string; at: number; actor: Actor; reason: string }): Promise<FourthReviewResult> {
      const em = orm.em.fork();
      const conn = em.getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const closesAt = reviewClose(campaign);
      const deadline = drawDeadline(input.at, closesAt);
      const out = await em.transactional(async (tx): Promise<FourthReviewResult & { experts?: string[]; expertId?: string }> => {
        const c: Conn = tx;
        await c.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`review-draw:${input.campaignId}`]);
        const [flag] = await c.execute(`select id, entrant_id, state from review_flag where id = ? and campaign_id = ? for update`, [input.flagId, input.campaignId]);
        if (!flag) return { status: 'refused', runId: null, entrantId: null, message: `no discrepancy flag ${input.flagId} in this campaign`, problems: [], deadline: null };
        const prior = await c.execute(`select id from review_run where campaign_id = ? and kind = 'fourth_review' and seed = ?`, [input.campaignId, input.seed]);
        if (flag.state === 'fourth_review' && prior.length > 0) {
          const on = await spaceExperts(c, flag.entrant_id);
          return { status: 'ordered', runId: String(prior[0].id), entrantId: flag.entrant_id, problems: [], deadline, experts: on.active };
        }
        if (flag.state !== 'open') return { status: 'refused', runId: null, entrantId: flag.entrant_id, message: `the flag is ${flag.state}, not open`, problems: [], deadline: null };
        const on = await spaceExperts(c, flag.entrant_id);
        const [space] = await c.execute(`select id, city_id from entrant where id = ?`, [flag.entrant_id]);
        // The draw is replace() of a placeholder seat: the same constraints, least loaded, seeded tie-break.
        const seat = 'fourth-review-seat';
        const result = replace({
          assignment: { [space.id]: [...on.active, seat] },
          loads: await activeLoads(c, input.campaignId),
          spaceId: space.id,
          expertId: seat,
          spaces: [{ id: space.id, cityId: space.city_id }],
          experts: await expertPool(c, input.campaignId),
          conflicts: await conflictsOf(c, input.campaignId, space.id),
          seed: input.seed,
          exclude: on.ever,
        });
        const report = result.ok
          ? { entrantId: space.id, flagId: String(flag.id), expertId: result.expertId, experts: result.experts }
          : { entrantId: space.id, flagId: String(flag.id), problems: result.problems };
        const run = await insertRun(c, { campaignId: input.campaignId, kind: 'fourth_review', seed: input.seed, state: result.ok ? 'done' : 'infeasible', report, actor: input.actor, reason: input.reason, at: input.at });
        if (!result.ok) return { status: 'infeasible', runId: run.id, entrantId: space.id, message: 'no eligible expert is left for a fourth review', problems: result.problems, deadline: null };
        await c.execute(
          `insert into review_assignment (campaign_id, entrant_id, expert_account_id, round, purpose, run_id, assigned_at, deadline) values (?, ?, ?, ?, 'fourth_review', ?, ?, ?)
           on conflict (entrant_id, expert_account_id, round) do nothing`,
          [input.campaignId, space.id, result.expertId, on.round, run.id, new Date(input.at), deadline === null ? null : new Date(deadline)],
        );
        await c.execute(`update review_flag set state = 'fourth_review', ordered_by = ?, ordered_at = ?, reason = ?, updated_at = ? where id = ?`, [
          UUID.test(input.actor.accountId) ? input.actor.accountId : null,
          new Date(input.at),
          input.reason,
          new Date(input.at),
          flag.id,
        ]);
        return { status: 'ordered', runId: run.id, entrantId: space.id, problems: [], deadline, experts: result.experts.filter((e) => e !== seat), expertId: result.expertId };
      });
      if (out.status === 'ordered' && out.entrantId && out.experts) {
        const [e] = await conn.execute(`select workflow_id from entrant where id = ?`, [out.entrantId]);
        await signalAssignment(e.workflow_id, out.experts, input.seed, input.actor, `第四位专家评审：${input.reason}`);
        const [newest] = await conn.execute(`select expert_account_id from review_assignment where run_id = ?`, [out.runId]);
        if (newest) await mailAssigned(conn, input.campaignId, campaign.name, `fourth-${out.runId}`, new Map([[newest.expert_account_id, { spaces: 1, deadline: deadline ?? closesAt }]]));
      }
      const { experts: _e, expertId: _x, ...result } = out;
      return result;
    },

    /**
     * 重新评审 [ours]: an objection upheld with a re-review sends the space back to review by new
     * experts — a new round, drawn seat by seat under every constraint of the draw (other cities
     * only, no declared conflict, least loaded, seeded tie-break) and never an expert who was on
     * the space in any earlier round. Keyed by the objection: a retry finds its run and only
     * announces again (the lifecycle ignores a list it already has).
     */
    async drawReReview(input: { campaignId: string; entrantId: string; objectionId: string; at: number; actor: Actor; reason: string }): Promise<ReReviewResult> {
      const em = orm.em.fork();
      const conn = em.getConnection();
      const campaign = await loadCampaign(conn, input.campaignId);
      const perSpace = perSpaceOf(campaign);
      const seed = `re-review:${input.objectionId}`;
      const deadline = drawDeadline(input.at, reviewClose(campaign)) ?? reviewClose(campaign);
      const out = await em.transactional(async (tx): Promise<ReReviewResult & { fresh: boolean }> => {
        const c: Conn = tx;
        await c.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`review-draw:${input.campaignId}`]);
        const prior = await c.execute(`select id, state from review_run where campaign_id = ? and kind = 're_review' and seed = ?`, [input.campaignId, seed]);
        if (prior.length > 0) {
          const rows = await c.execute(`select expert_account_id, round from review_assignment where run_id = ? order by expert_account_id`, [prior[0].id]);
          return { status: prior[0].state === 'done' ? 'drawn' : 'infeasible', runId: String(prior[0].id), round: rows[0]?.round ?? null, experts: rows.map((r: { expert_account_id: string }) => r.expert_account_id), problems: [], deadline, fresh: false };
        }
        const [space] = await c.execute(`select id, city_id from entrant where id = ? and campaign_id = ?`, [input.entrantId, input.campaignId]);
        if (!space) return { status: 'infeasible', runId: null, round: null, experts: [], problems: [{ kind: 'invalid_input', message: `no entrant ${input.entrantId} in this campaign`, spaceIds: [input.entrantId] }], deadline: null, fresh: false };
        const earlier: { expert_account_id: string; round: number }[] = await c.execute(`select expert_account_id, round from review_assignment where entrant_id = ?`, [input.entrantId]);
        const round = Math.max(REVIEW_ROUND, ...earlier.map((r) => r.round)) + 1;
        const ever = [...new Set(earlier.map((r) => r.expert_account_id))];
        const [pool, loads, conflicts] = await Promise.all([expertPool(c, input.campaignId), activeLoads(c, input.campaignId), conflictsOf(c, input.campaignId, space.id)]);
        const chosen: string[] = [];
        let problems: AssignmentProblem[] = [];
        for (let seat = 1; seat <= perSpace; seat += 1) {
          const placeholder = `re-review-seat-${seat}`;
          const result = replace({
            assignment: { [space.id]: [...chosen, placeholder] },
            loads,
            spaceId: space.id,
            expertId: placeholder,
            spaces: [{ id: space.id, cityId: space.city_id }],
            experts: pool,
            conflicts,
            seed,
            exclude: ever,
          });
          if (!result.ok) {
            problems = result.problems;
            break;
          }
          chosen.push(result.expertId);
          loads[result.expertId] = (loads[result.expertId] ?? 0) + 1;
        }
        const ok = chosen.length === perSpace;
        const report = ok ? { entrantId: space.id, objectionId: input.objectionId, round, experts: chosen } : { entrantId: space.id, objectionId: input.objectionId, round, problems };
        const run = await insertRun(c, { campaignId: input.campaignId, kind: 're_review', seed, state: ok ? 'done' : 'infeasible', report, actor: input.actor, reason: input.reason, at: input.at });
        if (!ok) return { status: 'infeasible', runId: run.id, round, experts: [], problems, deadline: null, fresh: true };
        for (const expertId of chosen) {
          await c.execute(
            `insert into review_assignment (campaign_id, entrant_id, expert_account_id, round, purpose, run_id, assigned_at, deadline) values (?, ?, ?, ?, 're_review', ?, ?, ?)
             on conflict (entrant_id, expert_account_id, round) do nothing`,
            [input.campaignId, space.id, expertId, round, run.id, new Date(input.at), new Date(deadline)],
          );
        }
        return { status: 'drawn', runId: run.id, round, experts: chosen, problems: [], deadline, fresh: true };
      });
      if (out.status === 'drawn') {
        const [e] = await conn.execute(`select workflow_id from entrant where id = ?`, [input.entrantId]);
        await signalAssignment(e.workflow_id, out.experts, seed, input.actor, `重新评审：${input.reason}`);
        await mailAssigned(conn, input.campaignId, campaign.name, `re-review-${out.runId}`, new Map(out.experts.map((x) => [x, { spaces: 1, deadline }])));
      }
      const { fresh: _f, ...result } = out;
      return result;
    },
  };
  return activities;
}
