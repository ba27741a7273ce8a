import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { entrantStateQuery } from '../../workflows';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { testOrm } from '../helpers/db';
import { testMailQueue } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { assignmentRun, expertsOf, login, reviewFixture, sheet, sleepUntil, type ReviewFixture } from './fixture';

// The expert's side of the review over the API: what an expert may see and score, and how a
// bad sheet or a late one is refused without changing anything.
let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let fx: ReviewFixture;
const tokens = new Map<string, { Authorization: string }>();
const assigned = new Map<string, string[]>();

const conn = () => orm.em.fork().getConnection();

beforeAll(async () => {
  [env, orm] = await Promise.all([timeSkippingEnv(), testOrm()]);
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  fx = await reviewFixture(env, orm, {
    topK: { teacher: 1, student: 1 },
    entrants: [
      { label: 'TA', category: 'teacher', city: '黄石市', votes: 10, recommended: true }, // top and recommended: +1..+5
      { label: 'TB', category: 'teacher', city: '宜昌市', votes: 1, recommended: true }, // recommended only: −5..−1
      { label: 'SA', category: 'student', city: '武汉市', votes: 5 }, // top only: 0
    ],
    experts: ['十堰市', '荆州市', '襄阳市', '孝感市', '黄冈市', '咸宁市'],
  });
  for (const e of fx.experts) tokens.set(e.id, await login(api, e));
  await sleepUntil(env, fx.times.votingCloses + 1000);
  expect((await assignmentRun(orm, fx.campaignId)).state).toBe('done');
  for (const label of ['TA', 'TB', 'SA']) assigned.set(label, await expertsOf(orm, fx.entrants[label].id));
  api.setNow(await env.currentTimeMs());
});

afterAll(async () => {
  await fx?.campaign.terminate('test done').catch(() => undefined);
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

const as = (expertId: string) => tokens.get(expertId)!;
const onSpace = (label: string) => assigned.get(label)!;
const offSpace = (label: string) => fx.experts.map((e) => e.id).find((id) => !onSpace(label).includes(id))!;

async function storedScores(entrantId: string): Promise<number> {
  const [row] = await conn().execute(`select count(*)::int as n from expert_score where entrant_id = ?`, [entrantId]);
  return row.n;
}

async function rubricOf(expertId: string, entrantId: string): Promise<{ key: string; max: number }[]> {
  return (await request(api.app).get(`/api/review/assignments/${entrantId}`).set(as(expertId))).body.rubric.items;
}

describe('what an expert sees', () => {
  test('when an expert lists its assignments, then it sees exactly its spaces, each with its rubric, adjustment range and browse credentials', async () => {
    for (const e of fx.experts) {
      const res = await request(api.app).get(`/api/review/assignments?campaignId=${fx.campaignId}`).set(as(e.id));
      expect(res.status).toBe(200);
      const mine = ['TA', 'TB', 'SA'].filter((l) => onSpace(l).includes(e.id)).map((l) => fx.entrants[l].id);
      expect(res.body.items.map((i: { entrantId: string }) => i.entrantId).sort()).toEqual(mine.sort());
      for (const item of res.body.items) {
        const label = Object.values(fx.entrants).find((x) => x.id === item.entrantId)!.label;
        expect(item.space.browseCredentials).toEqual(fx.entrants[label].credentials);
        expect(item.space.city.id).not.toBe(e.cityId);
        expect(item.rubric.maxTotal).toBe(100);
        const keys = item.rubric.items.map((i: { key: string }) => i.key);
        if (label === 'SA') {
          expect(item.space.kind).toBe('student');
          expect(keys).toEqual(['activity.logins', 'activity.visits', 'learning.exchange', 'learning.preview', 'learning.homework', 'growth.publications', 'growth.talent']);
          expect(item.adjustment).toMatchObject({ min: 0, max: 0 });
        } else {
          expect(item.space.kind).toBe('teacher');
          expect(keys).toEqual(expect.arrayContaining(['use.research', 'boost.learning', 'boost.innovation']));
          expect(item.adjustment).toMatchObject(label === 'TA' ? { min: 1, max: 5 } : { min: -5, max: -1 });
        }
      }
    }
  });

  test('when an expert reads or scores a space not assigned to it, then it gets 404 and nothing is stored', async () => {
    const { TA } = fx.entrants;
    const stranger = offSpace('TA');
    expect((await request(api.app).get(`/api/review/assignments/${TA.id}`).set(as(stranger))).status).toBe(404);
    const rubric = await rubricOf(onSpace('TA')[0], TA.id);
    const res = await request(api.app).put(`/api/review/assignments/${TA.id}/score`).set(as(stranger)).send({ items: sheet(rubric, 0.8), adjustment: 3 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
    expect((await request(api.app).post(`/api/review/assignments/${TA.id}/conflict`).set(as(stranger)).send({ reason: '回避' })).status).toBe(404);
    expect(await storedScores(TA.id)).toBe(0);
    expect((await TA.handle.query(entrantStateQuery)).scores).toEqual([]);

    const teacher = await loginAs(api, 'teacher');
    expect((await request(api.app).get('/api/review/assignments').set(teacher.auth)).status).toBe(403);
    expect((await request(api.app).get('/api/review/assignments')).status).toBe(401);
    const admin = await loginAs(api, 'province_admin');
    expect((await request(api.app).put(`/api/review/assignments/${TA.id}/score`).set(admin.auth).send({ items: sheet(rubric, 0.8), adjustment: 3 })).status).toBe(403);
  });
});

describe('refused sheets', () => {
  test('when a sheet has an item out of range, a missing or unknown item and an adjustment outside the range, then 400 lists every problem and nothing is stored', async () => {
    const { TA } = fx.entrants;
    const expert = onSpace('TA')[0];
    const items: Record<string, unknown> = sheet(await rubricOf(expert, TA.id), 0.8);
    items['activity.logins'] = 6;
    items['use.in_class'] = 2.25;
    delete items['resources.building'];
    items['foo.bar'] = 1;
    const res = await request(api.app).put(`/api/review/assignments/${TA.id}/score`).set(as(expert)).send({ items, adjustment: 7 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationFailed');
    expect(res.body.error.details).toEqual([
      { path: 'body.items.activity.logins', message: '活跃·平台登录 must be from 0 to 5; got 6' },
      { path: 'body.items.resources.building', message: '资源·资源建设 is missing: give a score from 0 to 15' },
      { path: 'body.items.use.in_class', message: '应用·课中 takes at most one decimal place; got 2.25' },
      { path: 'body.items.foo.bar', message: "foo.bar is not an item of this space's scoring guide" },
      { path: 'body.adjustment', message: expect.stringContaining('+1 to +5 points (评审加分); got +7') },
    ]);
    const notAnObject = await request(api.app).put(`/api/review/assignments/${TA.id}/score`).set(as(expert)).send({ items: 'eighty', adjustment: 3 });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.error.details[0].path).toBe('body.items');
    expect(await storedScores(TA.id)).toBe(0);
    expect((await TA.handle.query(entrantStateQuery)).scores).toEqual([]);
  });

  test('when a bonus is given to a space that takes none, or a penalty space gets a bonus, then 400 and nothing is stored', async () => {
    const { SA, TB } = fx.entrants;
    const sa = onSpace('SA')[0];
    const bonus = await request(api.app).put(`/api/review/assignments/${SA.id}/score`).set(as(sa)).send({ items: sheet(await rubricOf(sa, SA.id), 0.5), adjustment: 1 });
    expect(bonus.status).toBe(400);
    expect(bonus.body.error.details).toEqual([{ path: 'body.adjustment', message: 'only a city-recommended space takes a bonus or penalty, so this one takes 0; got +1' }]);
    const tb = onSpace('TB')[0];
    const wrongSign = await request(api.app).put(`/api/review/assignments/${TB.id}/score`).set(as(tb)).send({ items: sheet(await rubricOf(tb, TB.id), 0.5), adjustment: 2 });
    expect(wrongSign.status).toBe(400);
    expect(wrongSign.body.error.details[0].message).toContain('−5 to −1');
    const missing = await request(api.app).put(`/api/review/assignments/${TB.id}/score`).set(as(tb)).send({ items: sheet(await rubricOf(tb, TB.id), 0.5) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].message).toContain('none was given');
    expect(await storedScores(SA.id)).toBe(0);
    expect(await storedScores(TB.id)).toBe(0);
  });

  test('when the review deadline has passed, then a new score and an edit are refused with 409 and nothing changes', async () => {
    const { TB } = fx.entrants;
    const [first, second] = onSpace('TB');
    const rubric = await rubricOf(first, TB.id);
    const ok = await request(api.app).put(`/api/review/assignments/${TB.id}/score`).set(as(first)).send({ items: sheet(rubric, 0.6), adjustment: -3 });
    expect(ok.status).toBe(200);
    expect(ok.body.score).toMatchObject({ rubricTotal: 60, adjustment: -3, total: 57, locked: false });
    expect(ok.body.editable).toBe(true);

    api.setNow(fx.reviewCloses);
    const edit = await request(api.app).put(`/api/review/assignments/${TB.id}/score`).set(as(first)).send({ items: sheet(rubric, 0.9), adjustment: -1 });
    expect(edit.status).toBe(409);
    expect(edit.body.error).toMatchObject({ code: 'DeadlinePassed', message: `scores for this space could be given or edited until ${new Date(fx.reviewCloses).toISOString()}; they are locked now` });
    const late = await request(api.app).put(`/api/review/assignments/${TB.id}/score`).set(as(second)).send({ items: sheet(rubric, 0.9), adjustment: -1 });
    expect(late.status).toBe(409);
    const [row] = await conn().execute(`select total, adjustment from expert_score where entrant_id = ? and expert_account_id = ?`, [TB.id, first]);
    expect(row).toEqual({ total: '57.0', adjustment: -3 });
    expect(await storedScores(TB.id)).toBe(1);
    expect((await request(api.app).get(`/api/review/assignments/${TB.id}`).set(as(first))).body).toMatchObject({ editable: false, score: { locked: true } });
    api.setNow(await env.currentTimeMs());
  });

  test('when an expert who has scored a space declares a conflict with it, then 409 and the assignment stands; without a reason, 400', async () => {
    const { TB } = fx.entrants;
    const [first, second] = onSpace('TB');
    const refused = await request(api.app).post(`/api/review/assignments/${TB.id}/conflict`).set(as(first)).send({ reason: '发现是亲属' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('already scored');
    const noReason = await request(api.app).post(`/api/review/assignments/${TB.id}/decline`).set(as(second)).send({ reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([{ path: 'body.reason', message: 'a reason is required' }]);
    expect(await expertsOf(orm, TB.id)).toEqual(onSpace('TB'));
    const [{ n }] = await conn().execute(`select count(*)::int as n from expert_conflict where entrant_id = ?`, [TB.id]);
    expect(n).toBe(0);
  });
});

describe('declines and retries', () => {
  test('when an expert declines a space before scoring it, then another expert from another city takes it and the one who declined no longer sees it', async () => {
    const { SA } = fx.entrants;
    const before = onSpace('SA');
    const leaving = before[0];
    const res = await request(api.app).post(`/api/review/assignments/${SA.id}/decline`).set(as(leaving)).send({ reason: '近期出差，无法按时评审' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ entrantId: SA.id, kind: 'declined', outcome: 'replaced' });
    const after = await expertsOf(orm, SA.id);
    const [newcomer] = after.filter((id) => !before.includes(id));
    expect(after).toHaveLength(3);
    expect(fx.experts.find((e) => e.id === newcomer)!.cityId).not.toBe(SA.cityId);
    expect((await request(api.app).get(`/api/review/assignments/${SA.id}`).set(as(leaving))).status).toBe(404);
    const [row] = await conn().execute(`select replacement_kind, replaced_by from review_assignment where entrant_id = ? and expert_account_id = ?`, [SA.id, leaving]);
    expect(row).toEqual({ replacement_kind: 'declined', replaced_by: newcomer });
    // A decline is not a conflict: nothing keeps the expert from other draws.
    const [{ n }] = await conn().execute(`select count(*)::int as n from expert_conflict where expert_account_id = ?`, [leaving]);
    expect(n).toBe(0);
    assigned.set('SA', after);
  });

  test('when the draw activity is run again with its recorded seed, then it finds its run and writes no assignment twice', async () => {
    const [run] = await conn().execute(`select id, seed from review_run where campaign_id = ? and kind = 'assignment'`, [fx.campaignId]);
    const [{ n: rows }] = await conn().execute(`select count(*)::int as n from review_assignment where campaign_id = ?`, [fx.campaignId]);
    const queue = testMailQueue('review-retry');
    try {
      const activities = createActivities({ orm, temporal: env.client, mail: { queue, publicUrl: 'http://localhost:3000' } });
      const again = await new MockActivityEnvironment().run(activities.assignReviews, { campaignId: fx.campaignId, seed: run.seed, at: await env.currentTimeMs() });
      expect(again).toMatchObject({ runId: String(run.id), state: 'done', spaces: 3, assignments: 9 });
      const [{ n }] = await conn().execute(`select count(*)::int as n from review_assignment where campaign_id = ?`, [fx.campaignId]);
      expect(n).toBe(rows);
    } finally {
      await queue.obliterate();
    }
  });
});
