import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mailJobId, type MailJob } from '../../activities/mail/queue';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import type { Orm } from '../../db/orm';
import { AppError } from '../../lib/errors';
import type { Principal } from '../../lib/rules/scope';
import { DAY_MS } from '../../lib/time';
import { activate, decide, decline, nominate, type NominationBody } from '../../api/services/nominations';
import { nominationStateQuery, rejectNomineeUpdate, type NominationView } from '../../workflows';
import { makeAccount, testOrm, uniqueId } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { testMailQueue } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// 市州推荐省级评审专家 on the time-skipping server: the nominee's workflow, its invitation timer,
// and the city's places freed by rejection, decline and expiry while the window is open.
const PUBLIC_URL = 'https://lss.example.cn';
// The test server's clock also runs in real time: acting "just before" the expiry leaves a
// minute for a loaded machine (password hashing, round trips). The exact edge is the API's test.
const MARGIN_MS = 60_000;

let env: TestWorkflowEnvironment;
let orm: Orm;
let queue: ReturnType<typeof testMailQueue>;
let worker: RunningWorker;
let nowMs = 0;
let deps: { orm: Orm; temporal: TestWorkflowEnvironment['client']; clock: () => number };
let city: { id: number; code: string };
let province: Principal;

beforeAll(async () => {
  [env, orm] = await Promise.all([timeSkippingEnv(), testOrm()]);
  queue = testMailQueue('nominations');
  worker = await startWorker(env, { orm, mail: { queue, publicUrl: PUBLIC_URL } });
  deps = { orm, temporal: env.client, clock: () => nowMs };
  [city] = await orm.em.fork().getConnection().execute(`select id, code from city where name = '黄石市'`);
  const p = await makeAccount(orm, 'province_admin');
  province = { accountId: p.id, role: 'province_admin', displayName: '省组委会', cityId: null, countyId: null, schoolId: null };
});

afterAll(async () => {
  await worker?.stop();
  await queue?.obliterate();
  await env?.teardown();
  await orm?.close();
});

const conn = () => orm.em.fork().getConnection();

/** The API's clock follows the test server's (skipped) time. */
async function sync(): Promise<number> {
  nowMs = await env.currentTimeMs();
  return nowMs;
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  await sync();
}

/** A campaign whose nomination window opens today and closes at day+8 24:00, with `places` for 黄石市. */
async function setup(places = 2) {
  const t = windowsAround(await sync());
  const config = defaultCampaignConfig(t.windows);
  config.quotas[city.code] = { ...config.quotas[city.code], expert: places };
  const campaignId = uniqueId('n');
  await insertCampaign(orm, { id: campaignId, name: `专家推荐 ${campaignId}`, year: 2017, config });
  const admin = await makeAccount(orm, 'city_admin', { cityId: city.id });
  const cityAdmin: Principal = { accountId: admin.id, role: 'city_admin', displayName: '黄石市管理员', cityId: city.id, countyId: null, schoolId: null };
  return { campaignId, cityAdmin, nominationClosesAt: Date.parse(t.windows.nomination.closesAt) };
}

function body(campaignId: string, name = '王专家'): NominationBody {
  return {
    campaignId,
    name,
    email: `${uniqueId('expert')}@example.cn`,
    title: '中学高级教师',
    speciality: '信息技术与数学教学融合',
    stages: ['junior', 'senior'],
    experience: '十五年数学教学，主持省级教育信息化课题两项。',
    criteria: {
      dedication: '全国优秀教师，师德考核优秀',
      seniorTitle: '2009年评为中学高级教师',
      informatisationResearch: '主持省级课题《网络学习空间应用研究》',
      teachingPractice: '常年使用网络学习空间组织混合式教学',
      fitness: '身体健康，能全程参加评审',
    },
  };
}

async function nominated(campaignId: string, admin: Principal, name?: string) {
  await sync();
  const { nomination } = await nominate(deps, admin, body(campaignId, name));
  const handle = env.client.workflow.getHandle(`expert-nomination-${campaignId}-${nomination.id}`);
  await eventually(async () => ((await handle.query(nominationStateQuery)).decisions.length > 0 ? true : undefined), 'nominated');
  return { id: nomination.id as string, email: nomination.email as string, handle: handle as WorkflowHandle };
}

/**
 * Waits for the workflow to end in `state` by polling, never by awaiting its result: a client
 * waiting on a result unlocks time skipping, and with no timer left the test server leaps years.
 */
async function endsAs(handle: WorkflowHandle, state: string): Promise<NominationView> {
  await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), `workflow ${state}`);
  const view = await handle.query(nominationStateQuery);
  expect(view.state).toBe(state);
  return view;
}

async function rowOf(id: string) {
  const [row] = await conn().execute(`select * from expert_nomination where id = ?`, [id]);
  return row;
}

async function mail(workflowId: string, eventKey: string): Promise<MailJob | undefined> {
  return (await queue.queue.getJob(mailJobId(workflowId, eventKey)))?.data as MailJob | undefined;
}

/** The token of the invitation mail (the only place it exists in clear). */
async function invitationToken(workflowId: string): Promise<string> {
  const job = await eventually(() => mail(workflowId, 'invited'), 'invitation mail');
  expect(job.template).toBe('expert_selected');
  const link = new URL(job.params.link);
  expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_URL}/experts/activate`);
  return link.searchParams.get('token')!;
}

async function refusedWith(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.kind;
    if (err instanceof WorkflowUpdateFailedError) return String((err.cause as { type?: string })?.type);
    return `other: ${(err as Error).message}`;
  }
  throw new Error('expected a refusal');
}

async function placesUsed(campaignId: string): Promise<number> {
  const [{ n }] = await conn().execute(
    `select count(*)::int as n from expert_nomination where campaign_id = ? and city_id = ? and state in ('nominated','selected','invited','active')`,
    [campaignId, city.id],
  );
  return n;
}

describe('expert nomination workflow (市州推荐省级评审专家)', () => {
  test('when the province selects a nominee, then it is invited with a link that expires in 7 days, and activating it makes an active expert in the pool', async () => {
    const c = await setup();
    const n = await nominated(c.campaignId, c.cityAdmin);
    expect(await eventually(() => mail(n.handle.workflowId, '1:nominated'), 'nomination mail')).toMatchObject({ template: 'expert_nomination_received', to: n.email, params: { city: '黄石市' } });

    const selectedAt = await sync();
    const answer = await decide(deps, province, n.id, 'select', '符合推荐标准');
    const answeredAt = await sync();
    expect(answer.state).toBe('invited');
    // 7 days from the moment the workflow handled the selection.
    expect(Date.parse(answer.invitationExpiresAt!)).toBeGreaterThanOrEqual(selectedAt + 7 * DAY_MS);
    expect(Date.parse(answer.invitationExpiresAt!)).toBeLessThanOrEqual(answeredAt + 7 * DAY_MS);

    const token = await invitationToken(n.handle.workflowId);
    const [stored] = await conn().execute(`select token_hash, expires_at, used_at from expert_invitation where nomination_id = ?`, [n.id]);
    expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await n.handle.fetchHistory())).not.toContain(token);

    await sleepUntil(Date.parse(answer.invitationExpiresAt!) - MARGIN_MS);
    const activated = await activate(deps, token, 'a long enough password');
    expect(activated).toMatchObject({ nominationId: n.id, state: 'active', username: n.email });

    const result = await endsAs(n.handle, 'active');
    expect(result.decisions.map((d) => d.event)).toEqual(['nominated', 'selected', 'invited', 'activated']);
    const row = await rowOf(n.id);
    expect(row).toMatchObject({ state: 'active', decided_by: province.accountId, account_id: expect.any(String) });
    const [account] = await conn().execute(`select role, city_id, disabled, email from account where id = ?`, [row.account_id]);
    expect(account).toEqual({ role: 'expert', city_id: city.id, disabled: false, email: n.email });
    const pool = await conn().execute(`select city_id, active from campaign_expert where campaign_id = ? and account_id = ?`, [c.campaignId, row.account_id]);
    expect(pool).toEqual([{ city_id: city.id, active: true }]);
    // Single use: the same link again is refused and changes nothing.
    expect(await refusedWith(activate(deps, token, 'another password!'))).toBe('Conflict');
    await exportHistory('expert-nomination-activated', n.handle);
  });

  test('when the province rejects without a reason, then it is refused; with one, the nominee is told and the place is free', async () => {
    const c = await setup(1);
    const n = await nominated(c.campaignId, c.cityAdmin);
    expect(await refusedWith(n.handle.executeUpdate(rejectNomineeUpdate, { args: [{ actor: { accountId: province.accountId, role: 'province_admin' } }] }))).toBe('ValidationFailed');
    expect(await placesUsed(c.campaignId)).toBe(1);

    const answer = await decide(deps, province, n.id, 'reject', '高级职称证明材料不全');
    expect(answer).toMatchObject({ state: 'rejected', reason: '高级职称证明材料不全' });
    await endsAs(n.handle, 'rejected');
    expect(await eventually(() => mail(n.handle.workflowId, '2:rejected'), 'rejection mail')).toMatchObject({ template: 'expert_rejected', to: n.email });
    expect(await placesUsed(c.campaignId)).toBe(0);
    expect(await refusedWith(decide(deps, province, n.id, 'select'))).toBe('InvalidTransition');
    await exportHistory('expert-nomination-rejected', n.handle);
  });

  test('when the invited expert declines, then the nomination ends declined, the link is used up and the place is free', async () => {
    const c = await setup(1);
    const n = await nominated(c.campaignId, c.cityAdmin);
    await decide(deps, province, n.id, 'select');
    const token = await invitationToken(n.handle.workflowId);
    expect(await decline(deps, token, '时间冲突')).toMatchObject({ state: 'declined' });
    await endsAs(n.handle, 'declined');
    expect(await rowOf(n.id)).toMatchObject({ state: 'declined', reason: '时间冲突', account_id: null });
    const [inv] = await conn().execute(`select used_at from expert_invitation where nomination_id = ?`, [n.id]);
    expect(inv.used_at).not.toBeNull();
    expect(await refusedWith(activate(deps, token, 'a long enough password'))).toBe('Conflict');
    expect(await placesUsed(c.campaignId)).toBe(0);
  });

  test('when the invitation is not accepted in time, then it ends expired at its expiry (a minute before it was still open) and the link answers 409', async () => {
    const c = await setup(2);
    const onTime = await nominated(c.campaignId, c.cityAdmin, '按时专家');
    const late = await nominated(c.campaignId, c.cityAdmin, '逾期专家');
    const selectedAt = await sync();
    await decide(deps, province, onTime.id, 'select');
    await decide(deps, province, late.id, 'select');
    const onTimeToken = await invitationToken(onTime.handle.workflowId);
    const lateToken = await invitationToken(late.handle.workflowId);
    const onTimeExpires = Date.parse((await rowOf(onTime.id)).invitation_expires_at);
    const lateExpires = Date.parse((await rowOf(late.id)).invitation_expires_at);
    expect(onTimeExpires).toBeGreaterThanOrEqual(selectedAt + 7 * DAY_MS);

    await sleepUntil(onTimeExpires - MARGIN_MS);
    expect(await activate(deps, onTimeToken, 'a long enough password')).toMatchObject({ state: 'active' });
    expect((await late.handle.query(nominationStateQuery)).state).toBe('invited');
    await sleepUntil(lateExpires);
    const result = await endsAs(late.handle, 'expired');
    expect(result.decisions.at(-1)).toMatchObject({ event: 'expired', reason: 'the invitation was not accepted in time' });
    expect(await rowOf(late.id)).toMatchObject({ state: 'expired' });
    expect(await refusedWith(activate(deps, lateToken, 'a long enough password'))).toBe('DeadlinePassed');
    const [account] = await conn().execute(`select count(*)::int as n from account where lower(email) = ?`, [late.email]);
    expect(account.n).toBe(0);
    expect(await placesUsed(c.campaignId)).toBe(1);
    await exportHistory('expert-nomination-expired', late.handle);
  });

  test('when places are freed by rejection, decline and expiry, then the city can nominate again while the window is open, and not after it closes', async () => {
    const c = await setup(1);
    const a = await nominated(c.campaignId, c.cityAdmin, '甲');
    expect(await refusedWith(nominate(deps, c.cityAdmin, body(c.campaignId, '乙')))).toBe('QuotaExceeded');

    await decide(deps, province, a.id, 'reject', '名额调整');
    const b = await nominated(c.campaignId, c.cityAdmin, '乙');
    await decide(deps, province, b.id, 'select');
    expect(await refusedWith(nominate(deps, c.cityAdmin, body(c.campaignId, '丙')))).toBe('QuotaExceeded');
    await decline(deps, await invitationToken(b.handle.workflowId));

    const d = await nominated(c.campaignId, c.cityAdmin, '丁');
    await decide(deps, province, d.id, 'select');
    await sleepUntil(Date.parse((await rowOf(d.id)).invitation_expires_at));
    await endsAs(d.handle, 'expired');
    expect(await placesUsed(c.campaignId)).toBe(0);

    const e = await nominated(c.campaignId, c.cityAdmin, '戊');
    expect(await placesUsed(c.campaignId)).toBe(1);
    await decide(deps, province, e.id, 'reject', '另有人选');
    await sleepUntil(c.nominationClosesAt);
    expect(await refusedWith(nominate(deps, c.cityAdmin, body(c.campaignId, '己')))).toBe('WindowClosed');
    expect(await placesUsed(c.campaignId)).toBe(0);
  });
});
