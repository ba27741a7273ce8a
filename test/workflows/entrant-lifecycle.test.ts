import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../../db/orm';
import { TASK_QUEUE, campaignWorkflowId } from '../../lib/ids';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Actor, Category } from '../../lib/rules/schedule';
import {
  approveUpdate,
  assignmentSignal,
  campaign,
  disqualifyUpdate,
  entrantLifecycle,
  entrantStateQuery,
  extendWindowUpdate,
  advanceWindowUpdate,
  finalisedSignal,
  publishedSignal,
  rejectUpdate,
  resubmitUpdate,
  scoreSignal,
  selectionSignal,
  withdrawUpdate,
} from '../../workflows';
import { makeCampaign, makeEntrantRow, testOrm } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

const schoolAdmin: Actor = { accountId: 'a0000000-0000-4000-8000-000000000001', role: 'school_admin', name: '校管理员' };
const province: Actor = { accountId: 'a0000000-0000-4000-8000-000000000002', role: 'province_admin', name: '省组委会' };
const city: Actor = { accountId: 'a0000000-0000-4000-8000-000000000003', role: 'city_admin', name: '市管理员' };

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;

beforeAll(async () => {
  env = await timeSkippingEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

async function now(): Promise<number> {
  return env.currentTimeMs();
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - (await now());
  if (ms > 0) await env.sleep(ms);
}

async function setup(opts: { withCampaign?: boolean } = {}) {
  const t = windowsAround(await now());
  const campaignId = await makeCampaign(orm, t.windows);
  if (opts.withCampaign) {
    await env.client.workflow.start(campaign, { taskQueue: TASK_QUEUE, workflowId: campaignWorkflowId(campaignId), args: [{ campaignId, windows: t.windows }] });
  }
  return { ...t, campaignId };
}

async function register(campaignId: string, category: Category = 'teacher') {
  const row = await makeEntrantRow(orm, campaignId, category);
  const handle = await env.client.workflow.start(entrantLifecycle, {
    taskQueue: TASK_QUEUE,
    workflowId: row.workflowId,
    args: [{ campaignId, entrantId: row.id, category, actor: { accountId: row.account.id, role: category, name: '参赛者' } }],
  });
  await stateIs(handle, 'pending_approval');
  return { ...row, handle };
}

async function stateIs(handle: WorkflowHandle, state: EntrantState): Promise<void> {
  await eventually(async () => ((await handle.query(entrantStateQuery)).state === state ? true : undefined), `state ${state}`);
}

async function rowState(entrantId: string): Promise<string> {
  const [row] = await orm.em.fork().getConnection().execute(`select state from entrant where id = ?`, [entrantId]);
  return row.state;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return `${(err.cause as { type?: string })?.type}: ${err.cause?.message}`;
    return `other: ${(err as Error).message}`;
  }
  throw new Error('expected a refusal');
}

describe('registration deadline (Asia/Shanghai midnight)', () => {
  test('when the school admin approves at 23:59:59 on the last day, then the entrant is approved and persisted', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await sleepUntil(c.teacherRegistrationCloses - 1000);
    const view = await e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    expect(view.state).toBe('approved');
    expect(await rowState(e.id)).toBe('approved');
  });

  test('when the school admin approves at 00:00:00 the next day, then it is refused and the entrant has expired', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await sleepUntil(c.teacherRegistrationCloses);
    const refused = await refusal(e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] }));
    expect(refused).not.toContain('approved');
    const result = await e.handle.result();
    expect(result.state).toBe('expired');
    expect(result.decisions.at(-1)).toMatchObject({ event: 'expired', reason: 'not approved before registration closed' });
    expect(await rowState(e.id)).toBe('expired');
  });

  test('when teachers registration has closed, then a student entrant can still be approved inside the student window', async () => {
    const c = await setup();
    const teacher = await register(c.campaignId, 'teacher');
    const student = await register(c.campaignId, 'student');
    await sleepUntil(c.teacherRegistrationCloses + 60_000);
    expect((await student.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] })).state).toBe('approved');
    expect((await teacher.handle.result()).state).toBe('expired');
  });

  test('when approved, then the entrant waits through voting and becomes awaiting_selection when voting closes', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    await sleepUntil(c.votingCloses - 1000);
    expect((await e.handle.query(entrantStateQuery)).state).toBe('approved');
    await sleepUntil(c.votingCloses + 1000);
    await stateIs(e.handle, 'awaiting_selection');
    await eventually(async () => ((await rowState(e.id)) === 'awaiting_selection' ? true : undefined), 'row awaiting_selection');
  });
});

describe('a deadline moved while its broadcast is on the way', () => {
  test('when registration was extended in the stored schedule but the entrant was not yet told, then at the old close it reads the schedule and keeps waiting', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    // The campaign workflow has stored version 2 (registration one day longer); its paced
    // broadcast has not reached this entrant yet.
    const later = new Date(c.teacherRegistrationCloses + 86_400_000).toISOString();
    await orm.em.fork().getConnection().execute(
      `update campaign set schedule = jsonb_set(jsonb_set(schedule, '{version}', '2'), '{windows,teacher.registration,closesAt}', to_jsonb(?::text)) where id = ?`,
      [later, c.campaignId],
    );
    await sleepUntil(c.teacherRegistrationCloses + 60_000);
    await eventually(async () => ((await e.handle.query(entrantStateQuery)).registrationClosesAt === later ? true : undefined), 'the stored deadline read at the old close');
    expect((await e.handle.query(entrantStateQuery)).state).toBe('pending_approval');
    expect((await e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] })).state).toBe('approved');
    await exportHistory('entrant-lifecycle-deadline-recheck', e.handle);
  });

  test('when the stored schedule has not moved, then the entrant expires at the close as before', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await sleepUntil(c.teacherRegistrationCloses + 60_000);
    await stateIs(e.handle, 'expired');
  });
});

describe('admin overrides of the campaign clock', () => {
  test('when the province extends registration before it closes, then open entrants follow the new deadline', async () => {
    const c = await setup({ withCampaign: true });
    const e = await register(c.campaignId);
    const camp = env.client.workflow.getHandle(campaignWorkflowId(c.campaignId));
    const newClose = new Date(c.teacherRegistrationCloses + 3 * 86_400_000).toISOString();
    const schedule = await camp.executeUpdate(extendWindowUpdate, {
      args: [{ window: 'teacher.registration', closesAt: newClose, actor: province, reason: '报名情况不理想，延期三天' }],
    });
    expect(schedule.windows['teacher.registration'].closesAt).toBe(newClose);
    await eventually(async () => ((await e.handle.query(entrantStateQuery)).registrationClosesAt === newClose ? true : undefined), 'entrant sees the extension');
    await sleepUntil(c.teacherRegistrationCloses + 60_000);
    expect((await e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] })).state).toBe('approved');
    const [event] = await orm.em.fork().getConnection().execute(`select change from campaign_event where campaign_id = ? and change->>'kind' = 'extend'`, [c.campaignId]);
    expect(event.change).toMatchObject({ actor: province, reason: '报名情况不理想，延期三天', window: 'teacher.registration' });
    await exportHistory('campaign-schedule-extended', camp);
  });

  test('when the province extends a window that already closed, then it is refused unless it reopens explicitly', async () => {
    const c = await setup({ withCampaign: true });
    await sleepUntil(c.teacherRegistrationCloses + 1000);
    const camp = env.client.workflow.getHandle(campaignWorkflowId(c.campaignId));
    const later = new Date(c.teacherRegistrationCloses + 2 * 86_400_000).toISOString();
    const refused = await refusal(camp.executeUpdate(extendWindowUpdate, { args: [{ window: 'teacher.registration', closesAt: later, actor: province, reason: '延期' }] }));
    expect(refused).toMatch(/^WindowClosed: window closed at .*set reopen/);
    const schedule = await camp.executeUpdate(extendWindowUpdate, {
      args: [{ window: 'teacher.registration', closesAt: later, reopen: true, actor: province, reason: '重新开放报名' }],
    });
    expect(schedule.windows['teacher.registration'].closesAt).toBe(later);
    await exportHistory('campaign-schedule-reopened', camp);
  });

  test('when the province advances registration early, then pending entrants expire at once', async () => {
    const c = await setup({ withCampaign: true });
    const e = await register(c.campaignId);
    const camp = env.client.workflow.getHandle(campaignWorkflowId(c.campaignId));
    await camp.executeUpdate(advanceWindowUpdate, { args: [{ window: 'teacher.registration', actor: province, reason: '提前结束报名' }] });
    const result = await e.handle.result();
    expect(result.state).toBe('expired');
    await exportHistory('entrant-lifecycle-expired-early', e.handle);
    await exportHistory('campaign-schedule-advanced', camp);
  });

  test('when a change lacks a reason, then it is refused and the schedule is unchanged', async () => {
    const c = await setup({ withCampaign: true });
    const camp = env.client.workflow.getHandle(campaignWorkflowId(c.campaignId));
    expect(await refusal(camp.executeUpdate(advanceWindowUpdate, { args: [{ window: 'teacher.registration', actor: province, reason: ' ' }] }))).toBe(
      'ValidationFailed: a reason is required',
    );
  });
});

describe('decisions', () => {
  test('when rejected without a reason, then it is refused; with a reason, the entrant may resubmit and be approved', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    expect(await refusal(e.handle.executeUpdate(rejectUpdate, { args: [{ actor: schoolAdmin }] }))).toBe('ValidationFailed: a reason is required');
    const rejected = await e.handle.executeUpdate(rejectUpdate, { args: [{ actor: schoolAdmin, reason: '姓名与学校名册不符' }] });
    expect(rejected.state).toBe('rejected');
    expect(await rowState(e.id)).toBe('rejected');
    expect(await refusal(e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] }))).toBe('InvalidTransition: cannot approve: entrant is rejected');
    await e.handle.executeUpdate(resubmitUpdate, { args: [{ actor: { accountId: e.account.id, role: 'teacher' } }] });
    expect((await e.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] })).state).toBe('approved');
    await exportHistory('entrant-lifecycle-rejected-resubmitted', e.handle);
  });

  test('when a rejected entrant does not resubmit before registration closes, then it expires', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await e.handle.executeUpdate(rejectUpdate, { args: [{ actor: schoolAdmin, reason: '空间地址无法访问' }] });
    await sleepUntil(c.teacherRegistrationCloses + 1000);
    const result = await e.handle.result();
    expect(result.state).toBe('expired');
    expect(result.decisions.at(-1)?.reason).toBe('rejected and not resubmitted before registration closed');
    await exportHistory('entrant-lifecycle-rejected-expired', e.handle);
  });

  test('when the entrant withdraws before review, then it ends withdrawn; in review it is refused', async () => {
    const c = await setup();
    const pending = await register(c.campaignId);
    expect((await pending.handle.executeUpdate(withdrawUpdate, { args: [{ actor: { accountId: pending.account.id, role: 'teacher' } }] })).state).toBe('withdrawn');
    await exportHistory('entrant-lifecycle-withdrawn', pending.handle);
    const approved = await register(c.campaignId);
    await approved.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    expect((await approved.handle.executeUpdate(withdrawUpdate, { args: [{ actor: { accountId: approved.account.id, role: 'teacher' } }] })).state).toBe('withdrawn');
    expect(await rowState(approved.id)).toBe('withdrawn');

    const reviewing = await register(c.campaignId);
    await reviewing.handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    await sleepUntil(c.votingCloses + 1000);
    await stateIs(reviewing.handle, 'awaiting_selection');
    await reviewing.handle.signal(selectionSignal, { selected: true, actor: province });
    await stateIs(reviewing.handle, 'in_review');
    expect(await refusal(reviewing.handle.executeUpdate(withdrawUpdate, { args: [{ actor: { accountId: reviewing.account.id, role: 'teacher' } }] }))).toBe(
      'InvalidTransition: cannot withdraw: entrant is in_review',
    );
  });
});

describe('disqualification (取消资格) at every stage', () => {
  const stages: EntrantState[] = ['pending_approval', 'approved', 'awaiting_selection', 'in_review', 'reviewed', 'published'];

  test.each(stages)('when the province disqualifies an entrant that is %s, then it ends disqualified with reason and evidence', async (stage) => {
    const c = await setup();
    const e = await register(c.campaignId);
    await driveTo(e.handle, stage, c.votingCloses);
    const view = await e.handle.executeUpdate(disqualifyUpdate, { args: [{ actor: province, reason: '经核实存在刷票行为', evidence: 'flag #42' }] });
    expect(view.state).toBe('disqualified');
    expect(view.decisions.at(-1)).toMatchObject({ from: stage, to: 'disqualified', reason: '经核实存在刷票行为', actor: province });
    expect(await rowState(e.id)).toBe('disqualified');
    const [t] = await orm.em.fork().getConnection().execute(`select details, actor_role from entrant_transition where entrant_id = ? and to_state = 'disqualified'`, [e.id]);
    expect(t).toMatchObject({ actor_role: 'province_admin', details: { evidence: 'flag #42' } });
    if (stage === 'in_review') await exportHistory('entrant-lifecycle-disqualified-in-review', e.handle);
  });

  test('when an entrant has ended, then disqualifying it again is refused', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await e.handle.executeUpdate(disqualifyUpdate, { args: [{ actor: province, reason: '内容侵权' }] });
    await expect(e.handle.executeUpdate(disqualifyUpdate, { args: [{ actor: province, reason: '内容侵权' }] })).rejects.toThrow();
  });
});

const experts = ['e0000000-0000-4000-8000-00000000000a', 'e0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000c'];

async function driveTo(handle: WorkflowHandle, stage: EntrantState, votingCloses: number): Promise<void> {
  if (stage === 'pending_approval') return;
  await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
  if (stage === 'approved') return;
  await sleepUntil(votingCloses + 1000);
  await stateIs(handle, 'awaiting_selection');
  if (stage === 'awaiting_selection') return;
  await handle.signal(selectionSignal, { selected: true, actor: province, reason: '网络投票排名前列' });
  await stateIs(handle, 'in_review');
  if (stage === 'in_review') return;
  await handle.signal(assignmentSignal, { experts, seed: 'seed-1', actor: province });
  for (const [i, expert] of experts.entries()) {
    await handle.signal(scoreSignal, { expertAccountId: expert, total: 80 + i, adjustment: 0, actor: { accountId: expert, role: 'expert' } });
  }
  await stateIs(handle, 'reviewed');
  if (stage === 'reviewed') return;
  await handle.signal(publishedSignal, { actor: province });
  await stateIs(handle, 'published');
}

describe('a whole lifecycle', () => {
  test('when an entrant goes from registration to award, then the final score is the experts average and the history stays small', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await driveTo(e.handle, 'published', c.votingCloses);
    await e.handle.signal(finalisedSignal, { award: 'first', actor: province });
    const result = await e.handle.result();
    expect(result.state).toBe('awarded');
    expect(result.finalScore).toBe(81);
    expect(result.decisions.map((d) => d.to)).toEqual([
      'pending_approval', 'approved', 'awaiting_selection', 'in_review', 'in_review', 'in_review', 'in_review', 'in_review', 'reviewed', 'published', 'awarded',
    ]);
    const transitions = await orm.em.fork().getConnection().execute(`select count(*)::int as n from entrant_transition where entrant_id = ?`, [e.id]);
    expect(transitions[0].n).toBe(result.decisions.length);
    const history = await e.handle.fetchHistory();
    const events = history.events?.length ?? 0;
    console.log(`full lifecycle history: ${events} events`);
    expect(events).toBeLessThan(300);
    await exportHistory('entrant-lifecycle-awarded', e.handle);
  });

  test('when a selection says not selected, then the entrant ends not_selected', async () => {
    const c = await setup();
    const e = await register(c.campaignId);
    await driveTo(e.handle, 'awaiting_selection', c.votingCloses);
    await e.handle.signal(selectionSignal, { selected: false, actor: province });
    expect((await e.handle.result()).state).toBe('not_selected');
    await exportHistory('entrant-lifecycle-not-selected', e.handle);
  });
});
