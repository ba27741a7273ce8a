import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { refusedVotes } from '../../api/services/votes';
import type { Orm } from '../../db/orm';
import type { VoteSample } from '../../lib/rules/brushing';
import { entrantStateQuery } from '../../workflows';
import { detectBrushingOnce, startBrushingDetector } from '../../worker/brushing-detector';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeCampaign, testOrm, uniqueId } from '../helpers/db';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';
import { approvedTeacher, entrantIn, voters } from './helpers';
import { organicVotes, scriptedVotes } from './synthetic';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let server: Server;
let campaignId: string;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
  api = testApi(orm, env, { RANKING_CACHE_SECONDS: '0' });
  server = api.app.listen(0, '127.0.0.1');
  campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
});

afterAll(async () => {
  await refusedVotes(orm).flush();
  server?.close();
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

/** Writes synthetic votes (accounts created when the samples say) as the vote path would, tally included. */
async function insertVotes(entrantId: string, samples: VoteSample[]): Promise<void> {
  const conn = orm.em.fork().getConnection();
  const ids = samples.map(() => randomUUID());
  await conn.execute(
    `insert into account (id, username, password_hash, display_name, role, created_at)
     select id, 'synthetic-' || id, 'x', 'voter', 'voter', created from unnest(?::uuid[], ?::timestamptz[]) as s(id, created)`,
    [`{${ids.join(',')}}`, `{${samples.map((s) => new Date(s.accountCreatedAt).toISOString()).join(',')}}`],
  );
  await conn.execute(
    `insert into vote (id, campaign_id, entrant_id, account_id, ip, day, policy, at)
     select gen_random_uuid(), ?, ?, a, i, (t at time zone 'Asia/Shanghai')::date, 'ip_and_account', t
     from unnest(?::uuid[], ?::inet[], ?::timestamptz[]) as s(a, i, t)`,
    [campaignId, entrantId, `{${ids.join(',')}}`, `{${samples.map((s) => s.ip).join(',')}}`, `{${samples.map((s) => new Date(s.at).toISOString()).join(',')}}`],
  );
  await conn.execute(
    `insert into entrant_tally (entrant_id, campaign_id, votes) values (?, ?, ?) on conflict (entrant_id) do update set votes = entrant_tally.votes + excluded.votes`,
    [entrantId, campaignId, samples.length],
  );
}

const flagsOf = async (entrantId: string) =>
  (await orm.em.fork().getConnection().execute(`select id, kind, state, evidence from brushing_flag where entrant_id = ? order by kind`, [entrantId])) as {
    id: string;
    kind: string;
    state: string;
    evidence: Record<string, unknown>;
  }[];

describe('vote brushing (刷票)', () => {
  test('when a scripted burst and an organic crowd vote, then the detector flags the burst with evidence and not the crowd, once', async () => {
    const now = Date.now();
    const brushed = await approvedTeacher(api, campaignId);
    const popular = await entrantIn(orm, campaignId);
    await insertVotes(brushed, scriptedVotes(60, now - 60_000));
    await insertVotes(popular.id, organicVotes(300, now - 1000, 50, uniqueId('crowd')));

    const run = await detectBrushingOnce(orm, now);
    expect(run.examined).toBeGreaterThanOrEqual(2);
    const flags = await flagsOf(brushed);
    expect(flags.map((f) => f.kind)).toEqual(['account_cohort', 'fresh_accounts', 'ip_subnet', 'regular_intervals']);
    expect(flags.find((f) => f.kind === 'ip_subnet')!.evidence).toMatchObject({ subnet: '10.1.2.0/24', votes: 60, sampleIps: expect.arrayContaining([{ ip: '10.1.2.1', votes: 1 }]) });
    expect(await flagsOf(popular.id)).toEqual([]);

    // The next run sees the same burst again and adds nothing.
    await detectBrushingOnce(orm, now + 60_000);
    expect(await flagsOf(brushed)).toHaveLength(4);

    // Province admins and auditors list the flags; nobody else does.
    const province = await loginAs(api, 'province_admin');
    const list = await request(server).get(`/api/brushing-flags?campaignId=${campaignId}&state=open&entrantId=${brushed}`).set(province.auth);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(4);
    expect(list.body.items[0]).toMatchObject({ entrant: { id: brushed, name: '王老师' }, state: 'open', evidence: expect.any(Object) });
    expect((await request(server).get('/api/brushing-flags').set((await loginAs(api, 'auditor')).auth)).status).toBe(200);
    expect((await request(server).get('/api/brushing-flags').set((await loginAs(api, 'city_admin', { cityId: popular.cityId })).auth)).status).toBe(403);
    expect((await request(server).get('/api/brushing-flags')).status).toBe(401);
  });

  test('when a voter keeps voting for an entrant after its vote counted, then the refused attempts (kept apart) flag repeated_attempts', async () => {
    const hammered = await entrantIn(orm, campaignId);
    const [voter] = await voters(orm, 1);
    const vote = () => request(server).post(`/api/entrants/${hammered.id}/votes`).set(voter.auth);
    expect((await vote()).status).toBe(201);
    for (let i = 0; i < 35; i++) expect((await vote()).status).toBe(409);
    await refusedVotes(orm).flush();
    const [{ n }] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from refused_vote where entrant_id = ? and reason = 'duplicate_account'`, [hammered.id]);
    expect(n).toBe(35);

    await detectBrushingOnce(orm, Date.now() + 1000);
    const flags = await flagsOf(hammered.id);
    expect(flags.map((f) => f.kind)).toEqual(['repeated_attempts']);
    expect(flags[0].evidence).toMatchObject({ attempts: 35, distinctAccounts: 1, sampleAccounts: [{ accountId: voter.id, attempts: 35 }] });
    // Still one vote counted.
    const [{ votes }] = await orm.em.fork().getConnection().execute(`select votes from entrant_tally where entrant_id = ?`, [hammered.id]);
    expect(votes).toBe(1);
  });

  test('when the province admin dismisses a flag, then a reason is needed and the entrant keeps its votes', async () => {
    const entrant = await entrantIn(orm, campaignId);
    await insertVotes(entrant.id, scriptedVotes(40, Date.now() - 30_000, { subnet: '10.9.9', prefix: 'school' }));
    await detectBrushingOnce(orm, Date.now());
    const [flag] = await flagsOf(entrant.id);
    const province = await loginAs(api, 'province_admin');
    expect((await request(server).post(`/api/brushing-flags/${flag.id}/dismiss`).set(province.auth).send({})).status).toBe(400);
    const res = await request(server).post(`/api/brushing-flags/${flag.id}/dismiss`).set(province.auth).send({ reason: '学校机房统一投票，经核实为真实学生' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'dismissed', reason: '学校机房统一投票，经核实为真实学生' });
    expect((await request(server).post(`/api/brushing-flags/${flag.id}/confirm`).set(province.auth).send({ reason: 'x' })).status).toBe(409);
    const ranking = await request(server).get(`/api/rankings?campaignId=${campaignId}&pageSize=200`);
    expect(ranking.body.items.map((i: { id: string }) => i.id)).toContain(entrant.id);
  });

  test('when the province admin confirms a flag, then the entrant is disqualified through its lifecycle with the flag as evidence and leaves the rankings', async () => {
    const entrantId = await approvedTeacher(api, campaignId);
    await insertVotes(entrantId, scriptedVotes(50, Date.now() - 10_000, { subnet: '10.7.7', prefix: 'ring' }));
    await detectBrushingOnce(orm, Date.now());
    const flags = await flagsOf(entrantId);
    expect(flags.length).toBeGreaterThan(1);
    const before = await request(server).get(`/api/rankings?campaignId=${campaignId}&pageSize=200`);
    expect(before.body.items.map((i: { id: string }) => i.id)).toContain(entrantId);

    const province = await loginAs(api, 'province_admin');
    const school = await loginAs(api, 'school_admin', { schoolId: (await entrantRow(entrantId)).school_id });
    expect((await request(server).post(`/api/brushing-flags/${flags[0].id}/confirm`).set(school.auth).send({ reason: '刷票' })).status).toBe(403);
    const confirmed = await request(server).post(`/api/brushing-flags/${flags[0].id}/confirm`).set(province.auth).send({ reason: '同一网段脚本刷票，证据确凿' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'confirmed', entrant: { state: 'disqualified' } });

    const row = await entrantRow(entrantId);
    const view = await env.client.workflow.getHandle(row.workflow_id).query(entrantStateQuery);
    expect(view.state).toBe('disqualified');
    const [transition] = await orm.em.fork().getConnection().execute(`select reason, details, actor_role from entrant_transition where entrant_id = ? and to_state = 'disqualified'`, [entrantId]);
    expect(transition.actor_role).toBe('province_admin');
    expect(transition.reason).toContain(flags[0].id);
    expect(JSON.parse(transition.details.evidence)).toMatchObject({ brushingFlagId: flags[0].id, kind: flags[0].kind, evidence: flags[0].evidence });

    // A disqualified entrant's votes no longer rank, and it takes no more votes.
    const after = await request(server).get(`/api/rankings?campaignId=${campaignId}&pageSize=200`);
    expect(after.body.items.map((i: { id: string }) => i.id)).not.toContain(entrantId);
    const [voter] = await voters(orm, 1);
    expect((await request(server).post(`/api/entrants/${entrantId}/votes`).set(voter.auth)).body.error.details.reason).toBe('not_approved');

    // Another flag on the same entrant is confirmed without a second disqualification.
    const second = await request(server).post(`/api/brushing-flags/${flags[1].id}/confirm`).set(province.auth).send({ reason: '同上' });
    expect(second.status).toBe(200);
    const [{ n }] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from entrant_transition where entrant_id = ? and to_state = 'disqualified'`, [entrantId]);
    expect(n).toBe(1);
  });
});

describe('the detector’s schedule', () => {
  test('when the worker runs the detector on its BullMQ schedule, then a burst is flagged without anyone asking', async () => {
    const entrant = await entrantIn(orm, campaignId);
    await insertVotes(entrant.id, scriptedVotes(60, Date.now() - 5_000, { subnet: '10.5.5', prefix: 'scheduled' }));
    const detector = startBrushingDetector({ orm, redisUrl: 'redis://127.0.0.1:6379', prefix: `${process.env.TEST_REDIS_PREFIX}-brushing`, everySeconds: 1, log: () => undefined });
    try {
      const flags = await eventually(async () => ((await flagsOf(entrant.id)).length > 0 ? flagsOf(entrant.id) : undefined), 'a scheduled detection');
      expect(flags.map((f) => f.kind)).toContain('ip_subnet');
    } finally {
      await detector?.close();
    }
  });
});

async function entrantRow(id: string): Promise<{ workflow_id: string; school_id: number }> {
  const [row] = await orm.em.fork().getConnection().execute(`select workflow_id, school_id from entrant where id = ?`, [id]);
  return row as { workflow_id: string; school_id: number };
}
