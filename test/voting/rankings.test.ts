import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { rankingQuery } from '../../api/services/rankings';
import type { Orm } from '../../db/orm';
import { SELECTABLE_STATES } from '../../lib/rules/ranking';
import { testApi, type TestApi } from '../helpers/api';
import { makeCampaign, testOrm } from '../helpers/db';
import { localEnv } from '../helpers/temporal';
import { windowsAround } from '../helpers/windows';
import { entrantIn } from './helpers';

let env: TestWorkflowEnvironment;
let orm: Orm;
let api: TestApi;
let server: Server;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  api = testApi(orm, env, { RANKING_CACHE_SECONDS: '0' });
  server = api.app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  server?.close();
  await api?.close();
  await env?.teardown();
  await orm?.close();
});

async function setTally(campaignId: string, entrantId: string, votes: number, acceptedBoosts = 0): Promise<void> {
  await orm.em.fork().getConnection().execute(`insert into entrant_tally (entrant_id, campaign_id, votes, accepted_boosts) values (?, ?, ?, ?)`, [entrantId, campaignId, votes, acceptedBoosts]);
}

/** A small field: ties of every kind, a disqualified leader, a pending entrant, other cities and categories. */
async function field() {
  const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
  const t0 = Date.parse('2017-05-16T09:00:00+08:00');
  const at = (minutes: number) => new Date(t0 + minutes * 60_000);
  const mk = (name: string, o: Parameters<typeof entrantIn>[2] = {}) => entrantIn(orm, campaignId, { name, registeredAt: at(0), ...o });
  const a = await mk('甲', { registeredAt: at(1) });
  const b = await mk('乙', { registeredAt: at(0) });
  const c = await mk('丙', { registeredAt: at(5) });
  const d = await mk('丁', { registeredAt: at(1) });
  const e = await mk('戊', { schoolName: undefined, state: 'awaiting_selection' });
  const cheat = await mk('刷票者', { state: 'disqualified' });
  const pending = await mk('待审', { state: 'pending_approval' });
  const student = await mk('学生', { category: 'student' });
  const silent = await mk('零票', { registeredAt: at(-10) });
  await setTally(campaignId, a.id, 30);
  await setTally(campaignId, b.id, 10, 2); // 10 + 10 × 2 = 30: ties with 甲 on score, loses on votes
  await setTally(campaignId, c.id, 30); // ties with 甲 on score and votes, registered later
  await setTally(campaignId, d.id, 30); // ties with 甲 on everything but the id
  await setTally(campaignId, e.id, 5);
  await setTally(campaignId, cheat.id, 1000);
  await setTally(campaignId, pending.id, 500);
  await setTally(campaignId, student.id, 50);
  const [first, second] = [a, d].sort((x, y) => (x.id < y.id ? -1 : 1));
  return { campaignId, a, b, c, d, e, cheat, pending, student, silent, tiedOrder: [first.id, second.id] };
}

describe('rankings (排行)', () => {
  test('when scores tie, then more votes, earlier registration and the id order them; disqualified and unapproved entrants are absent; no login needed', async () => {
    const f = await field();
    const res = await request(server).get(`/api/rankings?campaignId=${f.campaignId}&category=teacher`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ campaign: { id: f.campaignId }, boostWeight: 10, total: 6, page: 1 });
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([...f.tiedOrder, f.c.id, f.b.id, f.e.id, f.silent.id]);
    expect(res.body.items.map((i: { rank: number }) => i.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(res.body.items[3]).toMatchObject({ name: '乙', votes: 10, acceptedBoosts: 2, score: 30, school: { name: '黄石港区第一小学' }, city: { name: '黄石市' } });
    expect(res.body.items[5]).toMatchObject({ name: '零票', votes: 0, acceptedBoosts: 0, score: 0 });
  });

  test('when the ranking is read page by page, then the pages join into the whole ranking without overlap', async () => {
    const f = await field();
    const whole = (await request(server).get(`/api/rankings?campaignId=${f.campaignId}&category=teacher`)).body.items.map((i: { id: string }) => i.id);
    const pages: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await request(server).get(`/api/rankings?campaignId=${f.campaignId}&category=teacher&pageSize=2&page=${page}`);
      expect(res.body.total).toBe(6);
      pages.push(...res.body.items.map((i: { id: string }) => i.id));
    }
    expect(pages).toEqual(whole);
  });

  test('when filtered by category, stage, city or county (ids or codes), then only those entrants rank', async () => {
    const f = await field();
    const other = await entrantIn(orm, f.campaignId, { name: '武汉', schoolName: (await firstSchoolName('武汉市')) });
    await setTally(f.campaignId, other.id, 999);
    const ids = async (qs: string) => (await request(server).get(`/api/rankings?campaignId=${f.campaignId}&${qs}`)).body.items.map((i: { name: string }) => i.name);
    expect(await ids('category=student')).toEqual(['学生']);
    expect((await ids(`cityId=${other.cityId}`))).toEqual(['武汉']);
    expect(await ids('city=4201')).toEqual(['武汉']);
    expect(await ids(`countyId=${f.a.countyId}&category=teacher`)).toHaveLength(6);
    expect(await ids('stage=senior')).toEqual([]);
    const bad = await request(server).get(`/api/rankings?campaignId=${f.campaignId}&city=9999`);
    expect(bad.status).toBe(400);
  });

  test('when the review selection reads its candidates, then rankingQuery gives approved and awaiting-selection entrants in the same order', async () => {
    const f = await field();
    const { sql, params } = rankingQuery({ campaignId: f.campaignId, boostWeight: 10, category: 'teacher', states: SELECTABLE_STATES, limit: 3 });
    const rows = (await orm.em.fork().getConnection().execute(sql, params)) as { id: string }[];
    expect(rows.map((r: { id: string }) => r.id)).toEqual([...f.tiedOrder, f.c.id]);
    expect(rows[0]).toMatchObject({ votes: 30, accepted_boosts: 0, score: 30, total: 6 });
  });

  test('when the campaign weighs boosts differently, then the scores follow its config', async () => {
    const f = await field();
    await orm.em.fork().getConnection().execute(`update campaign set config = jsonb_set(config, '{ranking,boostWeight}', '25') where id = ?`, [f.campaignId]);
    const res = await request(server).get(`/api/rankings?campaignId=${f.campaignId}&category=teacher&pageSize=1`);
    expect(res.body.items[0]).toMatchObject({ name: '乙', score: 60 });
  });
});

async function firstSchoolName(city: string): Promise<string> {
  const [row] = await orm.em.fork().getConnection().execute(`select s.name from school s join city c on c.id = s.city_id where c.name = ? order by s.id limit 1`, [city]);
  return row.name;
}
