import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { publicationWorkflowId, TASK_QUEUE } from '../../lib/ids';
import { entrantStateQuery, publication, publicationStateQuery } from '../../workflows';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { testOrm } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { province, resultOf, reviewedCampaign, rowState, stateIs, workerOrm, type Entrant } from '../results/fixture';
import { addExpert, login, sheet } from '../review/fixture';

const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let orm: Orm;
let activityOrm: Orm;
let worker: RunningWorker;
let api: TestApi;

beforeAll(async () => {
  env = await timeSkippingEnv();
  orm = await testOrm();
  activityOrm = await workerOrm();
  worker = await startWorker(env, { orm: activityOrm });
  api = testApi(orm, env);
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
  await activityOrm?.close();
});

/** The API stands at the workflows' (skipped) time. */
async function apiAtWorkflowTime(): Promise<void> {
  api.setNow(await env.currentTimeMs());
}

async function publish(campaignId: string): Promise<WorkflowHandle<typeof publication>> {
  const handle = await env.client.workflow.start(publication, {
    taskQueue: TASK_QUEUE,
    workflowId: publicationWorkflowId(campaignId),
    args: [{ campaignId, actor: province, reason: '评审结束，结果公示' }],
  });
  await eventually(async () => ((await handle.query(publicationStateQuery)).phase === 'notice' ? true : undefined), 'notice phase');
  return handle;
}

async function object(entrantId: string, who: Awaited<ReturnType<typeof loginAs>>, reason = '该空间内容与评分不符') {
  await apiAtWorkflowTime();
  const res = await request(api.app).post('/api/objections').set(who.auth).send({ entrantId, reason });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function settle(objectionId: string, auditor: Awaited<ReturnType<typeof loginAs>>, body: Record<string, unknown>) {
  await apiAtWorkflowTime();
  const res = await request(api.app).post(`/api/objections/${objectionId}/settle`).set(auditor.auth).send(body);
  expect(res.status).toBe(200);
  return res.body;
}

// Queries, not result(): awaiting a result lets the time-skipping server skip ahead past
// every workflow that waits without a timer (a held publication, say) until they time out.
async function outcome(e: Entrant) {
  return eventually(async () => {
    const v = await e.handle.query(entrantStateQuery);
    return ['awarded', 'not_awarded', 'disqualified'].includes(v.state) ? { state: v.state, award: v.award ?? null } : undefined;
  }, `${e.id} finalised`);
}

async function publicationFinal(handle: WorkflowHandle<typeof publication>) {
  return eventually(async () => {
    const v = await handle.query(publicationStateQuery);
    return v.phase === 'final' ? v : undefined;
  }, 'publication final');
}

// Counts, so that with ten teachers four win nothing.
const TIERS = { awards: { tiers: [{ key: 'first', count: 1 }, { key: 'second', count: 2 }, { key: 'third', count: 3 }] } };

describe('publication (公示) and finalisation', () => {
  test('when results are published and the notice ends, then every lifecycle learns its tier, and an open objection holds only its entrant until it is dismissed', async () => {
    const c = await reviewedCampaign(env, orm, Array.from({ length: 10 }, (_, i) => ({ score: 90 - i })), TIERS);
    const handle = await publish(c.campaignId);
    await Promise.all(c.entrants.map((e) => stateIs(e.handle, 'published')));
    const view = await handle.query(publicationStateQuery);
    expect(view).toMatchObject({ entrants: 10, phase: 'notice' });
    expect(Date.parse(view.noticeEndsAt!) - Date.parse(view.publishedAt!)).toBe(7 * DAY);
    expect(await rowState(orm, c.entrants[0].id)).toBe('published');

    const voter = await loginAs(api, 'voter');
    const held = c.entrants[4]; // rank 5: third prize
    const objectionId = await object(held.id, voter);

    await env.sleep(7 * DAY + 60_000);
    const others = c.entrants.filter((e) => e !== held);
    const outcomes = await Promise.all(others.map(outcome));
    expect(outcomes.map((o) => o.award)).toEqual(['first', 'second', 'second', 'third', 'third', null, null, null, null]);
    expect(outcomes.map((o) => o.state)).toEqual(['awarded', 'awarded', 'awarded', 'awarded', 'awarded', 'not_awarded', 'not_awarded', 'not_awarded', 'not_awarded']);
    expect((await held.handle.query(entrantStateQuery)).state).toBe('published');
    await eventually(async () => ((await handle.query(publicationStateQuery)).phase === 'finalising' ? true : undefined), 'finalising');
    expect(await handle.query(publicationStateQuery)).toMatchObject({ held: 1, awaitingReview: 0 });
    expect(await resultOf(orm, held.id)).toMatchObject({ final: false, award: 'third' });

    // Filing is closed once the notice is over.
    const late = await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: c.entrants[0].id, reason: '逾期提出' });
    expect(late.status).toBe(409);

    const auditor = await loginAs(api, 'auditor');
    const settled = await settle(objectionId, auditor, { decision: 'dismiss', reason: '经核查评分无误，异议不成立' });
    expect(settled).toMatchObject({ state: 'dismissed', settlement: { decision: 'dismiss', by: { accountId: auditor.id }, reason: '经核查评分无误，异议不成立' } });
    expect(await outcome(held)).toEqual({ state: 'awarded', award: 'third' });
    expect(await publicationFinal(handle)).toMatchObject({ phase: 'final', held: 0 });
    const [pub] = await orm.em.fork().getConnection().execute(`select state, finalised_at from publication where campaign_id = ?`, [c.campaignId]);
    expect(pub.state).toBe('final');
    const [o] = await orm.em.fork().getConnection().execute(`select acknowledged_at, applied_at from objection where id = ?`, [objectionId]);
    expect(o.acknowledged_at).not.toBeNull();
    expect(o.applied_at).not.toBeNull();
    const events = (await handle.fetchHistory()).events?.length ?? 0;
    console.log(`publication history of 10 entrants and 1 objection: ${events} events`);
    expect(events).toBeLessThan(120);
    await exportHistory('publication-finalised', handle);
  });

  test('when objections are upheld, then a correction is recorded and re-placed, a disqualification ends the entrant, and a re-review by newly drawn experts (an absent one replaced) holds it until their scores are in', async () => {
    const c = await reviewedCampaign(env, orm, [90, 88, 86, 84, 82, 80].map((score) => ({ score })), { awards: { tiers: [{ key: 'first', count: 1 }, { key: 'second', count: 1 }, { key: 'third', count: 1 }] } });
    const handle = await publish(c.campaignId);
    await Promise.all(c.entrants.map((e) => stateIs(e.handle, 'published')));
    const [, disqualified, , rereviewed, , corrected] = c.entrants;
    const filer = await loginAs(api, 'teacher');
    const auditor = await loginAs(api, 'auditor');

    const correction = await settle(await object(corrected.id, filer), auditor, { decision: 'uphold', action: 'correct', finalScore: 89, reason: '专家漏计课后作业项得分' });
    expect(correction.settlement).toMatchObject({ action: 'correct', previousScore: 80, correctedScore: 89 });
    await eventually(async () => ((await corrected.handle.query(entrantStateQuery)).finalScore === 89 ? true : undefined), 'lifecycle corrected');
    const [t] = await orm.em.fork().getConnection().execute(`select actor_role, actor_account_id, reason, details from entrant_transition where entrant_id = ? and event_key like '%:score_corrected'`, [corrected.id]);
    expect(t).toMatchObject({ actor_role: 'auditor', actor_account_id: auditor.id, details: { before: 80, finalScore: 89 } });
    expect(t.reason).toContain('专家漏计课后作业项得分');
    // Applied to the published result by the publication workflow: 89 reaches the second prize's cut-off (88).
    await eventually(async () => (Number((await resultOf(orm, corrected.id)).final_score) === 89 ? true : undefined), 'result corrected');
    expect(await resultOf(orm, corrected.id)).toMatchObject({ award: 'second', rank: 2, published_award: null, published_rank: 6 });

    await settle(await object(disqualified.id, filer, '空间内容涉嫌侵权'), auditor, { decision: 'uphold', action: 'disqualify', reason: '经核实存在版权侵权' });
    await stateIs(disqualified.handle, 'disqualified');
    const dq = await disqualified.handle.query(entrantStateQuery);
    expect(dq.decisions.at(-1)).toMatchObject({ actor: { role: 'auditor', accountId: auditor.id } });
    expect(dq.decisions.at(-1)!.reason).toContain('经核实存在版权侵权');

    // The expert pool: the space's first three experts (round 1), four more from other
    // cities, and one from the space's own city. The re-review draws three of the four.
    const conn = orm.em.fork().getConnection();
    const [space] = await conn.execute(`select e.city_id, ci.name as city from entrant e join city ci on ci.id = e.city_id where e.id = ?`, [rereviewed.id]);
    const others: string[] = (await conn.execute(`select name from city where id <> ? order by id limit 7`, [space.city_id])).map((r) => String(r.name));
    const first = await Promise.all(others.slice(0, 3).map((city) => addExpert(orm, c.campaignId, city)));
    const fresh = await Promise.all(others.slice(3, 7).map((city) => addExpert(orm, c.campaignId, city)));
    const sameCity = await addExpert(orm, c.campaignId, space.city);
    const [run] = await conn.execute(
      `insert into review_run (campaign_id, kind, seed, algorithm, state, report, at) values (?, 'assignment', 'seed-1', 'assign-v1', 'done', '{}'::jsonb, now()) returning id`,
      [c.campaignId],
    );
    for (const x of first) {
      await conn.execute(`insert into review_assignment (campaign_id, entrant_id, expert_account_id, round, purpose, run_id, assigned_at) values (?, ?, ?, 1, 'review', ?, now())`, [c.campaignId, rereviewed.id, x.id, run.id]);
    }

    await settle(await object(rereviewed.id, filer, '评审专家与参赛者同校'), auditor, { decision: 'uphold', action: 'rereview', reason: '专家应回避，重新评审' });
    // New experts, drawn for round 2: never an earlier one, never one of the space's city.
    const drawn = await eventually(async () => {
      const v = await rereviewed.handle.query(entrantStateQuery);
      return v.state === 'in_review' && v.experts.length === 3 ? [...v.experts].sort() : undefined;
    }, 're-review experts drawn');
    expect(drawn.every((id) => fresh.some((x) => x.id === id))).toBe(true);
    expect(drawn).not.toContain(sameCity.id);
    const spare = fresh.find((x) => !drawn.includes(x.id))!;
    const rows = await conn.execute(`select expert_account_id, round, purpose, deadline from review_assignment where entrant_id = ? and round = 2 order by expert_account_id`, [rereviewed.id]);
    expect(rows.map((r) => String(r.expert_account_id))).toEqual(drawn);
    expect(rows.every((r) => r.purpose === 're_review' && r.deadline !== null)).toBe(true);
    const [reRun] = await conn.execute(`select kind, seed, state, actor from review_run where campaign_id = ? and kind = 're_review'`, [c.campaignId]);
    expect(reRun).toMatchObject({ state: 'done', actor: { accountId: auditor.id, role: 'auditor' } });
    expect(reRun.seed).toMatch(/^re-review:/);

    // Two of the new experts score it through the API (round 2; a first-round expert no longer
    // sees it); the third never does.
    await apiAtWorkflowTime();
    expect((await request(api.app).get(`/api/review/assignments/${rereviewed.id}`).set(await login(api, first[0]))).status).toBe(404);
    const expertOf = (id: string) => fresh.find((x) => x.id === id)!;
    const totals: number[] = [];
    const scoreAs = async (x: { username: string; password: string }, purpose: string) => {
      const as = await login(api, x);
      const mine = await request(api.app).get(`/api/review/assignments/${rereviewed.id}`).set(as);
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ purpose, editable: true });
      const scored = await request(api.app).put(`/api/review/assignments/${rereviewed.id}/score`).set(as).send({ items: sheet(mine.body.rubric.items, 0.87) });
      expect(scored.status).toBe(200);
      totals.push(scored.body.score.total);
    };
    for (const id of drawn.slice(0, 2)) await scoreAs(expertOf(id), 're_review');
    const absent = drawn[2];

    await env.sleep(7 * DAY + 60_000);
    expect(await outcome(corrected)).toEqual({ state: 'awarded', award: 'second' });
    expect(await outcome(c.entrants[0])).toEqual({ state: 'awarded', award: 'first' });
    // Nobody moves up into the disqualified entrant's second prize.
    expect(await outcome(c.entrants[2])).toEqual({ state: 'awarded', award: 'third' });
    expect(await outcome(c.entrants[4])).toEqual({ state: 'not_awarded', award: null });
    expect(await resultOf(orm, disqualified.id)).toMatchObject({ outcome: 'disqualified', award: null, final: true });
    await eventually(async () => ((await handle.query(publicationStateQuery)).awaitingReview === 1 ? true : undefined), 'held for the re-review');
    expect((await rereviewed.handle.query(entrantStateQuery)).state).toBe('in_review');

    // Past its deadline (the review window's close here, as the review is still open; 3 days
    // from the settlement after it), the absent expert is replaced by the finalisation's hourly
    // sweep: the one eligible expert left.
    const [{ deadline }] = await conn.execute(`select deadline from review_assignment where entrant_id = ? and expert_account_id = ? and round = 2`, [rereviewed.id, absent]);
    await env.sleep(Math.max(0, new Date(deadline).getTime() - (await env.currentTimeMs())) + 60 * 60 * 1000 + 60_000);
    const now = await eventually(async () => {
      const v = await rereviewed.handle.query(entrantStateQuery);
      return v.experts.includes(absent) ? undefined : [...v.experts].sort();
    }, 'the absent expert replaced');
    expect(now).toEqual([...drawn.slice(0, 2), spare.id].sort());
    const [gone] = await conn.execute(`select replaced_by, replacement_kind from review_assignment where entrant_id = ? and expert_account_id = ? and round = 2`, [rereviewed.id, absent]);
    expect(gone).toEqual({ replaced_by: spare.id, replacement_kind: 'late' });
    await apiAtWorkflowTime();
    await scoreAs(spare, 'replacement');
    const [{ n }] = await conn.execute(`select count(*)::int as n from expert_score where entrant_id = ? and round = 2`, [rereviewed.id]);
    expect(n).toBe(3);
    await stateIs(rereviewed.handle, 'reviewed');
    // Placed against the published cut-offs (first 90, second 88, third 86): the third prize.
    const average = Math.round((totals.reduce((a, b) => a + b, 0) / 3) * 100) / 100;
    expect(average).toBeGreaterThanOrEqual(86);
    expect(average).toBeLessThan(88);
    await env.sleep(60 * 60 * 1000 + 60_000);
    expect(await outcome(rereviewed)).toEqual({ state: 'awarded', award: 'third' });
    expect(await resultOf(orm, rereviewed.id)).toMatchObject({ final_score: average.toFixed(2), award: 'third', final: true });
    expect(await publicationFinal(handle)).toMatchObject({ phase: 'final', held: 0 });
    await exportHistory('publication-objections-upheld-re-review-sweep', handle);
  });

  test('when the province admin extends the notice, then finalisation waits for the new end and the extension is recorded with who and why', async () => {
    const c = await reviewedCampaign(env, orm, [{ score: 80 }, { score: 70 }], TIERS);
    const handle = await publish(c.campaignId);
    const before = await handle.query(publicationStateQuery);
    const admin = await loginAs(api, 'province_admin');
    await apiAtWorkflowTime();
    const until = new Date(Date.parse(before.noticeEndsAt!) + 3 * DAY).toISOString();
    const res = await request(api.app).post('/api/results/notice/extend').set(admin.auth).send({ campaignId: c.campaignId, until, reason: '异议较多，延长公示期' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ noticeEndsAt: until, extensions: 1 });
    const earlier = await request(api.app).post('/api/results/notice/extend').set(admin.auth).send({ campaignId: c.campaignId, until: before.noticeEndsAt, reason: '缩短' });
    expect(earlier.status).toBe(400);

    await env.sleep(7 * DAY + 60_000);
    expect((await c.entrants[0].handle.query(entrantStateQuery)).state).toBe('published');
    await apiAtWorkflowTime();
    const voter = await loginAs(api, 'voter');
    expect((await request(api.app).post('/api/objections').set(voter.auth).send({ entrantId: c.entrants[1].id, reason: '延长期内提出' })).status).toBe(201);
    const [pub] = await orm.em.fork().getConnection().execute(`select notice_ends_at from publication where campaign_id = ?`, [c.campaignId]);
    expect(new Date(pub.notice_ends_at).toISOString()).toBe(until);
    const [ev] = await orm.em.fork().getConnection().execute(`select actor_account_id, actor_role, reason, details from publication_event where campaign_id = ? and kind = 'notice_extended'`, [c.campaignId]);
    expect(ev).toMatchObject({ actor_account_id: admin.id, actor_role: 'province_admin', reason: '异议较多，延长公示期', details: { until } });

    await env.sleep(3 * DAY);
    expect(await outcome(c.entrants[0])).toEqual({ state: 'awarded', award: 'first' });
    expect((await c.entrants[1].handle.query(entrantStateQuery)).state).toBe('published');
    await exportHistory('publication-notice-extended', handle);
  });
});
