import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { initORM, type Orm } from '../../db/orm';
import { TASK_QUEUE } from '../../lib/ids';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Actor, Category } from '../../lib/rules/schedule';
import { approveUpdate, assignmentSignal, entrantLifecycle, entrantStateQuery, scoreSignal, selectionSignal } from '../../workflows';
import { makeCampaign, makeEntrantRow } from '../helpers/db';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// Entrants driven to `reviewed` by the lifecycle's own messages, as the earlier stages send
// them (approve, voting close, selection, assignment, three scores): the publication stage's
// starting point, without the review stage's machinery.

export const schoolAdmin: Actor = { accountId: 'a0000000-0000-4000-8000-000000000001', role: 'school_admin', name: '校管理员' };
export const province: Actor = { accountId: 'a0000000-0000-4000-8000-000000000002', role: 'province_admin', name: '省组委会' };
export const FIRST_EXPERTS = ['e0000000-0000-4000-8000-00000000000a', 'e0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000c'];
export const NEW_EXPERTS = ['e0000000-0000-4000-8000-00000000001a', 'e0000000-0000-4000-8000-00000000001b', 'e0000000-0000-4000-8000-00000000001c'];

export interface Spec {
  category?: Category;
  /** The final score: the three experts give score − 1, score, score + 1. */
  score: number;
  votes?: number;
  school?: string;
}

export interface Entrant {
  id: string;
  workflowId: string;
  account: { id: string; username: string; password: string };
  handle: WorkflowHandle<typeof entrantLifecycle>;
  spec: Spec;
}

export async function stateIs(handle: WorkflowHandle, state: EntrantState | EntrantState[]): Promise<void> {
  const wanted = Array.isArray(state) ? state : [state];
  await eventually(async () => (wanted.includes((await handle.query(entrantStateQuery)).state) ? true : undefined), `state ${wanted.join('|')}`);
}

/** Sends three expert scores averaging `score`. */
export async function scoreAll(handle: WorkflowHandle, experts: string[], score: number): Promise<void> {
  for (const [i, expert] of experts.entries()) {
    await handle.signal(scoreSignal, { expertAccountId: expert, total: score - 1 + i, adjustment: 0, actor: { accountId: expert, role: 'expert' } });
  }
}

/**
 * The lifecycle's recordTransition holds a pooled connection for its transaction and takes a
 * second one for its statement, so as many transitions at once as the pool has connections
 * (all entrants at their voting close, say) wait on each other until the pool's timeout. The
 * worker gets a pool with room for two per entrant of these tests; setup goes a few at a time.
 */
export async function workerOrm(): Promise<Orm> {
  return initORM(process.env.TEST_DATABASE_URL!, { pool: { min: 0, max: 30 } });
}

async function few<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...(await Promise.all(items.slice(i, i + 2).map(each))));
  return out;
}

/** A campaign (with `awards` merged into its config) and its entrants, all reviewed. */
export async function reviewedCampaign(env: TestWorkflowEnvironment, orm: Orm, specs: Spec[], config: Record<string, unknown> = {}) {
  const t = windowsAround(await env.currentTimeMs());
  const campaignId = await makeCampaign(orm, t.windows);
  if (Object.keys(config).length > 0) await orm.em.fork().getConnection().execute(`update campaign set config = config || ?::jsonb where id = ?`, [JSON.stringify(config), campaignId]);
  const entrants: Entrant[] = await few(
    specs, async (spec) => {
      const category = spec.category ?? 'teacher';
      const row = await makeEntrantRow(orm, campaignId, category, spec.school);
      const handle = await env.client.workflow.start(entrantLifecycle, {
        taskQueue: TASK_QUEUE,
        workflowId: row.workflowId,
        args: [{ campaignId, entrantId: row.id, category, actor: { accountId: row.account.id, role: category, name: '参赛者' } }],
      });
      await stateIs(handle, 'pending_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
      if (spec.votes) {
        await orm.em.fork().getConnection().execute(`insert into entrant_tally (entrant_id, campaign_id, votes) values (?, ?, ?)`, [row.id, campaignId, spec.votes]);
      }
      return { id: row.id, workflowId: row.workflowId, account: row.account, handle, spec };
    },
  );
  const wait = t.votingCloses + 1000 - (await env.currentTimeMs());
  if (wait > 0) await env.sleep(wait);
  await few(
    entrants, async (e) => {
      await stateIs(e.handle, 'awaiting_selection');
      await e.handle.signal(selectionSignal, { selected: true, actor: province, reason: '网络投票排名前列' });
      await e.handle.signal(assignmentSignal, { experts: FIRST_EXPERTS, seed: 'seed-1', actor: province });
      await scoreAll(e.handle, FIRST_EXPERTS, e.spec.score);
      await stateIs(e.handle, 'reviewed');
    },
  );
  // The lifecycle persists as it goes: wait until every row says reviewed too.
  await eventually(async () => {
    const [r] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from entrant where campaign_id = ? and state = 'reviewed'`, [campaignId]);
    return r.n === entrants.length ? true : undefined;
  }, 'rows reviewed');
  return { campaignId, entrants, ...t };
}

export async function rowState(orm: Orm, entrantId: string): Promise<string> {
  const [row] = await orm.em.fork().getConnection().execute(`select state from entrant where id = ?`, [entrantId]);
  return row.state;
}

export async function resultOf(orm: Orm, entrantId: string): Promise<Record<string, any>> {
  const [row] = await orm.em.fork().getConnection().execute(`select * from result where entrant_id = ?`, [entrantId]);
  return row;
}
