import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { sealCredentials } from '../../api/credentials';
import type { Orm } from '../../db/orm';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import { campaignWorkflowId, TASK_QUEUE } from '../../lib/ids';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Actor, Category } from '../../lib/rules/schedule';
import { approveUpdate, campaign, entrantLifecycle, entrantStateQuery, recommendUpdate } from '../../workflows';
import type { TestApi } from '../helpers/api';
import { firstSchoolOfCity, makeAccount, makeEntrantRow, uniqueId } from '../helpers/db';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// A campaign on its way to review: entrants registered, approved, some recommended, with vote
// tallies; an expert pool; the campaign clock running. Tests then sleep to voting close.
export const schoolAdmin: Actor = { accountId: 'a0000000-0000-4000-8000-000000000001', role: 'school_admin', name: '校管理员' };
export const cityAdmin: Actor = { accountId: 'a0000000-0000-4000-8000-000000000003', role: 'city_admin', name: '市管理员' };
/** The key testApi seals and opens browse credentials with. */
export const TEST_CREDENTIALS_KEY = Buffer.alloc(32, 7);

export interface EntrantSpec {
  label: string;
  category: Category;
  city: string;
  votes: number;
  boosts?: number;
  recommended?: boolean;
  /** Left pending (never approved): it expires and takes no part in the selection. */
  pending?: boolean;
}

export interface FixtureEntrant extends EntrantSpec {
  id: string;
  workflowId: string;
  cityId: number;
  handle: WorkflowHandle<typeof entrantLifecycle>;
  credentials: { username: string; password: string };
}

export interface FixtureExpert {
  id: string;
  username: string;
  password: string;
  city: string;
  cityId: number;
}

export interface ReviewFixture {
  campaignId: string;
  times: ReturnType<typeof windowsAround>;
  reviewOpens: number;
  reviewCloses: number;
  entrants: Record<string, FixtureEntrant>;
  experts: FixtureExpert[];
  campaign: WorkflowHandle<typeof campaign>;
}

const conn = (orm: Orm) => orm.em.fork().getConnection();

export async function cityIdOf(orm: Orm, city: string): Promise<number> {
  const [row] = await conn(orm).execute(`select id from city where name = ?`, [city]);
  return row.id as number;
}

export async function stateIs(handle: WorkflowHandle, state: EntrantState): Promise<void> {
  await eventually(async () => ((await handle.query(entrantStateQuery)).state === state ? true : undefined), `state ${state}`);
}

export async function addExpert(orm: Orm, campaignId: string, city: string): Promise<FixtureExpert> {
  const cityId = await cityIdOf(orm, city);
  const account = await makeAccount(orm, 'expert', { cityId });
  await conn(orm).execute(`update account set email = ? where id = ?`, [`${account.username}@experts.example.cn`, account.id]);
  await conn(orm).execute(`insert into campaign_expert (campaign_id, account_id, city_id, active, activated_at) values (?, ?, ?, true, now())`, [campaignId, account.id, cityId]);
  return { id: account.id, username: account.username, password: account.password, city, cityId };
}

export async function reviewFixture(
  env: TestWorkflowEnvironment,
  orm: Orm,
  opts: { topK: { teacher: number; student: number }; entrants: EntrantSpec[]; experts: string[] },
): Promise<ReviewFixture> {
  const times = windowsAround(await env.currentTimeMs());
  const campaignId = uniqueId('rv');
  const config = defaultCampaignConfig(times.windows);
  config.review.topK = opts.topK;
  await insertCampaign(orm, { id: campaignId, name: `评审测试 ${campaignId}`, year: 2017, config });

  const entrants: Record<string, FixtureEntrant> = {};
  for (const [i, spec] of opts.entrants.entries()) {
    const school = await firstSchoolOfCity(orm, spec.city, i % 3);
    const row = await makeEntrantRow(orm, campaignId, spec.category, school.name);
    const credentials = { username: `space-${spec.label}`, password: `pw-${spec.label}` };
    await conn(orm).execute(`update entrant set browse_credentials = ?, name = ? where id = ?`, [sealCredentials(TEST_CREDENTIALS_KEY, credentials), spec.label, row.id]);
    const handle = await env.client.workflow.start(entrantLifecycle, {
      taskQueue: TASK_QUEUE,
      workflowId: row.workflowId,
      args: [{ campaignId, entrantId: row.id, category: spec.category, actor: { accountId: row.account.id, role: spec.category }, expertsPerSpace: 3 }],
    });
    await stateIs(handle, 'pending_approval');
    if (!spec.pending) await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    if (spec.recommended) await handle.executeUpdate(recommendUpdate, { args: [{ actor: cityAdmin, reason: '市州推优' }] });
    if (spec.votes || spec.boosts) {
      await conn(orm).execute(`insert into entrant_tally (entrant_id, campaign_id, votes, accepted_boosts) values (?, ?, ?, ?)`, [row.id, campaignId, spec.votes, spec.boosts ?? 0]);
    }
    entrants[spec.label] = { ...spec, id: row.id, workflowId: row.workflowId, cityId: school.city_id, handle, credentials };
  }
  const experts: FixtureExpert[] = [];
  for (const city of opts.experts) experts.push(await addExpert(orm, campaignId, city));

  const handle = await env.client.workflow.start(campaign, { taskQueue: TASK_QUEUE, workflowId: campaignWorkflowId(campaignId), args: [{ campaignId, windows: times.windows }] });
  return {
    campaignId,
    times,
    reviewOpens: Date.parse(times.windows.review.opensAt),
    reviewCloses: Date.parse(times.windows.review.closesAt),
    entrants,
    experts,
    campaign: handle,
  };
}

export async function sleepUntil(env: TestWorkflowEnvironment, at: number): Promise<void> {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** Sleeps to the review's opening and waits until its draw has put `label`'s space in review. */
export async function untilInReview(env: TestWorkflowEnvironment, orm: Orm, fx: ReviewFixture, label: string): Promise<void> {
  await sleepUntil(env, fx.times.votingCloses);
  await sleepUntil(env, fx.reviewOpens);
  await assignmentRun(orm, fx.campaignId);
  await stateIs(fx.entrants[label].handle, 'in_review');
}

/** Waits (real time) for the draw of the review opening to be recorded. */
export async function assignmentRun(orm: Orm, campaignId: string): Promise<{ id: string; seed: string; state: string; report: Record<string, unknown> }> {
  return eventually(async () => {
    const [run] = await conn(orm).execute(`select id, seed, state, report from review_run where campaign_id = ? and kind = 'assignment' order by id limit 1`, [campaignId]);
    return run ? { id: String(run.id), seed: run.seed as string, state: run.state as string, report: run.report as Record<string, unknown> } : undefined;
  }, 'the assignment run', 60_000);
}

/** The active experts of a space, sorted. */
export async function expertsOf(orm: Orm, entrantId: string): Promise<string[]> {
  const rows = await conn(orm).execute(`select expert_account_id from review_assignment where entrant_id = ? and replaced_at is null order by expert_account_id`, [entrantId]);
  return rows.map((r) => r.expert_account_id as string);
}

export async function login(api: TestApi, account: { username: string; password: string }): Promise<{ Authorization: string }> {
  const res = await request(api.app).post('/api/auth/login').send({ username: account.username, password: account.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { Authorization: `Bearer ${res.body.token}` };
}

/** A full sheet for a space's rubric: every item at `fraction` of its maximum (one decimal). */
export function sheet(rubric: { key: string; max: number }[], fraction: number): Record<string, number> {
  return Object.fromEntries(rubric.map((i) => [i.key, Math.round(i.max * fraction * 10) / 10]));
}
