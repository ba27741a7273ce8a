import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { firstSchoolOfCity, schoolByName, testOrm } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { reviewedCampaign, workerOrm, type Entrant } from './fixture';

const DAY = 86_400_000;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600, 7)]);

let env: TestWorkflowEnvironment;
let orm: Orm;
let activityOrm: Orm;
let worker: RunningWorker;
let api: TestApi;
let dataDir: string;
let campaignId: string;
let entrants: Entrant[];
let schoolA: { id: number; name: string };
let schoolB: { id: number; name: string };
type Login = Awaited<ReturnType<typeof loginAs>>;
let province: Login;

const CONFIG = {
  awards: {
    tiers: [{ key: 'first', count: 1 }, { key: 'second', count: 1 }, { key: 'third', count: 1 }],
    special: { popularity: { teacher: 1, student: 1 }, sharing: 1, talent: { count: 1 } },
  },
};

beforeAll(async () => {
  env = await timeSkippingEnv();
  orm = await testOrm();
  activityOrm = await workerOrm();
  worker = await startWorker(env, { orm: activityOrm });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lss-results-'));
  api = testApi(orm, env, { DATA_DIR: dataDir, EVIDENCE_MAX_BYTES: '2000' });
  const a = await schoolByName(orm, '黄石港区第一小学');
  schoolA = { id: a.id, name: '黄石港区第一小学' };
  const b = await firstSchoolOfCity(orm, '武汉市');
  schoolB = { id: b.id, name: b.name };
  // Teachers 90/85/80/75 and students 88/70: A holds T1, T2, S1; B holds T3, T4, S2.
  const c = await reviewedCampaign(
    env,
    orm,
    [
      { score: 90, votes: 5, school: schoolA.name },
      { score: 85, votes: 50, school: schoolA.name },
      { score: 80, school: schoolB.name },
      { score: 75, school: schoolB.name },
      { category: 'student', score: 88, votes: 3, school: schoolA.name },
      { category: 'student', score: 70, votes: 30, school: schoolB.name },
    ],
    CONFIG,
  );
  campaignId = c.campaignId;
  entrants = c.entrants;
  // School A's roster: 4 teachers (target 4), 20 students (target 2).
  await orm.em.fork().getConnection().execute(
    `insert into roster (campaign_id, school_id, teachers, students, platform_spaces, source_hash, imported_at) values (?, ?, 4, 20, 4, 'test', now())`,
    [campaignId, schoolA.id],
  );
  api.setNow(await env.currentTimeMs());
  province = await loginAs(api, 'province_admin');
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
  await activityOrm?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const byId = (items: { entrantId: string }[], e: Entrant) => items.find((i) => i.entrantId === e.id) as Record<string, any>;

describe('results before publication', () => {
  test('when the province admin marks a teacher for achievement sharing, then it is recorded with who and why; a student cannot be marked', async () => {
    const res = await request(api.app).post('/api/results/achievement-sharing').set(province.auth).send({ entrantId: entrants[2].id, reason: '送教下乡，为山区学校开设直播课堂' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ entrantId: entrants[2].id, marked: true, by: { accountId: province.id } });
    const student = await request(api.app).post('/api/results/achievement-sharing').set(province.auth).send({ entrantId: entrants[4].id, reason: '学生' });
    expect(student.status).toBe(400);
    expect(student.body.error.details).toEqual([{ path: 'body.entrantId', message: 'a student entrant' }]);
    const list = await request(api.app).get('/api/results/achievement-sharing').query({ campaignId }).set(province.auth);
    expect(list.body.items.map((i: { entrantId: string }) => i.entrantId)).toEqual([entrants[2].id]);
  });

  test('when the province admin asks for the proposal, then it ranks per category with tiers, special awards and group awards', async () => {
    const res = await request(api.app).get('/api/results/proposal').query({ campaignId }).set(province.auth);
    expect(res.status).toBe(200);
    const [t1, t2, t3, t4, s1, s2] = entrants.map((e) => byId(res.body.entrants, e));
    expect([t1, t2, t3, t4].map((e) => [e.rank, e.award, e.specialAwards])).toEqual([
      [1, 'first', []],
      [2, 'second', ['popularity']],
      [3, 'third', ['sharing']],
      [4, null, []],
    ]);
    // Students: no expert item scores here, so talent is the attention alone (30 votes of 30: 0.3).
    expect([s1, s2].map((e) => [e.rank, e.award, e.specialAwards, e.talentScore])).toEqual([
      [1, 'first', [], 0.03],
      [2, 'second', ['popularity', 'talent'], 0.3],
    ]);
    expect(t1).toMatchObject({ finalScore: 90, awardLabel: '一等奖', rankingKey: 'teacher', group: 'teacher' });
    expect(res.body.cutoffs.teacher).toEqual([
      { tier: 'first', size: 1, lowestScore: 90 },
      { tier: 'second', size: 1, lowestScore: 85 },
      { tier: 'third', size: 1, lowestScore: 80 },
    ]);
    // A: 0.6 × 2/4 + 0.2 × 1/2 + 0.2 × (12 prize points per 3 registered: the best density) = 0.6;
    // B (no roster): 0.2 × (8 points / 3) / (12 / 3) = 0.1333.
    const schools = res.body.groupAwards.schools;
    expect(schools.map((s: { id: number; rank: number; score: number }) => [s.id, s.rank, s.score])).toEqual([
      [schoolA.id, 1, 0.6],
      [schoolB.id, 2, 0.1333],
    ]);
    expect(schools[0].figures).toMatchObject({ teacherProgress: 0.5, studentProgress: 0.5, registered: 3, prizePoints: 12 });
    expect(res.body.groupAwards.cities.map((c: { name: string; award: string }) => [c.name, c.award])).toEqual([
      ['黄石市', 'organisation'],
      ['武汉市', 'organisation'],
    ]);
    expect(res.body.groupAwards.counties).toHaveLength(2);
    expect(res.body.pending).toEqual({ inReview: 0 });
  });

  test('when anyone else asks for the proposal, or asks badly, then it is refused', async () => {
    const teacher = await loginAs(api, 'teacher');
    expect((await request(api.app).get('/api/results/proposal').query({ campaignId }).set(teacher.auth)).status).toBe(403);
    expect((await request(api.app).get('/api/results/proposal').query({ campaignId })).status).toBe(401);
    const bad = await request(api.app).get('/api/results/proposal').query({ campaignId: 'Not A Campaign' }).set(province.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.campaignId');
    expect((await request(api.app).get('/api/results').query({ campaignId })).status).toBe(404);
  });
});

describe('publication and objections', () => {
  let voter: Login;
  let objectionId: string;

  beforeAll(async () => {
    voter = await loginAs(api, 'voter');
  });

  test('when the province admin publishes, then the results become public without login, and publishing again is refused', async () => {
    const city = await loginAs(api, 'city_admin', { cityId: 1 });
    expect((await request(api.app).post('/api/results/publish').set(city.auth).send({ campaignId, reason: '公示' })).status).toBe(403);
    const noReason = await request(api.app).post('/api/results/publish').set(province.auth).send({ campaignId });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([expect.objectContaining({ path: 'body.reason' })]);

    const res = await request(api.app).post('/api/results/publish').set(province.auth).send({ campaignId, reason: '专家评审结束，结果公示七天' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ campaignId, workflowId: `publication-${campaignId}`, entrants: 6 });
    const published = await eventually(async () => {
      const r = await request(api.app).get('/api/results').query({ campaignId });
      return r.status === 200 ? r : undefined;
    }, 'public results');
    expect(published.body.publication).toMatchObject({ state: 'notice', noticeDays: 7, objectionsOpen: true });
    expect(published.body.total).toBe(6);
    expect(byId(published.body.items, entrants[1])).toMatchObject({ rank: 2, finalScore: 85, award: 'second', specialAwards: ['popularity'], final: false, corrected: false });
    expect(published.body.groupAwards.map((g: { level: string; unit: { name: string } }) => `${g.level}:${g.unit.name}`)).toEqual(expect.arrayContaining([`school:${schoolA.name}`, 'city:黄石市']));
    const students = await request(api.app).get('/api/results').query({ campaignId, category: 'student', stage: 'primary' });
    expect(students.body.items.map((i: { entrantId: string }) => i.entrantId)).toEqual([entrants[4].id, entrants[5].id]);

    expect((await request(api.app).post('/api/results/publish').set(province.auth).send({ campaignId, reason: '再次公示' })).status).toBe(409);
    expect((await request(api.app).post('/api/results/achievement-sharing').set(province.auth).send({ entrantId: entrants[3].id, reason: '补报' })).status).toBe(409);
  });

  test('when an account objects with evidence, then the file is checked by content and size and stored by its hash', async () => {
    expect((await request(api.app).post('/api/objections').send({ entrantId: entrants[0].id, reason: '成绩异常' })).status).toBe(401);
    const noReason = await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: entrants[0].id });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    expect((await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: '00000000-0000-4000-8000-000000000000', reason: '无此人' })).status).toBe(404);

    const text = await request(api.app).post('/api/objections').set(voter.auth).field('entrantId', entrants[0].id).field('reason', '附件').attach('evidence', Buffer.from('just text, not an image'), 'proof.png');
    expect(text.status).toBe(415);
    const big = await request(api.app).post('/api/objections').set(voter.auth).field('entrantId', entrants[0].id).field('reason', '附件').attach('evidence', Buffer.concat([PNG, Buffer.alloc(2000)]), 'big.png');
    expect(big.status).toBe(413);

    const res = await request(api.app).post('/api/objections').set(voter.auth).field('entrantId', entrants[0].id).field('reason', '该空间的课件抄袭他人作品').attach('evidence', PNG, 'screenshot.png');
    expect(res.status).toBe(201);
    objectionId = res.body.id;
    expect(res.body).toMatchObject({ state: 'open', reason: '该空间的课件抄袭他人作品', filedBy: { accountId: voter.id }, evidence: { type: 'image/png', bytes: PNG.length, name: 'screenshot.png' } });
    expect(existsSync(path.join(dataDir, 'uploads', 'evidence', res.body.evidence.sha256))).toBe(true);

    const again = await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: entrants[0].id, reason: '再提一次' });
    expect(again.status).toBe(409);
  });

  test('when objections are listed, then the filer sees its own, auditors and the province admin see all, others nothing', async () => {
    const other = await loginAs(api, 'voter');
    const auditor = await loginAs(api, 'auditor');
    expect((await request(api.app).get('/api/objections').query({ campaignId }).set(voter.auth)).body.items.map((o: { id: string }) => o.id)).toEqual([objectionId]);
    expect((await request(api.app).get('/api/objections').query({ campaignId }).set(other.auth)).body.total).toBe(0);
    expect((await request(api.app).get('/api/objections').query({ campaignId, state: 'open' }).set(auditor.auth)).body.total).toBe(1);
    expect((await request(api.app).get(`/api/objections/${objectionId}`).set(other.auth)).status).toBe(404);
    const file = await request(api.app).get(`/api/objections/${objectionId}/evidence`).set(province.auth);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(file.body as Buffer, PNG)).toBe(0);
  });

  test('when an objection is settled, then only an auditor may, bad settlements are refused with details, and a settled one cannot be settled again', async () => {
    const auditor = await loginAs(api, 'auditor');
    api.setNow(await env.currentTimeMs());
    expect((await request(api.app).post(`/api/objections/${objectionId}/settle`).set(province.auth).send({ decision: 'dismiss', reason: '不成立' })).status).toBe(403);
    const noAction = await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send({ decision: 'uphold', reason: '成立' });
    expect(noAction.status).toBe(400);
    expect(noAction.body.error.details).toEqual([expect.objectContaining({ path: 'body.action' })]);
    const noScore = await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send({ decision: 'uphold', action: 'correct', reason: '成立' });
    expect(noScore.body.error.details).toEqual([expect.objectContaining({ path: 'body.finalScore' })]);
    const outOfRange = await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send({ decision: 'uphold', action: 'correct', finalScore: 150, reason: '成立' });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.details[0]).toMatchObject({ path: 'body.finalScore', message: expect.stringContaining('105') });

    const dismissed = await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send({ decision: 'dismiss', reason: '经查为原创作品' });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.settlement).toMatchObject({ decision: 'dismiss', action: null, by: { accountId: auditor.id, role: 'auditor' }, reason: '经查为原创作品' });
    expect((await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send({ decision: 'dismiss', reason: '重复' })).status).toBe(409);
  });

  test('when the notice period is over, then objections are refused with 409', async () => {
    const [pub] = await orm.em.fork().getConnection().execute(`select notice_ends_at from publication where campaign_id = ?`, [campaignId]);
    api.setNow(new Date(pub.notice_ends_at).getTime());
    const late = await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: entrants[1].id, reason: '逾期' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'WindowClosed', message: expect.stringContaining('notice period') });
    api.setNow(new Date(pub.notice_ends_at).getTime() - DAY);
    expect((await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: entrants[1].id, reason: '期内' })).status).toBe(201);
  });
});
