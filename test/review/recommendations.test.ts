import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import type { Orm } from '../../db/orm';
import { TASK_QUEUE } from '../../lib/ids';
import type { SchoolStage } from '../../lib/rules/entrant-state';
import { dayWindow, type Category } from '../../lib/rules/schedule';
import { addDays, shanghaiDay, shanghaiMidnight } from '../../lib/time';
import { approveUpdate, disqualifyUpdate, entrantLifecycle, entrantStateQuery } from '../../workflows';
import { makeEntrantRow, schoolByName, testOrm, uniqueId } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// 市州推优 over the API on a real Temporal server: quota per group under concurrency, the stage
// mix and its warnings, the window, authorisation, and the lifecycle's flag as the truth.
const SCHOOLS: Record<SchoolStage, string> = { primary: '黄石港区第一小学', junior: '黄石港区第一初级中学', senior: '黄石一中' };
const schoolAdmin = { accountId: 'a0000000-0000-4000-8000-000000000001', role: 'school_admin', name: '校管理员' };
const provinceActor = { accountId: 'a0000000-0000-4000-8000-000000000002', role: 'province_admin', name: '省组委会' };

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let huangshi: { id: number; code: string };
let recommendationCloses: number;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  [huangshi] = await conn().execute(`select id, code from city where name = '黄石市'`);
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

const conn = () => orm.em.fork().getConnection();

/** A campaign whose recommendation window is open now (yesterday – tomorrow), with 黄石市's quotas set. */
async function campaignWith(quota: { teacher: number; student: number }): Promise<string> {
  const now = Date.now();
  const today = shanghaiDay(now);
  const { windows } = windowsAround(now);
  windows.recommendation = dayWindow(addDays(today, -1), addDays(today, 1));
  recommendationCloses = shanghaiMidnight(addDays(today, 2)).getTime();
  const config = defaultCampaignConfig(windows);
  config.quotas[huangshi.code] = { ...config.quotas[huangshi.code], ...quota };
  const id = uniqueId('r');
  await insertCampaign(orm, { id, name: `推优 ${id}`, year: 2017, config });
  return id;
}

/** An entrant of 黄石市 at the given stage, registered and approved through its lifecycle. */
async function approved(campaignId: string, stage: SchoolStage = 'primary', category: Category = 'teacher', opts: { approve?: boolean; school?: string } = {}) {
  const row = await makeEntrantRow(orm, campaignId, category, opts.school ?? SCHOOLS[stage]);
  await conn().execute(`update entrant set stage = ? where id = ?`, [stage, row.id]);
  const handle = await env.client.workflow.start(entrantLifecycle, {
    taskQueue: TASK_QUEUE,
    workflowId: row.workflowId,
    args: [{ campaignId, entrantId: row.id, category, actor: { accountId: row.account.id, role: category, name: '参赛者' } }],
  });
  await eventually(async () => ((await handle.query(entrantStateQuery)).state === 'pending_approval' ? true : undefined), 'pending_approval');
  if (opts.approve !== false) await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
  return { id: row.id, handle };
}

type Admin = Awaited<ReturnType<typeof loginAs>>;
const admins = new Map<number, Admin>();
/** 黄石市's admins (and others') are made once: logging in hashes a password, the slow part of a test. */
async function cityAdmin(cityId = huangshi.id, fresh = false): Promise<Admin> {
  if (!fresh && admins.has(cityId)) return admins.get(cityId)!;
  const admin = await loginAs(api, 'city_admin', { cityId });
  if (!fresh) admins.set(cityId, admin);
  return admin;
}

async function ledger(campaignId: string): Promise<{ live: number; recommended: number }> {
  const [r] = await conn().execute(
    `select (select count(*)::int from recommendation where campaign_id = ? and state <> 'withdrawn') as live,
            (select count(*)::int from entrant where campaign_id = ? and recommended) as recommended`,
    [campaignId, campaignId],
  );
  return r as { live: number; recommended: number };
}

const recommend = (auth: Record<string, string>, entrantId: string, reason?: string) =>
  request(api.app).post('/api/recommendations').set(auth).send(reason ? { entrantId, reason } : { entrantId });

describe('city recommendation (市州推优)', () => {
  test('when a city admin recommends an approved entrant of its city, then it answers 201 with quota use, stage mix and a warning for the stage left out, and the lifecycle records who did it', async () => {
    const campaignId = await campaignWith({ teacher: 3, student: 2 });
    const [primary] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior')]);
    const admin = await cityAdmin();

    const res = await recommend(admin.auth, primary.id, '课堂应用突出');
    expect(res.status).toBe(201);
    expect(res.body.recommendation).toMatchObject({ state: 'active', category: 'teacher', reason: '课堂应用突出', recommendedBy: { id: admin.id }, entrant: { id: primary.id, stage: 'primary' } });
    expect(res.body.summary).toMatchObject({
      city: { id: huangshi.id, name: '黄石市' },
      category: 'teacher',
      quota: { limit: 3, used: 1, remaining: 2 },
      stageMix: { primary: 1, junior: 0, senior: 0 },
      warnings: [{ stage: 'junior', label: '初中' }],
    });

    const view = await primary.handle.query(entrantStateQuery);
    expect(view.recommended).toBe(true);
    expect(view.decisions.at(-1)).toMatchObject({ event: 'recommended', actor: { accountId: admin.id, role: 'city_admin' }, reason: '课堂应用突出' });
    const [row] = await conn().execute(`select recommended from entrant where id = ?`, [primary.id]);
    expect(row.recommended).toBe(true);
    const [t] = await conn().execute(`select actor_account_id from entrant_transition where entrant_id = ? and event_key like '%:recommended'`, [primary.id]);
    expect(t.actor_account_id).toBe(admin.id);
  });

  test('when the group quota is used up, then the next is refused 409 with the use in details and nothing changes; education workers count as teachers and students have their own quota', async () => {
    const campaignId = await campaignWith({ teacher: 2, student: 1 });
    const [a, b, c, student] = await Promise.all([
      approved(campaignId, 'primary'),
      approved(campaignId, 'junior', 'education_worker'),
      approved(campaignId, 'senior'),
      approved(campaignId, 'primary', 'student'),
    ]);
    const admin = await cityAdmin();
    expect((await recommend(admin.auth, a.id)).status).toBe(201);
    const second = await recommend(admin.auth, b.id);
    expect(second.body.summary.quota).toEqual({ limit: 2, used: 2, remaining: 0 });

    const third = await recommend(admin.auth, c.id);
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: 'QuotaExceeded', details: { category: 'teacher', limit: 2, used: 2, remaining: 0 } });
    expect((await c.handle.query(entrantStateQuery)).recommended).toBe(false);
    expect(await ledger(campaignId)).toEqual({ live: 2, recommended: 2 });

    const s = await recommend(admin.auth, student.id);
    expect(s.status).toBe(201);
    expect(s.body.summary).toMatchObject({ category: 'student', quota: { limit: 1, used: 1 } });
  });

  test('when two admins of one city recommend at once with one place left, then exactly one succeeds — every round', async () => {
    let secondAdmin: Admin[] | undefined;
    for (let round = 0; round < 3; round += 1) {
      const campaignId = await campaignWith({ teacher: 2, student: 1 });
      const entrants = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior'), approved(campaignId, 'senior')]);
      const [first, second] = round === 0 ? (secondAdmin = await Promise.all([cityAdmin(), cityAdmin(huangshi.id, true)])) : secondAdmin!;
      expect((await recommend(first.auth, entrants[0].id)).status).toBe(201);
      const answers = await Promise.all([recommend(first.auth, entrants[1].id), recommend(second.auth, entrants[2].id)]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(answers.find((r) => r.status === 409)!.body.error.code).toBe('QuotaExceeded');
      expect(await ledger(campaignId)).toEqual({ live: 2, recommended: 2 });
    }
  });

  test('when a city admin recommends an entrant of another city, or another role tries, then it is refused 403 and nothing changes', async () => {
    const campaignId = await campaignWith({ teacher: 2, student: 1 });
    const e = await approved(campaignId, 'primary');
    const [wuhan] = await conn().execute(`select id from city where name = '武汉市'`);
    const other = await cityAdmin(wuhan.id);
    const refused = await recommend(other.auth, e.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/outside your city/);
    const county = await loginAs(api, 'county_admin', { countyId: (await schoolByName(orm, SCHOOLS.primary)).county_id });
    expect((await recommend(county.auth, e.id)).status).toBe(403);
    const province = await loginAs(api, 'province_admin');
    expect((await recommend(province.auth, e.id)).status).toBe(403);
    expect((await request(api.app).post('/api/recommendations').send({ entrantId: e.id })).status).toBe(401);
    expect(await ledger(campaignId)).toEqual({ live: 0, recommended: 0 });
    // …and it cannot read another city's list either.
    const list = await request(api.app).get('/api/recommendations').query({ campaignId, cityId: huangshi.id }).set(other.auth);
    expect(list.status).toBe(403);
  });

  test('when the input is bad or the entrant is not recommendable, then it answers 400/404/409 with details and changes nothing', async () => {
    const campaignId = await campaignWith({ teacher: 2, student: 1 });
    const [pending, ok] = await Promise.all([approved(campaignId, 'primary', 'teacher', { approve: false }), approved(campaignId, 'junior')]);
    const admin = await cityAdmin();

    const noId = await request(api.app).post('/api/recommendations').set(admin.auth).send({ reason: 'x' });
    expect(noId.status).toBe(400);
    expect(noId.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.entrantId']);
    const notUuid = await recommend(admin.auth, 'entrant-1');
    expect(notUuid.status).toBe(400);
    expect((await recommend(admin.auth, randomUUID())).status).toBe(404);

    const notApproved = await recommend(admin.auth, pending.id);
    expect(notApproved.status).toBe(409);
    expect(notApproved.body.error).toMatchObject({ code: 'InvalidTransition', message: expect.stringContaining('pending_approval') });

    expect((await recommend(admin.auth, ok.id)).status).toBe(201);
    const twice = await recommend(admin.auth, ok.id);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('Conflict');
    expect(await ledger(campaignId)).toEqual({ live: 1, recommended: 1 });
  });

  test('when the window has not opened or has closed (00:00:00), then recommending and withdrawing answer 409 WindowClosed; at 23:59:59 a withdrawal is accepted', async () => {
    const campaignId = await campaignWith({ teacher: 3, student: 1 });
    const [a, b] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior')]);
    const admin = await cityAdmin();
    const c = await approved(campaignId, 'senior');
    const rec = await recommend(admin.auth, a.id);
    const recB = await recommend(admin.auth, b.id);
    try {
      api.setNow(shanghaiMidnight(addDays(shanghaiDay(Date.now()), -1)).getTime() - 1);
      const early = await recommend(admin.auth, c.id);
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({ code: 'WindowClosed', message: expect.stringContaining('opens at') });
      api.setNow(recommendationCloses);
      expect((await recommend(admin.auth, c.id)).body.error.code).toBe('WindowClosed');
      const late = await request(api.app).post(`/api/recommendations/${rec.body.recommendation.id}/withdraw`).set(admin.auth).send({ reason: '调整' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('WindowClosed');
      api.setNow(recommendationCloses - 1000);
      const onTime = await request(api.app).post(`/api/recommendations/${recB.body.recommendation.id}/withdraw`).set(admin.auth).send({ reason: '调整' });
      expect(onTime.status).toBe(200);
    } finally {
      api.setNow(undefined);
    }
    expect(await ledger(campaignId)).toEqual({ live: 1, recommended: 1 });
  });

  test('when a recommendation is withdrawn with a reason, then the lifecycle is unrecommended, the place is free again, and a second withdrawal answers 409', async () => {
    const campaignId = await campaignWith({ teacher: 1, student: 1 });
    const [a, b] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior')]);
    const admin = await cityAdmin();
    const rec = await recommend(admin.auth, a.id);
    expect((await recommend(admin.auth, b.id)).status).toBe(409);

    const path = `/api/recommendations/${rec.body.recommendation.id}/withdraw`;
    const noReason = await request(api.app).post(path).set(admin.auth).send({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].path).toBe('body.reason');
    const [wuhan] = await conn().execute(`select id from city where name = '武汉市'`);
    expect((await request(api.app).post(path).set((await cityAdmin(wuhan.id)).auth).send({ reason: '越权' })).status).toBe(403);

    const withdrawn = await request(api.app).post(path).set(admin.auth).send({ reason: '改推初中教师' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.recommendation).toMatchObject({ state: 'withdrawn', withdrawReason: '改推初中教师', withdrawnBy: admin.id });
    expect(withdrawn.body.summary.quota).toEqual({ limit: 1, used: 0, remaining: 1 });
    const view = await a.handle.query(entrantStateQuery);
    expect(view).toMatchObject({ recommended: false });
    expect(view.decisions.at(-1)).toMatchObject({ event: 'unrecommended', reason: '改推初中教师' });

    expect((await request(api.app).post(path).set(admin.auth).send({ reason: '再撤' })).status).toBe(409);
    expect((await recommend(admin.auth, b.id)).status).toBe(201);
    expect(await ledger(campaignId)).toEqual({ live: 1, recommended: 1 });
  });

  test('when a recommended entrant is disqualified, then its place is released for the city while the window is open', async () => {
    const campaignId = await campaignWith({ teacher: 1, student: 1 });
    const [a, b] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior')]);
    const admin = await cityAdmin();
    await recommend(admin.auth, a.id);
    await a.handle.executeUpdate(disqualifyUpdate, { args: [{ actor: provinceActor, reason: '刷票' }] });
    const res = await recommend(admin.auth, b.id);
    expect(res.status).toBe(201);
    expect(res.body.summary.quota).toMatchObject({ used: 1, limit: 1 });
  });

  test('when a request died between reserving the place and telling the lifecycle, then the next request settles it: delivered if the entrant can be recommended, removed if not', async () => {
    const campaignId = await campaignWith({ teacher: 2, student: 1 });
    const [a, b, c] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'junior'), approved(campaignId, 'senior')]);
    const admin = await cityAdmin();
    // Two reservations left behind two minutes ago; b's entrant has since been disqualified.
    await b.handle.executeUpdate(disqualifyUpdate, { args: [{ actor: provinceActor, reason: '侵权' }] });
    for (const e of [a, b]) {
      await conn().execute(
        `insert into recommendation (id, campaign_id, entrant_id, city_id, category_group, state, recommended_by, created_at)
         values (?, ?, ?, ?, 'teacher', 'pending', ?, now() - interval '2 minutes')`,
        [randomUUID(), campaignId, e.id, huangshi.id, admin.id],
      );
    }
    const res = await recommend(admin.auth, c.id);
    expect(res.status).toBe(201);
    const rows = await conn().execute(`select entrant_id, state from recommendation where campaign_id = ? order by created_at`, [campaignId]);
    expect(rows).toEqual([
      { entrant_id: a.id, state: 'active' },
      { entrant_id: c.id, state: 'active' },
    ]);
    expect((await a.handle.query(entrantStateQuery)).recommended).toBe(true);
    expect(res.body.summary.quota).toEqual({ limit: 2, used: 2, remaining: 0 });
  });

  test('when the province lists recommendations, then it sees every city with quota use and warnings; a city admin sees only its own', async () => {
    const campaignId = await campaignWith({ teacher: 2, student: 1 });
    const [a] = await Promise.all([approved(campaignId, 'primary'), approved(campaignId, 'senior')]);
    const admin = await cityAdmin();
    await recommend(admin.auth, a.id);

    const province = await loginAs(api, 'province_admin');
    const all = await request(api.app).get('/api/recommendations').query({ campaignId }).set(province.auth);
    expect(all.status).toBe(200);
    expect(all.body.window.phase).toBe('open');
    expect(all.body.items).toHaveLength(17 * 2);
    const wuhanTeachers = all.body.items.find((i: { city: { name: string }; category: string }) => i.city.name === '武汉市' && i.category === 'teacher');
    expect(wuhanTeachers.quota).toEqual({ limit: 25, used: 0, remaining: 25 });
    const mine = all.body.items.find((i: { city: { id: number }; category: string }) => i.city.id === huangshi.id && i.category === 'teacher');
    expect(mine).toMatchObject({ quota: { used: 1, limit: 2 }, stageMix: { primary: 1, junior: 0, senior: 0 }, warnings: [{ stage: 'senior' }] });
    expect(mine.recommendations.map((r: { entrant: { id: string } }) => r.entrant.id)).toEqual([a.id]);

    const own = await request(api.app).get('/api/recommendations').query({ campaignId, category: 'teacher' }).set(admin.auth);
    expect(own.body.items.map((i: { city: { id: number } }) => i.city.id)).toEqual([huangshi.id]);
    const bad = await request(api.app).get('/api/recommendations').query({ campaignId, category: 'parent' }).set(admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.category');
  });
});
