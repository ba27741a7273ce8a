import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { CAST_VOTE_SQL, refusedVotes } from '../../api/services/votes';
import { Client as PgClient } from 'pg';
import { randomUUID } from 'node:crypto';
import { startCampaignWorkflow } from '../../api/services/campaigns';
import { initORM, type Orm } from '../../db/orm';
import { addDays, shanghaiDay, shanghaiMidnight } from '../../lib/time';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeCampaign } from '../helpers/db';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';
import { approvedTeacher, entrantIn, tally, voters } from './helpers';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let proxied: TestApi;
let server: Server;
let proxiedServer: Server;
let campaignId: string;
let times: ReturnType<typeof windowsAround>;

beforeAll(async () => {
  env = await localEnv();
  // A pool wider than the helpers' so concurrent votes really meet in PostgreSQL.
  orm = await initORM(process.env.TEST_DATABASE_URL!, { pool: { min: 0, max: 20 } });
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  // The deployment behind a reverse proxy on loopback: its X-Forwarded-For is the client.
  proxied = testApi(orm, env, { TRUST_PROXY: 'loopback' });
  server = api.app.listen(0, '127.0.0.1');
  proxiedServer = proxied.app.listen(0, '127.0.0.1');
  times = windowsAround(Date.now());
  campaignId = await makeCampaign(orm, times.windows);
});

afterAll(async () => {
  await refusedVotes(orm).flush();
  server?.close();
  proxiedServer?.close();
  await api?.close();
  await proxied?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

const vote = (entrantId: string, auth: object, via: Server = server) => request(via).post(`/api/entrants/${entrantId}/votes`).set(auth as Record<string, string>);
const conn = () => orm.em.fork().getConnection();

async function refusals(entrantId: string): Promise<Record<string, number>> {
  await refusedVotes(orm).flush();
  const rows = (await conn().execute(`select reason, count(*)::int as n from refused_vote where entrant_id = ? group by reason`, [entrantId])) as { reason: string; n: number }[];
  return Object.fromEntries(rows.map((r: { reason: string; n: number }) => [r.reason, r.n]));
}

describe('voting (公众投票)', () => {
  test('when a voter votes for an entrant approved through its lifecycle, then it is counted and the receipt is the voter’s alone', async () => {
    const entrantId = await approvedTeacher(api, campaignId);
    const [me, other] = await voters(orm, 2);
    const res = await vote(entrantId, me.auth);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ entrantId, campaignId, votes: 1, day: shanghaiDay(Date.now()) });
    expect(await tally(orm, entrantId)).toEqual({ votes: 1, accepted_boosts: 0, counted: 1 });

    const mine = await request(server).get(`/api/votes/${res.body.receipt}`).set(me.auth);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ receipt: res.body.receipt, entrant: { id: entrantId, name: '王老师' }, ip: '127.0.0.1', counted: true });
    expect((await request(server).get(`/api/votes/${res.body.receipt}`).set(other.auth)).status).toBe(404);
    expect((await request(server).get(`/api/votes/${res.body.receipt}`)).status).toBe(401);
  });

  test('when nobody is logged in, then a vote answers 401 and nothing is stored', async () => {
    const entrant = await entrantIn(orm, campaignId);
    expect((await vote(entrant.id, {})).status).toBe(401);
    expect(await tally(orm, entrant.id)).toEqual({ votes: 0, accepted_boosts: 0, counted: 0 });
  });

  test('when the same voter sends 50 identical votes at once, then exactly one is counted and 49 are refused with a message', async () => {
    const entrant = await entrantIn(orm, campaignId, { name: '李老师' });
    const [me] = await voters(orm, 1);
    const answers = await Promise.all(Array.from({ length: 50 }, () => vote(entrant.id, me.auth)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error.code).toBe('AlreadyVoted');
    expect(refused.body.error.message).toMatch(/already voted for 李老师 today/);
    expect(refused.body.error.details).toMatchObject({ reason: 'duplicate_account', nextVoteAt: shanghaiMidnight(addDays(shanghaiDay(Date.now()), 1)).toISOString() });
    expect(await tally(orm, entrant.id)).toEqual({ votes: 1, accepted_boosts: 0, counted: 1 });
    expect(await refusals(entrant.id)).toEqual({ duplicate_account: 49 });
  });

  test('when 50 transactions on 25 connections insert the same vote at once, then the unique index keeps one and the tally says 1', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const accountId = randomUUID();
    const clients = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const c = new PgClient({ connectionString: process.env.TEST_DATABASE_URL });
        await c.connect();
        return c;
      }),
    );
    try {
      const day = shanghaiDay(Date.now());
      const once = (c: PgClient) => c.query(CAST_VOTE_SQL, [entrant.id, randomUUID(), accountId, '192.0.2.50', day, new Date()]);
      const results = await Promise.all(clients.flatMap((c) => [once(c), once(c)]));
      expect(results).toHaveLength(50);
      expect(results.filter((r) => r.rows[0].votes != null)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await tally(orm, entrant.id)).toEqual({ votes: 1, accepted_boosts: 0, counted: 1 });
  });

  test('when 300 voters (each from its own IP, a third of them twice) vote at once for one entrant, then the tally equals the count of votes', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const crowd = await voters(orm, 300);
    const attempts = crowd.flatMap((v, i) => {
      const auth = { ...v.auth, 'X-Forwarded-For': `10.${i >> 8}.${i & 255}.7` };
      return i % 3 === 0 ? [auth, auth] : [auth];
    });
    const answers = await Promise.all(attempts.map((auth) => vote(entrant.id, auth, proxiedServer)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(300);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(100);
    expect(await tally(orm, entrant.id)).toEqual({ votes: 300, accepted_boosts: 0, counted: 300 });
    const [sum] = await conn().execute(
      `select (select coalesce(sum(votes), 0)::int from entrant_tally where campaign_id = ?) as tallied, (select count(*)::int from vote where campaign_id = ?) as counted`,
      [campaignId, campaignId],
    );
    expect(sum.tallied).toBe(sum.counted);
  });

  test('when the clock stands at 23:59:59 and then 00:00:00 Asia/Shanghai, then the voter votes once on each day', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const [me] = await voters(orm, 1);
    const tomorrow = addDays(shanghaiDay(Date.now()), 1);
    const midnight = shanghaiMidnight(addDays(tomorrow, 1)).getTime();
    try {
      api.setNow(midnight - 1000);
      const late = await vote(entrant.id, me.auth);
      expect(late.status).toBe(201);
      expect(late.body.day).toBe(tomorrow);
      api.setNow(midnight - 1);
      expect((await vote(entrant.id, me.auth)).status).toBe(409);
      api.setNow(midnight);
      const next = await vote(entrant.id, me.auth);
      expect(next.status).toBe(201);
      expect(next.body.day).toBe(addDays(tomorrow, 1));
      expect((await vote(entrant.id, me.auth)).status).toBe(409);
    } finally {
      api.setNow(undefined);
    }
    expect(await tally(orm, entrant.id)).toEqual({ votes: 2, accepted_boosts: 0, counted: 2 });
    const days = (await conn().execute(`select day::text as day from vote where entrant_id = ? order by at`, [entrant.id])) as { day: string }[];
    expect(days.map((d: { day: string }) => d.day)).toEqual([tomorrow, addDays(tomorrow, 1)]);
  });

  test('when a vote arrives at the voting deadline (00:00:00 after the last day), then it is refused and absent from the tally; at 23:59:59 it counts', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const [early, late] = await voters(orm, 2);
    try {
      api.setNow(times.votingCloses - 1000);
      expect((await vote(entrant.id, early.auth)).status).toBe(201);
      api.setNow(times.votingCloses);
      const refused = await vote(entrant.id, late.auth);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'DeadlinePassed', details: { reason: 'closed' } });
      expect(refused.body.error.message).toMatch(/votes after the deadline do not count/);
    } finally {
      api.setNow(undefined);
    }
    expect(await tally(orm, entrant.id)).toEqual({ votes: 1, accepted_boosts: 0, counted: 1 });
    expect(await refusals(entrant.id)).toEqual({ closed: 1 });
  });

  test('when the province closes voting early and later extends it, then votes follow the moved deadline', async () => {
    const moved = windowsAround(Date.now());
    const id = await makeCampaign(orm, moved.windows);
    await startCampaignWorkflow(env.client, id, moved.windows);
    const entrant = await entrantIn(orm, id);
    const [before, during, after] = await voters(orm, 3);
    const province = await loginAs(api, 'province_admin');
    const from = (v: { auth: object }, ip: string) => vote(entrant.id, { ...v.auth, 'X-Forwarded-For': ip }, proxiedServer);
    expect((await from(before, '192.0.2.1')).status).toBe(201);

    const advanced = await request(server).post(`/api/campaigns/${id}/windows/teacher.voting/advance`).set(province.auth).send({ reason: '发现异常，提前截止' });
    expect(advanced.status).toBe(200);
    await eventually(async () => ((await from(during, '192.0.2.2')).body.error?.details?.reason === 'closed' ? true : undefined), 'the advanced deadline reaching the vote path');
    expect(await tally(orm, entrant.id)).toMatchObject({ votes: 1, counted: 1 });

    const closesAt = new Date(Date.now() + 3600_000).toISOString();
    const extended = await request(server).post(`/api/campaigns/${id}/windows/teacher.voting/extend`).set(province.auth).send({ closesAt, reopen: true, reason: '恢复投票' });
    expect(extended.status).toBe(200);
    await eventually(async () => ((await from(after, '192.0.2.3')).status === 201 ? true : undefined), 'the extended deadline reaching the vote path');
    expect(await tally(orm, entrant.id)).toMatchObject({ votes: 2, counted: 2 });
  });

  test('when a client from an untrusted peer forges X-Forwarded-For, then the socket address counts and the per-IP rule still bites', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const [a, b] = await voters(orm, 2);
    const first = await vote(entrant.id, { ...a.auth, 'X-Forwarded-For': '203.0.113.1' });
    expect(first.status).toBe(201);
    const second = await vote(entrant.id, { ...b.auth, 'X-Forwarded-For': '203.0.113.2' });
    expect(second.status).toBe(409);
    expect(second.body.error.details.reason).toBe('duplicate_ip');
    expect(second.body.error.message).toMatch(/from your network \(IP address\) today/);
    const [row] = await conn().execute(`select host(ip) as ip from vote where entrant_id = ?`, [entrant.id]);
    expect(row.ip).toBe('127.0.0.1');
  });

  test('when the header comes from a trusted proxy, then each forwarded client is its own IP', async () => {
    const entrant = await entrantIn(orm, campaignId);
    const [a, b] = await voters(orm, 2);
    expect((await vote(entrant.id, { ...a.auth, 'X-Forwarded-For': '203.0.113.1' }, proxiedServer)).status).toBe(201);
    expect((await vote(entrant.id, { ...b.auth, 'X-Forwarded-For': '203.0.113.2' }, proxiedServer)).status).toBe(201);
    const rows = (await conn().execute(`select host(ip) as ip from vote where entrant_id = ? order by ip`, [entrant.id])) as { ip: string }[];
    expect(rows.map((r: { ip: string }) => r.ip)).toEqual(['203.0.113.1', '203.0.113.2']);
  });

  test('when the campaign’s policy is per account, then a whole school behind one IP can vote, each account once', async () => {
    const id = await makeCampaign(orm, times.windows);
    await conn().execute(`update campaign set config = jsonb_set(config, '{votePolicy}', '"account"') where id = ?`, [id]);
    const entrant = await entrantIn(orm, id);
    const classroom = await voters(orm, 5);
    for (const v of classroom) expect((await vote(entrant.id, v.auth)).status).toBe(201);
    const again = await vote(entrant.id, classroom[0].auth);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ reason: 'duplicate_account', policy: 'account' });
    expect(await tally(orm, entrant.id)).toMatchObject({ votes: 5, counted: 5 });
  });

  test('when the campaign’s policy is per IP, then one account votes from two networks but two accounts not from one', async () => {
    const id = await makeCampaign(orm, times.windows);
    await conn().execute(`update campaign set config = jsonb_set(config, '{votePolicy}', '"ip"') where id = ?`, [id]);
    const entrant = await entrantIn(orm, id);
    const [me, neighbour] = await voters(orm, 2);
    expect((await vote(entrant.id, { ...me.auth, 'X-Forwarded-For': '198.51.100.1' }, proxiedServer)).status).toBe(201);
    expect((await vote(entrant.id, { ...me.auth, 'X-Forwarded-For': '198.51.100.2' }, proxiedServer)).status).toBe(201);
    const refused = await vote(entrant.id, { ...neighbour.auth, 'X-Forwarded-For': '198.51.100.1' }, proxiedServer);
    expect(refused.body.error.details).toMatchObject({ reason: 'duplicate_ip', policy: 'ip' });
    expect(await tally(orm, entrant.id)).toMatchObject({ votes: 2, counted: 2 });
  });

  test.each([
    ['pending approval', 'pending_approval'],
    ['disqualified', 'disqualified'],
    ['withdrawn', 'withdrawn'],
  ])('when the entrant is %s, then a vote is refused and kept apart as not_approved', async (_what, state) => {
    const entrant = await entrantIn(orm, campaignId, { state });
    const [me] = await voters(orm, 1);
    const res = await vote(entrant.id, me.auth);
    expect(res.status).toBe(409);
    expect(res.body.error.details.reason).toBe('not_approved');
    expect(await tally(orm, entrant.id)).toMatchObject({ votes: 0, counted: 0 });
    expect(await refusals(entrant.id)).toEqual({ not_approved: 1 });
  });

  test('when the entrant does not exist, then the vote answers 404', async () => {
    const [me] = await voters(orm, 1);
    expect((await vote('00000000-0000-4000-8000-000000000001', me.auth)).status).toBe(404);
  });
});
