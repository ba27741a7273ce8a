import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { startCampaignWorkflow } from '../../api/services/campaigns';
import { campaignWorkflowId } from '../../lib/ids';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeCampaign, testOrm } from '../helpers/db';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { windowsAround } from '../helpers/windows';

// The province's phase control over the API: advance and extend go to the campaign workflow,
// which validates them; the route answers for campaigns that do not exist or whose clock stopped.
let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let province: Awaited<ReturnType<typeof loginAs>>;
const running: string[] = [];

beforeAll(async () => {
  [env, orm] = await Promise.all([localEnv(), testOrm()]);
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  province = await loginAs(api, 'province_admin');
});

afterAll(async () => {
  for (const id of running) await env.client.workflow.getHandle(campaignWorkflowId(id)).terminate('test done').catch(() => undefined);
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

async function campaignWithClock(): Promise<{ id: string; windows: ReturnType<typeof windowsAround>['windows'] }> {
  const { windows } = windowsAround(Date.now());
  const id = await makeCampaign(orm, windows);
  await startCampaignWorkflow(env.client, id, windows);
  running.push(id);
  return { id, windows };
}

const advance = (id: string, window: string, body: object, auth = province.auth) => request(api.app).post(`/api/campaigns/${id}/windows/${window}/advance`).set(auth).send(body);
const extend = (id: string, window: string, body: object) => request(api.app).post(`/api/campaigns/${id}/windows/${window}/extend`).set(province.auth).send(body);

describe('phase control (提前 / 延期)', () => {
  test('when the province admin extends a window with a reason, then the schedule moves and the change is recorded with who and why', async () => {
    const c = await campaignWithClock();
    const closesAt = new Date(Date.parse(c.windows['teacher.registration'].closesAt) + 86_400_000).toISOString();
    const res = await extend(c.id, 'teacher.registration', { closesAt, reason: '报名人数不足，延期一天' });
    expect(res.status).toBe(200);
    expect(res.body.windows.find((w: { key: string }) => w.key === 'teacher.registration')).toMatchObject({ closesAt, phase: 'open' });
    const changes = await request(api.app).get(`/api/campaigns/${c.id}/changes`).set(province.auth);
    expect(changes.body.items.at(-1)).toMatchObject({ kind: 'extend', window: 'teacher.registration', reason: '报名人数不足，延期一天', actor: { accountId: province.id } });
  });

  test('when the request is incomplete, not the province admin, or the workflow refuses, then it answers 400, 403 or 409 and nothing changes', async () => {
    const c = await campaignWithClock();
    expect((await advance(c.id, 'teacher.registration', {})).status).toBe(400);
    expect((await advance(c.id, 'no.such.window', { reason: '提前' })).status).toBe(400);
    const city = await loginAs(api, 'city_admin', { cityId: 1 });
    expect((await advance(c.id, 'teacher.registration', { reason: '提前' }, city.auth)).status).toBe(403);
    // "Extending" to an earlier deadline: the workflow's validator refuses it.
    const early = await extend(c.id, 'teacher.registration', { closesAt: new Date(Date.now() - 86_400_000).toISOString(), reason: '缩短' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/later/);
    const changes = await request(api.app).get(`/api/campaigns/${c.id}/changes`).set(province.auth);
    expect(changes.body.items).toEqual([]);
  });

  test('when the campaign does not exist, then 404; when its clock is not running, then 409 saying so', async () => {
    expect((await advance('no-such-campaign', 'teacher.registration', { reason: '提前' })).status).toBe(404);
    const { windows } = windowsAround(Date.now());
    const stopped = await makeCampaign(orm, windows);
    const res = await advance(stopped, 'teacher.registration', { reason: '提前' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`the clock of campaign ${stopped} is not running, so its schedule cannot change`);
  });
});
