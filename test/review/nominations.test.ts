import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { mailJobId, type MailJob } from '../../activities/mail/queue';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import type { Orm } from '../../db/orm';
import { DAY_MS } from '../../lib/time';
import { testOrm, uniqueId } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { testMailQueue } from '../helpers/mail';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// 市州推荐省级评审专家 over the API on a real Temporal server: the city's places, the province's
// choice, the one-time activation link, and who may do what.
const PUBLIC_URL = 'https://lss.example.cn';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let queue: ReturnType<typeof testMailQueue>;
let api: TestApi;
let huangshi: { id: number; code: string };
let wuhan: { id: number; code: string };

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  queue = testMailQueue('nomination-api');
  worker = await startWorker(env, { orm, mail: { queue, publicUrl: PUBLIC_URL } });
  api = testApi(orm, env);
  [huangshi] = await conn().execute(`select id, code from city where name = '黄石市'`);
  [wuhan] = await conn().execute(`select id, code from city where name = '武汉市'`);
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await queue?.obliterate();
  await env?.teardown();
  await orm?.close();
});

const conn = () => orm.em.fork().getConnection();

/** A campaign whose nomination window is open (today – day+8), with `places` for 黄石市. */
async function campaignWith(places: number): Promise<{ id: string; nominationCloses: number }> {
  const { windows } = windowsAround(Date.now());
  const config = defaultCampaignConfig(windows);
  config.quotas[huangshi.code] = { ...config.quotas[huangshi.code], expert: places };
  const id = uniqueId('x');
  await insertCampaign(orm, { id, name: `专家 ${id}`, year: 2017, config });
  return { id, nominationCloses: Date.parse(windows.nomination.closesAt) };
}

function nominee(campaignId: string, overrides: Record<string, unknown> = {}) {
  return {
    campaignId,
    name: '李专家',
    email: `${uniqueId('li')}@example.cn`,
    title: '正高级教师',
    speciality: '小学语文与信息技术融合',
    stages: ['primary'],
    experience: '二十年小学语文教学，省级网络学习空间应用示范校负责人。',
    criteria: {
      dedication: '省级师德标兵',
      seniorTitle: '2015年评为正高级教师',
      informatisationResearch: '发表教育信息化论文十余篇',
      teachingPractice: '长期开展基于空间的翻转课堂教学',
      fitness: '身体健康，可全程参加评审',
    },
    ...overrides,
  };
}

const nominate = (auth: Record<string, string>, body: unknown) => request(api.app).post('/api/nominations').set(auth).send(body as object);

async function stored(campaignId: string): Promise<number> {
  const [{ n }] = await conn().execute(`select count(*)::int as n from expert_nomination where campaign_id = ?`, [campaignId]);
  return n;
}

async function invitationToken(nominationId: string): Promise<string> {
  const [row] = await conn().execute(`select workflow_id from expert_nomination where id = ?`, [nominationId]);
  const job = await eventually(async () => (await queue.queue.getJob(mailJobId(row.workflow_id, 'invited')))?.data as MailJob | undefined, 'invitation mail');
  return new URL(job.params.link).searchParams.get('token')!;
}

describe('expert nomination API (市州推荐省级评审专家)', () => {
  test('when a city admin nominates within its places, then it answers 201 with the quota use, and the province sees it per city', async () => {
    const c = await campaignWith(2);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const res = await nominate(admin.auth, nominee(c.id));
    expect(res.status).toBe(201);
    expect(res.body.nomination).toMatchObject({ state: 'nominated', city: { id: huangshi.id, name: '黄石市' }, stages: ['primary'], nominatedBy: admin.id });
    expect(res.body.nomination.criteria.seniorTitle).toEqual({ label: expect.stringContaining('高级职称'), statement: '2015年评为正高级教师' });
    expect(res.body.quota).toEqual({ limit: 2, used: 1, remaining: 1 });

    const province = await loginAs(api, 'province_admin');
    const list = await request(api.app).get('/api/nominations').query({ campaignId: c.id }).set(province.auth);
    expect(list.status).toBe(200);
    expect(list.body.window.phase).toBe('open');
    expect(list.body.cities).toHaveLength(17);
    expect(list.body.cities.find((x: { city: { id: number } }) => x.city.id === huangshi.id)).toMatchObject({ quota: { limit: 2, used: 1 }, byState: { nominated: 1 } });
    expect(list.body.cities.find((x: { city: { id: number } }) => x.city.id === wuhan.id).quota).toEqual({ limit: 15, used: 0, remaining: 15 });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([res.body.nomination.id]);

    const own = await request(api.app).get('/api/nominations').query({ campaignId: c.id }).set(admin.auth);
    expect(own.body.cities.map((x: { city: { id: number } }) => x.city.id)).toEqual([huangshi.id]);
    const other = await loginAs(api, 'city_admin', { cityId: wuhan.id });
    expect((await request(api.app).get('/api/nominations').query({ campaignId: c.id }).set(other.auth)).body.items).toEqual([]);
    expect((await request(api.app).get('/api/nominations').query({ campaignId: c.id, cityId: huangshi.id }).set(other.auth)).status).toBe(403);
    expect((await request(api.app).get(`/api/nominations/${res.body.nomination.id}`).set(other.auth)).status).toBe(403);
  });

  test.each([
    ['no stages', { stages: [] }, ['body.stages']],
    ['an unknown stage and a bad address', { stages: ['college'], email: 'not-an-address' }, ['body.stages.0', 'body.email']],
    ['a stage twice', { stages: ['junior', 'junior'] }, ['body.stages']],
    ['a missing criterion statement', { criteria: { dedication: '是', seniorTitle: '正高', informatisationResearch: '有研究', teachingPractice: '有实践' } }, ['body.criteria.dedication', 'body.criteria.fitness']],
    ['no title and no experience', { title: ' ', experience: undefined }, ['body.title', 'body.experience']],
  ])('when the body has %s, then it answers 400 with the fields named and stores nothing', async (_what, overrides, paths) => {
    const c = await campaignWith(2);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const res = await nominate(admin.auth, nominee(c.id, overrides));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...(paths as string[])].sort());
    expect(await stored(c.id)).toBe(0);
  });

  test('when a city admin nominates for another city or beyond its places, or another role tries, then it is refused (403/409) and nothing is stored', async () => {
    const c = await campaignWith(1);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const forOther = await nominate(admin.auth, nominee(c.id, { cityId: wuhan.id }));
    expect(forOther.status).toBe(403);
    expect(forOther.body.error.message).toMatch(/outside your city/);
    const province = await loginAs(api, 'province_admin');
    expect((await nominate(province.auth, nominee(c.id))).status).toBe(403);
    expect((await request(api.app).post('/api/nominations').send(nominee(c.id))).status).toBe(401);
    expect(await stored(c.id)).toBe(0);

    expect((await nominate(admin.auth, nominee(c.id))).status).toBe(201);
    const beyond = await nominate(admin.auth, nominee(c.id));
    expect(beyond.status).toBe(409);
    expect(beyond.body.error).toMatchObject({ code: 'QuotaExceeded', details: { limit: 1, used: 1, remaining: 0 } });
    expect(await stored(c.id)).toBe(1);
  });

  test('when two admins of one city nominate at once with one place left, then exactly one succeeds', async () => {
    for (let round = 0; round < 3; round += 1) {
      const c = await campaignWith(2);
      const [a, b] = await Promise.all([loginAs(api, 'city_admin', { cityId: huangshi.id }), loginAs(api, 'city_admin', { cityId: huangshi.id })]);
      expect((await nominate(a.auth, nominee(c.id))).status).toBe(201);
      const answers = await Promise.all([nominate(a.auth, nominee(c.id)), nominate(b.auth, nominee(c.id))]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await stored(c.id)).toBe(2);
    }
  });

  test('when the same person is nominated twice, or outside the window, then it answers 409 and stores nothing more', async () => {
    const c = await campaignWith(3);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const body = nominee(c.id);
    expect((await nominate(admin.auth, body)).status).toBe(201);
    const again = await nominate(admin.auth, { ...body, email: body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already nominated/);
    try {
      api.setNow(c.nominationCloses);
      const late = await nominate(admin.auth, nominee(c.id));
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: 'WindowClosed', message: expect.stringContaining('closed at') });
    } finally {
      api.setNow(undefined);
    }
    expect(await stored(c.id)).toBe(1);
  });

  test('when the province selects, then the nominee activates once with the mailed link, logs in as an expert of its city and is in the pool', async () => {
    const c = await campaignWith(2);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const body = nominee(c.id);
    const { id } = (await nominate(admin.auth, body)).body.nomination;
    const province = await loginAs(api, 'province_admin');

    expect((await request(api.app).post(`/api/nominations/${id}/select`).set(admin.auth).send({})).status).toBe(403);
    const selected = await request(api.app).post(`/api/nominations/${id}/select`).set(province.auth).send({ reason: '符合标准' });
    expect(selected.status).toBe(200);
    expect(selected.body).toMatchObject({ state: 'invited', decidedBy: province.id });
    expect(Date.parse(selected.body.invitationExpiresAt) - Date.now()).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect((await request(api.app).post(`/api/nominations/${id}/reject`).set(province.auth).send({ reason: '迟了' })).status).toBe(409);

    const token = await invitationToken(id);
    const weak = await request(api.app).post('/api/experts/activate').send({ token, password: 'short' });
    expect(weak.status).toBe(400);
    expect((await request(api.app).post('/api/experts/activate').send({ token: 'x'.repeat(43), password: 'long enough password' })).status).toBe(404);
    try {
      api.setNow(Date.parse(selected.body.invitationExpiresAt));
      const expired = await request(api.app).post('/api/experts/activate').send({ token, password: 'long enough password' });
      expect(expired.status).toBe(409);
      expect(expired.body.error.code).toBe('DeadlinePassed');
    } finally {
      api.setNow(undefined);
    }

    const activated = await request(api.app).post('/api/experts/activate').send({ token, password: 'long enough password' });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ nominationId: id, state: 'active', username: body.email });
    const again = await request(api.app).post('/api/experts/activate').send({ token, password: 'another long password' });
    expect(again.status).toBe(409);

    const login = await request(api.app).post('/api/auth/login').send({ username: body.email, password: 'long enough password' });
    expect(login.status).toBe(200);
    const [account] = await conn().execute(`select role, city_id from account where username = ?`, [body.email]);
    expect(account).toEqual({ role: 'expert', city_id: huangshi.id });

    const pool = await request(api.app).get('/api/experts/pool').query({ campaignId: c.id }).set(province.auth);
    expect(pool.status).toBe(200);
    expect(pool.body.counts).toEqual({ selected: 0, invited: 0, active: 1 });
    expect(pool.body.items).toEqual([expect.objectContaining({ id, state: 'active', active: true })]);
    expect((await request(api.app).get('/api/experts/pool').query({ campaignId: c.id }).set(admin.auth)).status).toBe(403);
    const detail = await request(api.app).get(`/api/nominations/${id}`).set(admin.auth);
    expect(detail.body.decisions.map((d: { event: string }) => d.event)).toEqual(['nominated', 'selected', 'invited', 'activated']);
  });

  test('when the province rejects without a reason, then 400; with one, the place is free; a declined invitation frees it too', async () => {
    const c = await campaignWith(1);
    const admin = await loginAs(api, 'city_admin', { cityId: huangshi.id });
    const province = await loginAs(api, 'province_admin');
    const first = (await nominate(admin.auth, nominee(c.id))).body.nomination;
    const noReason = await request(api.app).post(`/api/nominations/${first.id}/reject`).set(province.auth).send({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].path).toBe('body.reason');
    const rejected = await request(api.app).post(`/api/nominations/${first.id}/reject`).set(province.auth).send({ reason: '非高级职称' });
    expect(rejected.body).toMatchObject({ state: 'rejected', reason: '非高级职称' });

    const second = await nominate(admin.auth, nominee(c.id));
    expect(second.status).toBe(201);
    await request(api.app).post(`/api/nominations/${second.body.nomination.id}/select`).set(province.auth).send({});
    expect((await nominate(admin.auth, nominee(c.id))).status).toBe(409);
    const declined = await request(api.app).post('/api/experts/decline').send({ token: await invitationToken(second.body.nomination.id), reason: '另有安排' });
    expect(declined.body).toMatchObject({ state: 'declined' });
    expect((await nominate(admin.auth, nominee(c.id))).status).toBe(201);
  });
});
