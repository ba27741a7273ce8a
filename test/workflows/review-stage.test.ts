import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { MailJob } from '../../activities/mail/queue';
import { mailJobId } from '../../activities/mail/queue';
import type { Orm } from '../../db/orm';
import { assign } from '../../lib/rules/assignment';
import { DAY_MS } from '../../lib/time';
import { entrantStateQuery, reviewProgressQuery } from '../../workflows';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { testOrm } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { testMailQueue } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import {
  addExpert,
  assignmentRun,
  expertsOf,
  login,
  reviewFixture,
  sheet,
  sleepUntil,
  stateIs,
  type FixtureExpert,
  type ReviewFixture,
} from '../review/fixture';

// The review stage on the campaign clock, in simulated time: selection at voting close, the
// seeded draw at review opening, scoring over the API, a conflict, a discrepancy with a fourth
// review, and a late expert replaced at the deadline.
const PUBLIC_URL = 'https://lss.example.cn';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let queue: ReturnType<typeof testMailQueue>;
let fx: ReviewFixture;
let admin: Awaited<ReturnType<typeof loginAs>>;
const tokens = new Map<string, { Authorization: string }>();

const conn = () => orm.em.fork().getConnection();

beforeAll(async () => {
  [env, orm] = await Promise.all([timeSkippingEnv(), testOrm()]);
  queue = testMailQueue('review-stage');
  worker = await startWorker(env, { orm, mail: { queue, publicUrl: PUBLIC_URL } });
  api = testApi(orm, env);
  admin = await loginAs(api, 'province_admin');
  fx = await reviewFixture(env, orm, {
    topK: { teacher: 2, student: 1 },
    entrants: [
      { label: 'T1', category: 'teacher', city: '黄石市', votes: 50, recommended: true },
      { label: 'T3', category: 'teacher', city: '黄石市', votes: 5, boosts: 4 }, // 5 + 10 × 4 = 45
      { label: 'W1', category: 'education_worker', city: '武汉市', votes: 40 },
      { label: 'T2', category: 'teacher', city: '宜昌市', votes: 10, recommended: true },
      { label: 'S1', category: 'student', city: '武汉市', votes: 30 },
      { label: 'S2', category: 'student', city: '宜昌市', votes: 20 },
      { label: 'S3', category: 'student', city: '黄石市', votes: 1, recommended: true },
      { label: 'P1', category: 'teacher', city: '宜昌市', votes: 99, pending: true },
    ],
    experts: ['武汉市', '十堰市', '荆州市', '襄阳市', '孝感市', '黄冈市', '黄石市'],
  });
  for (const e of fx.experts) tokens.set(e.id, await login(api, e));
});

afterAll(async () => {
  await fx?.campaign.terminate('test done').catch(() => undefined);
  await api?.close();
  await worker?.stop();
  await queue?.obliterate();
  await env?.teardown();
  await orm?.close();
});

const expert = (id: string): FixtureExpert => fx.experts.find((e) => e.id === id)!;
const as = (expertId: string) => tokens.get(expertId)!;

/** The API stands at the simulated instant. */
async function now(): Promise<number> {
  const t = await env.currentTimeMs();
  api.setNow(t);
  return t;
}

async function score(expertId: string, entrantId: string, fraction: number, adjustment: number) {
  await now();
  const view = await request(api.app).get(`/api/review/assignments/${entrantId}`).set(as(expertId));
  expect(view.status).toBe(200);
  return request(api.app).put(`/api/review/assignments/${entrantId}/score`).set(as(expertId)).send({ items: sheet(view.body.rubric.items, fraction), adjustment });
}

async function finalScoreOf(label: string): Promise<number | undefined> {
  return (await fx.entrants[label].handle.query(entrantStateQuery)).finalScore;
}

async function mailJobs(prefix: string): Promise<Map<string, MailJob>> {
  const jobs = await queue.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'], 0, 10_000);
  return new Map(jobs.filter((j) => j.id?.startsWith(prefix)).map((j) => [j.id!, j.data as MailJob]));
}

describe('the review stage', () => {
  test('when voting closes, then the top K of each group by ranking and every city-recommended space enter review, the rest are not selected', async () => {
    await sleepUntil(env, fx.times.votingCloses + 1000);
    const { T1, T2, T3, W1, S1, S2, S3, P1 } = fx.entrants;
    for (const e of [T1, T2, T3, S1, S3]) await stateIs(e.handle, 'in_review');
    for (const e of [W1, S2]) await stateIs(e.handle, 'not_selected');
    expect((await P1.handle.query(entrantStateQuery)).state).toBe('expired');

    const rows = await conn().execute(
      `select e.name, s.category_group, s.rank, s.top_ranked, s.recommended, s.selected from review_selection s join entrant e on e.id = s.entrant_id
       where s.campaign_id = ? order by s.category_group, s.rank`,
      [fx.campaignId],
    );
    // Teachers and education workers rank together; boosts weigh 10 votes each; a pending entrant never ranks.
    expect(rows.map((r: Record<string, unknown>) => [r.name, r.category_group, r.rank, r.top_ranked, r.recommended, r.selected])).toEqual([
      ['S1', 'student', 1, true, false, true],
      ['S2', 'student', 2, false, false, false],
      ['S3', 'student', 3, false, true, true],
      ['T1', 'teacher', 1, true, true, true],
      ['T3', 'teacher', 2, true, false, true],
      ['W1', 'teacher', 3, false, false, false],
      ['T2', 'teacher', 4, false, true, true],
    ]);
    const decisions = (await T2.handle.query(entrantStateQuery)).decisions;
    expect(decisions.find((d) => d.event === 'selected')?.reason).toBe('市州推优入选（网络投票排名第 4 名，未进前 2 名）');
    const notSelected = (await W1.handle.query(entrantStateQuery)).decisions.at(-1);
    expect(notSelected).toMatchObject({ event: 'not_selected', reason: '网络投票排名第 3 名，未进前 2 名，且未获市州推优' });
  });

  test('when the review window opens, then each space gets three distinct experts from other cities, loads within 1, reproducible from the seed in the history', async () => {
    const run = await assignmentRun(orm, fx.campaignId);
    expect(run.state).toBe('done');
    const spaces = ['T1', 'T2', 'T3', 'S1', 'S3'].map((l) => fx.entrants[l]);
    const drawn: Record<string, string[]> = {};
    for (const space of spaces) {
      const experts = await expertsOf(orm, space.id);
      drawn[space.id] = experts;
      expect(new Set(experts).size).toBe(3);
      for (const id of experts) expect(expert(id).cityId).not.toBe(space.cityId);
      await eventually(async () => ((await space.handle.query(entrantStateQuery)).experts.join() === experts.join() ? true : undefined), `${space.label} told its experts`);
    }
    const loads = fx.experts.map((e) => Object.values(drawn).filter((list) => list.includes(e.id)).length);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(15);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);

    // The seed is the activity's input in the campaign history, and it re-derives the same draw.
    const history = await fx.campaign.fetchHistory();
    const drawInputs = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'assignReviews')
      .map((a) => defaultPayloadConverter.fromPayload<{ seed: string }>(a!.input!.payloads![0]));
    expect(drawInputs.map((i) => i.seed)).toEqual([run.seed]);
    const again = assign({
      spaces: spaces.map((s) => ({ id: s.id, cityId: s.cityId })),
      experts: fx.experts.map((e) => ({ id: e.id, cityId: e.cityId })),
      seed: run.seed,
    });
    expect(again.ok && again.assignments).toEqual(drawn);

    // One assignment mail per expert with its number of spaces.
    const jobs = await eventually(async () => {
      const m = await mailJobs(mailJobId('review', fx.campaignId, `run-${run.id}`));
      return m.size === fx.experts.length ? m : undefined;
    }, 'assignment mails');
    expect([...jobs.values()].every((j) => j.template === 'expert_assignment')).toBe(true);
    expect([...jobs.values()].reduce((acc, j) => acc + (j.template === 'expert_assignment' ? j.params.spaces : 0), 0)).toBe(15);
  });

  test('when all three experts score, then the space is reviewed with the average of their totals, adjustments included; an edit before the deadline moves it', async () => {
    const { T1 } = fx.entrants;
    const [a, b, c] = await expertsOf(orm, T1.id);
    // Recommended and top-ranked: the bonus is +1..+5, so 0 is refused.
    const refused = await score(a, T1.id, 0.8, 0);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'body.adjustment', message: expect.stringContaining('+1 to +5') }]);
    expect((await score(a, T1.id, 0.8, 3)).body.score).toMatchObject({ rubricTotal: 80, adjustment: 3, total: 83 });
    expect((await score(b, T1.id, 0.8, 5)).status).toBe(200);
    expect((await score(c, T1.id, 0.9, 1)).status).toBe(200);
    await stateIs(T1.handle, 'reviewed');
    expect(await finalScoreOf('T1')).toBe(86.33);
    const [complete] = await conn().execute(`select details from entrant_transition where entrant_id = ? and to_state = 'reviewed'`, [T1.id]);
    expect(complete.details.finalScore).toBe(86.33);
    expect(complete.details.scores.map((s: { expertAccountId: string; total: number }) => [s.expertAccountId, s.total]).sort()).toEqual([[a, 83], [b, 85], [c, 91]].sort());

    expect((await score(a, T1.id, 0.9, 3)).status).toBe(200);
    await eventually(async () => ((await finalScoreOf('T1')) === 89.67 ? true : undefined), 'the edited final score');
    expect((await T1.handle.query(entrantStateQuery)).decisions.at(-1)).toMatchObject({ event: 'score_edited', to: 'reviewed' });
  });

  test('when an expert declares a conflict, then it comes off the space and a new draw keeps every constraint; the replacement is recorded', async () => {
    const { T2 } = fx.entrants;
    const before = await expertsOf(orm, T2.id);
    const leaving = before[0];
    await now();
    const res = await request(api.app).post(`/api/review/assignments/${T2.id}/conflict`).set(as(leaving)).send({ reason: '该空间教师是我的学生' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ entrantId: T2.id, kind: 'conflict', outcome: 'replaced' });

    const after = await expertsOf(orm, T2.id);
    const [newcomer] = after.filter((id) => !before.includes(id));
    expect(after).toHaveLength(3);
    expect(after).not.toContain(leaving);
    expect(expert(newcomer).cityId).not.toBe(T2.cityId);
    const [row] = await conn().execute(`select replaced_by, replacement_kind, reason from review_assignment where entrant_id = ? and expert_account_id = ?`, [T2.id, leaving]);
    expect(row).toMatchObject({ replaced_by: newcomer, replacement_kind: 'conflict', reason: '专家申报回避：该空间教师是我的学生' });
    const [conflict] = await conn().execute(`select reason from expert_conflict where expert_account_id = ? and entrant_id = ?`, [leaving, T2.id]);
    expect(conflict.reason).toBe('该空间教师是我的学生');
    const runs = await request(api.app).get(`/api/review/runs?campaignId=${fx.campaignId}`).set(admin.auth);
    expect(runs.body.items[0]).toMatchObject({ kind: 'replacement', state: 'done', report: { kind: 'conflict', replaced: leaving, expertId: newcomer } });
    await eventually(async () => ((await T2.handle.query(entrantStateQuery)).experts.join() === after.join() ? true : undefined), 'T2 told its new experts');

    // The leaving expert no longer sees the space; the newcomer does, and was mailed.
    expect((await request(api.app).get(`/api/review/assignments/${T2.id}`).set(as(leaving))).status).toBe(404);
    expect((await request(api.app).get(`/api/review/assignments/${T2.id}`).set(as(newcomer))).body.adjustment).toMatchObject({ min: -5, max: -1 });
    const mails = await mailJobs(mailJobId('review', fx.campaignId, `replace-${runs.body.items[0].id}`));
    const emailOf = (id: string) => `${expert(id).username}@experts.example.cn`;
    expect(Object.fromEntries([...mails.values()].map((m) => [m.template, m.to]))).toEqual({ expert_replaced: emailOf(leaving), expert_assignment: emailOf(newcomer) });

    for (const id of after) expect((await score(id, T2.id, 0.6, -2)).status).toBe(200);
    await stateIs(T2.handle, 'reviewed');
    expect(await finalScoreOf('T2')).toBe(58);
  });

  test('when the three totals differ by more than D, then the space is flagged; a fourth review ordered by the province admin drops the farthest total', async () => {
    const { S1 } = fx.entrants;
    const [a, b, c] = await expertsOf(orm, S1.id);
    expect((await score(a, S1.id, 0.4, 0)).status).toBe(200);
    expect((await score(b, S1.id, 0.7, 0)).status).toBe(200);
    expect((await score(c, S1.id, 0.8, 0)).status).toBe(200);
    await stateIs(S1.handle, 'reviewed');
    expect(await finalScoreOf('S1')).toBe(63.33);

    const flags = await request(api.app).get(`/api/review/flags?campaignId=${fx.campaignId}&state=open`).set(admin.auth);
    expect(flags.status).toBe(200);
    expect(flags.body.items).toEqual([expect.objectContaining({ entrantId: S1.id, spread: 40, threshold: 20, state: 'open' })]);
    const flagId = flags.body.items[0].id;

    await now();
    const noReason = await request(api.app).post(`/api/review/flags/${flagId}/fourth-review`).set(admin.auth).send({});
    expect(noReason.status).toBe(400);
    const ordered = await request(api.app).post(`/api/review/flags/${flagId}/fourth-review`).set(admin.auth).send({ reason: '三位专家评分相差40分' });
    expect(ordered.status).toBe(200);
    expect(ordered.body).toMatchObject({ status: 'ordered', entrantId: S1.id });
    const four = await expertsOf(orm, S1.id);
    const [fourth] = four.filter((id) => ![a, b, c].includes(id));
    expect(four).toHaveLength(4);
    expect(expert(fourth).cityId).not.toBe(S1.cityId);
    await stateIs(S1.handle, 'in_review');
    expect((await S1.handle.query(entrantStateQuery)).decisions.at(-1)).toMatchObject({ event: 'fourth_review', from: 'reviewed', to: 'in_review' });
    const again = await request(api.app).post(`/api/review/flags/${flagId}/fourth-review`).set(admin.auth).send({ reason: '再来一次' });
    expect(again.status).toBe(409);

    expect((await score(fourth, S1.id, 0.7, 0)).status).toBe(200);
    await stateIs(S1.handle, 'reviewed');
    // 40, 70, 80, 70: the median is 70, 40 is farthest and dropped → (70 + 80 + 70) / 3.
    expect(await finalScoreOf('S1')).toBe(73.33);
    const [complete] = await conn().execute(
      `select details from entrant_transition where entrant_id = ? and to_state = 'reviewed' and event_key like '%review_complete' order by at desc, id desc limit 1`,
      [S1.id],
    );
    expect(complete.details).toMatchObject({ finalScore: 73.33, droppedExpert: a });
    await exportHistory('entrant-lifecycle-fourth-review', S1.handle);
  });

  test('when the review deadline passes with an expert not scored, then it was reminded, is replaced by a new draw with days of its own, and the scores already given lock', async () => {
    const { T3, S3 } = fx.entrants;
    const [a, b, late] = await expertsOf(orm, T3.id);
    expect((await score(a, T3.id, 0.5, 0)).status).toBe(200);
    expect((await score(b, T3.id, 0.6, 0)).status).toBe(200);
    for (const id of await expertsOf(orm, S3.id)) expect((await score(id, S3.id, 0.5, -1)).status).toBe(200);
    await stateIs(S3.handle, 'reviewed');

    // 评审截止前3天: a reminder to the expert who has not scored.
    await sleepUntil(env, fx.reviewCloses - 3 * DAY_MS + 60_000);
    const reminder = await eventually(
      async () => (await queue.queue.getJob(mailJobId('review-reminder', fx.campaignId, fx.reviewCloses, late)))?.data as MailJob | undefined,
      'the review reminder',
    );
    expect(reminder).toMatchObject({ template: 'review_reminder', params: { remaining: 1 } });
    expect(await queue.queue.getJob(mailJobId('review-reminder', fx.campaignId, fx.reviewCloses, a))).toBeUndefined();

    await sleepUntil(env, fx.reviewCloses + 1000);
    const after = await eventually(async () => {
      const list = await expertsOf(orm, T3.id);
      return list.includes(late) ? undefined : list;
    }, 'the late expert replaced');
    const [newcomer] = after.filter((id) => ![a, b, late].includes(id));
    expect(expert(newcomer).cityId).not.toBe(T3.cityId);
    const [row] = await conn().execute(`select replaced_by, replacement_kind from review_assignment where entrant_id = ? and expert_account_id = ?`, [T3.id, late]);
    expect(row).toEqual({ replaced_by: newcomer, replacement_kind: 'late' });
    // The newcomer has three days from the sweep that drew it (just after the close); the campaign sweeps again then.
    const nextAt = (await fx.campaign.query(reviewProgressQuery))?.sweep?.nextAt ?? 0;
    expect(nextAt - (fx.reviewCloses + 3 * DAY_MS)).toBeGreaterThanOrEqual(0);
    expect(nextAt - (fx.reviewCloses + 3 * DAY_MS)).toBeLessThan(60_000);

    await now();
    expect((await request(api.app).get(`/api/review/assignments/${T3.id}`).set(as(late))).status).toBe(404);
    const lockedEdit = await score(a, T3.id, 0.9, 0);
    expect(lockedEdit.status).toBe(409);
    expect(lockedEdit.body.error.code).toBe('DeadlinePassed');
    const [stored] = await conn().execute(`select total, locked from expert_score where entrant_id = ? and expert_account_id = ?`, [T3.id, a]);
    expect(stored).toEqual({ total: '50.0', locked: true });
    const view = await request(api.app).get(`/api/review/assignments/${T3.id}`).set(as(newcomer));
    expect(view.body).toMatchObject({ purpose: 'replacement', editable: true, deadline: new Date(nextAt).toISOString() });

    expect((await score(newcomer, T3.id, 0.7, 0)).status).toBe(200);
    await stateIs(T3.handle, 'reviewed');
    expect(await finalScoreOf('T3')).toBe(60);
    expect((await T3.handle.query(entrantStateQuery)).decisions.filter((d) => d.event === 'assigned').at(-1)?.reason).toBe('更换评审专家');
    await exportHistory('entrant-lifecycle-late-expert', T3.handle);
    await exportHistory('campaign-review-stage', fx.campaign);
  });
});

describe('a draw that cannot meet every constraint', () => {
  test('when too few experts are outside the spaces’ city, then nothing is assigned and the province admin reads what cannot be met; after adding one, a re-run assigns', async () => {
    const f = await reviewFixture(env, orm, {
      topK: { teacher: 2, student: 0 },
      entrants: [
        { label: 'A', category: 'teacher', city: '黄石市', votes: 3 },
        { label: 'B', category: 'teacher', city: '黄石市', votes: 2 },
      ],
      experts: ['武汉市', '十堰市', '黄石市'],
    });
    await sleepUntil(env, f.times.votingCloses + 1000);
    const run = await assignmentRun(orm, f.campaignId);
    expect(run.state).toBe('infeasible');
    expect(await expertsOf(orm, f.entrants.A.id)).toEqual([]);
    await stateIs(f.entrants.A.handle, 'in_review');
    expect((await f.entrants.A.handle.query(entrantStateQuery)).experts).toEqual([]);

    await now();
    const runs = await request(api.app).get(`/api/review/runs?campaignId=${f.campaignId}`).set(admin.auth);
    expect(runs.body.items[0]).toMatchObject({ kind: 'assignment', state: 'infeasible', seed: run.seed });
    const messages = runs.body.items[0].report.problems.map((p: { kind: string; message: string }) => `${p.kind}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^space_short: space .* has only 2 eligible experts outside its city after conflicts; needs 3 \(3 active, 1 from its city, 0 declared a conflict\)$/),
      expect.stringMatching(/^space_short: space .*needs 3/),
    ]);
    const expertTries = await request(api.app).post('/api/review/assign').set(tokens.values().next().value!).send({ campaignId: f.campaignId, reason: 'x' });
    expect(expertTries.status).toBe(403);

    await addExpert(orm, f.campaignId, '荆州市');
    const rerun = await request(api.app).post('/api/review/assign').set(admin.auth).send({ campaignId: f.campaignId, reason: '已补充荆州市专家' });
    expect(rerun.status).toBe(200);
    expect(rerun.body).toMatchObject({ state: 'done', spaces: 2, assignments: 6, balance: { minLoad: 2, maxLoad: 2 } });
    for (const e of [f.entrants.A, f.entrants.B]) {
      const experts = await expertsOf(orm, e.id);
      expect(experts).toHaveLength(3);
      await eventually(async () => ((await e.handle.query(entrantStateQuery)).experts.join() === experts.join() ? true : undefined), 'told its experts');
    }
    await exportHistory('campaign-review-rerun', f.campaign);
    await f.campaign.terminate('test done');
  });
});
