import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { MailJob } from '../../activities/mail/queue';
import { mailJobId } from '../../activities/mail/queue';
import { hashToken } from '../../api/auth';
import { initORM, type Orm } from '../../db/orm';
import { defaultCampaignConfig } from '../../db/seed';
import { campaignWorkflowId, publicationWorkflowId } from '../../lib/ids';
import { hashPassword } from '../../lib/passwords';
import { tierSizes, type TierRule } from '../../lib/rules/awards';
import type { Category } from '../../lib/rules/schedule';
import { entrantStateQuery, publicationStateQuery } from '../../workflows';
import { testApi, type TestApi } from '../helpers/api';
import { testOrm, uniqueId } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { testMailQueue } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';
import { sheet } from '../review/fixture';

// A whole campaign on the time-skipping server with the real activities, PostgreSQL, Redis
// and the API: every city registers teachers, education workers and students; school admins
// approve; the public votes; students boost; cities nominate experts and recommend within
// their quotas; voting closes into the selection and the draw; experts score over the API, one
// of them late and replaced; the province publishes; one objection is dismissed and one upheld
// with a re-review by new experts; the notice ends and every entrant learns its award. Then
// every invariant is checked on what was stored. The steps run in order and share state.
jest.setTimeout(600_000);

const TEACHERS_PER_CITY = 7; // plus one education worker
const STUDENTS_PER_CITY = 5;
const VOTERS = 12;
const TIERS: TierRule[] = [
  { key: 'first', share: 0.1 },
  { key: 'second', share: 0.2 },
  { key: 'third', share: 0.3 },
];
const ENDINGS = ['expired', 'withdrawn', 'not_selected', 'disqualified', 'awarded', 'not_awarded'];

interface Actor {
  id: string;
  username: string;
  auth: Record<string, string>;
}
interface City {
  id: number;
  name: string;
  code: string;
  schools: { id: number; name: string; stages: string[]; countyId: number; admin: Actor }[];
  admin: Actor;
}
interface Entrant {
  id: string;
  workflowId: string;
  category: Category;
  city: City;
  schoolId: number;
  owner: Actor;
  votes: number;
}

let env: TestWorkflowEnvironment;
let orm: Orm;
let workerDb: Orm;
let worker: RunningWorker;
let api: TestApi;
let queue: ReturnType<typeof testMailQueue>;
let dataDir: string;
let passwordHash: string;

const campaignId = uniqueId('e2e');
let times: ReturnType<typeof windowsAround>;
let province: Actor;
let auditor: Actor;
const cities: City[] = [];
const entrants: Entrant[] = [];
let lateComer: Entrant; // registered, never approved: expires
const voters: (Actor & { ip: string })[] = [];
const experts = new Map<string, Actor & { cityId: number }>();
const boosts = { accepted: 0, rejected: 0 };
const recommended = new Set<string>();

const sql = <T = Record<string, any>>(query: string, args: unknown[] = []): Promise<T[]> => orm.em.fork().getConnection().execute(query, args) as Promise<T[]>;

/** The API stands at the simulated instant. */
async function now(): Promise<number> {
  const t = await env.currentTimeMs();
  api.setNow(t);
  return t;
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** At most `n` at a time. */
async function inPool<T, R>(items: readonly T[], n: number, each: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await each(items[i], i);
      }
    }),
  );
  return out;
}

/**
 * An account with a session, written directly: hundreds of argon2 logins would only measure
 * the hash (login itself is tested in test/api). The token works like one the login issues.
 */
async function account(role: string, scope: { cityId?: number; countyId?: number; schoolId?: number } = {}): Promise<Actor> {
  const id = randomUUID();
  const username = uniqueId(role);
  await sql(`insert into account (id, username, password_hash, display_name, role, city_id, county_id, school_id) values (?, ?, ?, ?, ?, ?, ?, ?)`, [
    id,
    username,
    passwordHash,
    username,
    role,
    scope.cityId ?? null,
    scope.countyId ?? null,
    scope.schoolId ?? null,
  ]);
  const token = randomBytes(32).toString('base64url');
  await sql(`insert into session (token_hash, account_id, expires_at) values (?, ?, now() + interval '30 days')`, [hashToken(token), id]);
  return { id, username, auth: { Authorization: `Bearer ${token}` } };
}

function expectStatus(res: request.Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

async function workflowOf(entrantId: string): Promise<string> {
  const [row] = await sql(`select workflow_id from entrant where id = ?`, [entrantId]);
  return String(row.workflow_id);
}

const groupOf = (c: Category) => (c === 'student' ? 'student' : 'teacher');
const byId = (id: string) => entrants.find((e) => e.id === id)!;
const handleOf = (e: Entrant) => env.client.workflow.getHandle<() => Promise<unknown>>(e.workflowId);

async function stateOf(e: Entrant): Promise<string> {
  return (await handleOf(e).query(entrantStateQuery)).state;
}

async function allIn(list: Entrant[], state: string, what: string): Promise<void> {
  await eventually(async () => {
    const [{ n }] = await sql(`select count(*)::int as n from entrant where id = any(?::uuid[]) and state = ?`, [`{${list.map((e) => e.id).join(',')}}`, state]);
    return n === list.length ? true : undefined;
  }, what, 120_000);
}

/** The active experts of a space in its current round. */
async function currentExperts(entrantId: string): Promise<string[]> {
  const rows = await sql(
    `select expert_account_id from review_assignment a where entrant_id = ? and replaced_at is null
       and round = (select max(round) from review_assignment x where x.entrant_id = a.entrant_id) order by expert_account_id`,
    [entrantId],
  );
  return rows.map((r) => String(r.expert_account_id));
}

/** An expert's score sheet through the API: the fraction of each item's maximum, the adjustment its range allows. */
async function score(expertId: string, entrantId: string, fraction: number): Promise<number> {
  const as = experts.get(expertId)!.auth;
  const view = await request(api.app).get(`/api/review/assignments/${entrantId}`).set(as);
  expectStatus(view, 200);
  const { min, max } = view.body.adjustment as { min: number; max: number };
  const adjustment = min === 0 && max === 0 ? 0 : Math.round((min + max) / 2);
  const res = await request(api.app).put(`/api/review/assignments/${entrantId}/score`).set(as).send({ items: sheet(view.body.rubric.items, fraction), adjustment });
  expectStatus(res, 200);
  return res.body.score.total as number;
}

/** Each space's own level, and each expert's small difference from it (well within the discrepancy threshold). */
const levelOf = (entrantId: string) => 0.45 + (parseInt(entrantId.slice(0, 6), 16) % 50) / 100;
const fractionFor = (entrantId: string, expertId: string) => Math.min(1, levelOf(entrantId) + (parseInt(expertId.slice(0, 4), 16) % 3) / 100);

function nominee(city: City, i: number, email: string) {
  return {
    campaignId,
    name: `${city.name.slice(0, 2)}专家${i}`,
    email,
    title: '高级教师',
    speciality: '信息技术与学科教学融合',
    stages: ['primary', 'junior'],
    experience: '长期从事网络学习空间应用研究与教学实践。',
    criteria: {
      dedication: '师德高尚',
      seniorTitle: '高级教师',
      informatisationResearch: '主持省级信息化课题',
      teachingPractice: '常态化开展空间教学',
      fitness: '身体健康，可全程参加评审',
    },
  };
}

beforeAll(async () => {
  [env, orm] = await Promise.all([timeSkippingEnv(), testOrm()]);
  // Voting close moves every lifecycle at once: room in the worker's pool for their writes.
  workerDb = await initORM(process.env.TEST_DATABASE_URL!, { pool: { min: 0, max: 40 } });
  queue = testMailQueue('e2e');
  worker = await startWorker(env, { orm: workerDb, mail: { queue, publicUrl: 'https://lss.example.cn' } });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lss-e2e-'));
  // Behind a reverse proxy on loopback: each voter's X-Forwarded-For is its address.
  api = testApi(orm, env, { TRUST_PROXY: 'loopback', DATA_DIR: dataDir });
  passwordHash = await hashPassword('e2e correct horse battery');
  times = windowsAround(await env.currentTimeMs());
  province = await account('province_admin');
  auditor = await account('auditor');
});

afterAll(async () => {
  await env?.client.workflow.getHandle(campaignWorkflowId(campaignId)).terminate('test done').catch(() => undefined);
  await api?.close();
  await worker?.stop();
  await queue?.obliterate();
  await env?.teardown();
  await orm?.close();
  await workerDb?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a whole campaign, end to end', () => {
  test('the province creates the campaign: its clock starts', async () => {
    await now();
    const config = defaultCampaignConfig(times.windows);
    for (const code of Object.keys(config.quotas)) config.quotas[code] = { teacher: 1, student: 1, expert: 2 };
    config.review.topK = { teacher: 12, student: 6 };
    config.awards.tiers = TIERS;
    const res = await request(api.app).post('/api/campaigns').set(province.auth).send({ id: campaignId, name: `全流程 ${campaignId}`, year: 2017, config });
    expectStatus(res, 201);
    expect((await env.client.workflow.getHandle(campaignWorkflowId(campaignId)).describe()).status.name).toBe('RUNNING');
  });

  test('every city registers teachers, an education worker and students; school admins approve them', async () => {
    const rows = await sql(`select id, name, code from city order by id`);
    expect(rows).toHaveLength(17);
    for (const c of rows) {
      const schools = await sql(`select id, name, stages, county_id from school where city_id = ? order by id limit 2`, [c.id]);
      expect(schools).toHaveLength(2);
      cities.push({
        id: c.id,
        name: c.name,
        code: c.code,
        admin: await account('city_admin', { cityId: c.id }),
        schools: await Promise.all(
          schools.map(async (s) => ({ id: s.id, name: s.name, stages: s.stages as string[], countyId: s.county_id, admin: await account('school_admin', { schoolId: s.id, countyId: s.county_id, cityId: c.id }) })),
        ),
      });
    }
    const plan: { city: City; category: Category; n: number }[] = [];
    for (const city of cities) {
      for (let i = 0; i < TEACHERS_PER_CITY; i++) plan.push({ city, category: 'teacher', n: i });
      plan.push({ city, category: 'education_worker', n: 0 });
      for (let i = 0; i < STUDENTS_PER_CITY; i++) plan.push({ city, category: 'student', n: i });
    }
    await now();
    const registered = await inPool(plan, 8, async ({ city, category, n }, i) => {
      const school = city.schools[n % 2];
      const owner = await account(category);
      const res = await request(api.app)
        .post('/api/entrants')
        .set(owner.auth)
        .send({
          campaignId,
          category,
          schoolId: school.id,
          name: `${city.name.slice(0, 2)}${category === 'student' ? '同学' : '老师'}${i}`,
          subject: ['语文', '数学', '英语', '科学'][i % 4],
          stage: school.stages[i % school.stages.length],
          spaceUrl: `https://space.example.edu/${i}`,
          platform: '湖北教育云',
          browseCredentials: { username: `space${i}`, password: `pw-${i}` },
        });
      expectStatus(res, 201);
      return { id: res.body.id as string, workflowId: await workflowOf(res.body.id), category, city, schoolId: school.id, owner, votes: 0 } satisfies Entrant;
    });
    entrants.push(...registered);
    expect(entrants.length).toBeGreaterThanOrEqual(200);
    expect(new Set(entrants.map((e) => e.city.id)).size).toBe(17);

    // One more, whose school never approves it.
    const owner = await account('teacher');
    const late = await request(api.app).post('/api/entrants').set(owner.auth).send({
      campaignId,
      category: 'teacher',
      schoolId: cities[0].schools[0].id,
      name: '迟到老师',
      subject: '美术',
      stage: cities[0].schools[0].stages[0],
      spaceUrl: 'https://space.example.edu/late',
      platform: '湖北教育云',
    });
    expectStatus(late, 201);
    lateComer = { id: late.body.id, workflowId: await workflowOf(late.body.id), category: 'teacher', city: cities[0], schoolId: cities[0].schools[0].id, owner, votes: 0 };

    await allIn([...entrants, lateComer], 'pending_approval', 'registrations pending approval');
    await now();
    await inPool(entrants, 8, async (e) => {
      const admin = e.city.schools.find((s) => s.id === e.schoolId)!.admin;
      expectStatus(await request(api.app).post(`/api/entrants/${e.id}/approve`).set(admin.auth).send({}), 200);
    });
    // Another school's admin may not approve it.
    const stranger = cities[1].schools[0].admin;
    expect((await request(api.app).post(`/api/entrants/${lateComer.id}/approve`).set(stranger.auth).send({})).status).toBe(403);
    await allIn(entrants, 'approved', 'approvals stored');
  });

  test('the public votes (once per entrant a day) and students boost teachers with videos their schools moderate', async () => {
    for (let i = 0; i < VOTERS; i++) voters.push({ ...(await account('voter')), ip: `10.${20 + i}.${i * 7}.9` });
    await now();
    const ballots: { e: Entrant; v: (typeof voters)[number] }[] = [];
    for (const [i, e] of entrants.entries()) {
      e.votes = (i * 7) % (VOTERS + 1);
      for (const v of voters.slice(0, e.votes)) ballots.push({ e, v });
    }
    await inPool(ballots, 8, async ({ e, v }) => {
      expectStatus(await request(api.app).post(`/api/entrants/${e.id}/votes`).set({ ...v.auth, 'X-Forwarded-For': v.ip }), 201);
    });
    const busiest = entrants.find((e) => e.votes > 0)!;
    const again = await request(api.app).post(`/api/entrants/${busiest.id}/votes`).set({ ...voters[0].auth, 'X-Forwarded-For': voters[0].ip });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('AlreadyVoted');
    const [{ n }] = await sql(`select count(*)::int as n from vote where campaign_id = ?`, [campaignId]);
    expect(n).toBe(ballots.length);

    // 学生助力: one video each for a teacher of ten cities; eight accepted, two rejected.
    const teachers = cities.slice(0, 10).map((c) => entrants.find((e) => e.city === c && e.category === 'teacher')!);
    const students = entrants.filter((e) => e.category === 'student').slice(0, 10);
    await inPool(teachers, 4, async (t, i) => {
      const video = randomBytes(20_000);
      Buffer.from([0, 0, 0, 0x20]).copy(video, 0);
      Buffer.from('ftypisom').copy(video, 4);
      const up = await request(api.app).post(`/api/entrants/${t.id}/boosts`).set(students[i].owner.auth).attach('video', video, { filename: 'talent.mp4', contentType: 'video/mp4' });
      expectStatus(up, 201);
      const admin = t.city.schools.find((s) => s.id === t.schoolId)!.admin;
      if (i < 8) {
        expectStatus(await request(api.app).post(`/api/boosts/${up.body.id}/accept`).set(admin.auth).send({}), 200);
        boosts.accepted += 1;
      } else {
        expectStatus(await request(api.app).post(`/api/boosts/${up.body.id}/reject`).set(admin.auth).send({ reason: '视频与学习无关' }), 200);
        boosts.rejected += 1;
      }
    });
    const [tally] = await sql(`select sum(votes)::int as votes, sum(accepted_boosts)::int as boosts from entrant_tally where campaign_id = ?`, [campaignId]);
    expect(tally).toEqual({ votes: ballots.length, boosts: 8 });
  });

  test('each city nominates two experts; the province selects them; each activates with the mailed link', async () => {
    await now();
    const nominations: { id: string; email: string; cityId: number }[] = [];
    for (const city of cities) {
      for (let i = 0; i < 2; i++) {
        const email = `${uniqueId(`expert${i}`)}@experts.example.cn`;
        const res = await request(api.app).post('/api/nominations').set(city.admin.auth).send(nominee(city, i, email));
        expectStatus(res, 201);
        nominations.push({ id: res.body.nomination.id, email, cityId: city.id });
      }
    }
    // A third is beyond the city's two places.
    const third = await request(api.app).post('/api/nominations').set(cities[0].admin.auth).send(nominee(cities[0], 2, `${uniqueId('third')}@experts.example.cn`));
    expect(third.status).toBe(409);
    await inPool(nominations, 4, async (nom) => {
      expectStatus(await request(api.app).post(`/api/nominations/${nom.id}/select`).set(province.auth).send({ reason: '符合评审专家条件' }), 200);
    });
    await inPool(nominations, 4, async (nom) => {
      const [row] = await sql(`select workflow_id from expert_nomination where id = ?`, [nom.id]);
      const job = await eventually(async () => (await queue.queue.getJob(mailJobId(row.workflow_id, 'invited')))?.data as MailJob | undefined, 'invitation mail', 60_000);
      const token = new URL(job.params.link as string).searchParams.get('token')!;
      await now();
      const activated = await request(api.app).post('/api/experts/activate').send({ token, password: 'expert long password' });
      expectStatus(activated, 200);
      const login = await request(api.app).post('/api/auth/login').send({ username: activated.body.username, password: 'expert long password' });
      expectStatus(login, 200);
      const [acc] = await sql(`select id from account where username = ?`, [activated.body.username]);
      experts.set(acc.id, { id: acc.id, username: activated.body.username, auth: { Authorization: `Bearer ${login.body.token}` }, cityId: nom.cityId });
    });
    const pool = await eventually(async () => {
      const rows = await sql(`select account_id, city_id from campaign_expert where campaign_id = ? and active`, [campaignId]);
      return rows.length === 34 ? rows : undefined;
    }, 'the expert pool');
    for (const r of pool) expect(experts.get(r.account_id)?.cityId).toBe(r.city_id);
  });

  test('in the recommendation window each city recommends one teacher and one student; a second is refused', async () => {
    await sleepUntil(Date.parse(times.windows.recommendation.opensAt) + 60_000);
    // Registration has closed: the entrant never approved expired.
    await eventually(async () => ((await stateOf(lateComer)) === 'expired' ? true : undefined), 'the unapproved entrant expired');
    await now();
    for (const city of cities) {
      for (const group of ['teacher', 'student'] as const) {
        // The fewest votes of the city: recommended spaces outside the top K still enter review.
        const pick = entrants.filter((e) => e.city === city && groupOf(e.category) === group).sort((a, b) => a.votes - b.votes)[0];
        const res = await request(api.app).post('/api/recommendations').set(city.admin.auth).send({ entrantId: pick.id, reason: '市州推优' });
        expectStatus(res, 201);
        recommended.add(pick.id);
      }
    }
    const city = cities[3];
    const extra = entrants.find((e) => e.city === city && e.category === 'teacher' && !recommended.has(e.id))!;
    const refused = await request(api.app).post('/api/recommendations').set(city.admin.auth).send({ entrantId: extra.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('QuotaExceeded');
    // A city admin cannot recommend another city's entrant.
    const foreign = entrants.find((e) => e.city === cities[4] && !recommended.has(e.id))!;
    expect((await request(api.app).post('/api/recommendations').set(city.admin.auth).send({ entrantId: foreign.id })).status).toBe(403);
  });

  test('voting closes: the top K of each group and every recommended space enter review; each gets three experts from other cities', async () => {
    await sleepUntil(times.votingCloses + 1000);
    const run = await eventually(async () => (await sql(`select state from review_run where campaign_id = ? and kind = 'assignment'`, [campaignId]))[0], 'the draw', 120_000);
    expect(run.state).toBe('done');
    const selection = await sql(`select entrant_id, category_group, rank, top_ranked, recommended, selected from review_selection where campaign_id = ? order by category_group, rank`, [campaignId]);
    expect(selection).toHaveLength(entrants.length);
    for (const s of selection) {
      const k = s.category_group === 'teacher' ? 12 : 6;
      expect(s.top_ranked).toBe(s.rank <= k);
      expect(s.recommended).toBe(recommended.has(s.entrant_id));
      expect(s.selected).toBe(s.top_ranked || s.recommended);
    }
    // The ranking follows votes + 10 × accepted boosts.
    const ranked = await sql(`select s.entrant_id, s.category_group, s.rank, t.votes + 10 * t.accepted_boosts as score from review_selection s join entrant_tally t on t.entrant_id = s.entrant_id where s.campaign_id = ? order by s.category_group, s.rank`, [campaignId]);
    for (let i = 1; i < ranked.length; i++) if (ranked[i].category_group === ranked[i - 1].category_group) expect(Number(ranked[i].score)).toBeLessThanOrEqual(Number(ranked[i - 1].score));

    const selected = entrants.filter((e) => selection.find((s) => s.entrant_id === e.id)!.selected);
    const notSelected = entrants.filter((e) => !selected.includes(e));
    await allIn(selected, 'in_review', 'selected spaces in review');
    await allIn(notSelected, 'not_selected', 'the rest not selected');
    for (const e of selected) {
      const on = await currentExperts(e.id);
      expect(on).toHaveLength(3);
      for (const x of on) expect(experts.get(x)!.cityId).not.toBe(e.city.id);
    }
  });

  let late: { space: Entrant; expert: string };
  test('experts score their spaces over the API; one does not, and at the deadline is replaced by a new draw who scores', async () => {
    const spaces = (await sql(`select entrant_id from review_selection where campaign_id = ? and selected`, [campaignId])).map((r) => byId(r.entrant_id));
    expect(spaces.length).toBeGreaterThanOrEqual(recommended.size);
    const space = spaces.find((s) => !recommended.has(s.id))!;
    late = { space, expert: (await currentExperts(space.id))[2] };
    await now();
    const sheets: { space: Entrant; expert: string }[] = [];
    for (const s of spaces) for (const x of await currentExperts(s.id)) if (!(s === late.space && x === late.expert)) sheets.push({ space: s, expert: x });
    await inPool(sheets, 6, ({ space: s, expert: x }) => score(x, s.id, fractionFor(s.id, x)));
    await allIn(spaces.filter((s) => s !== late.space), 'reviewed', 'scored spaces reviewed');
    expect(await stateOf(late.space)).toBe('in_review');

    await sleepUntil(Date.parse(times.windows.review.closesAt) + 1000);
    const newcomer = await eventually(async () => {
      const on = await currentExperts(late.space.id);
      return on.includes(late.expert) ? undefined : on.find((x) => !sheets.some((s) => s.space === late.space && s.expert === x));
    }, 'the late expert replaced', 60_000);
    expect(experts.get(newcomer)!.cityId).not.toBe(late.space.city.id);
    const [row] = await sql(`select replaced_by, replacement_kind from review_assignment where entrant_id = ? and expert_account_id = ?`, [late.space.id, late.expert]);
    expect(row).toEqual({ replaced_by: newcomer, replacement_kind: 'late' });
    await now();
    await score(newcomer, late.space.id, fractionFor(late.space.id, newcomer));
    await allIn([late.space], 'reviewed', 'the late space reviewed');
  });

  let sharing: Entrant[];
  test('the province marks achievement sharing, reads the proposal and publishes: results are public without login', async () => {
    await now();
    const reviewedTeachers = (await sql(`select id from entrant where campaign_id = ? and state = 'reviewed' and category = 'teacher' order by id limit 2`, [campaignId])).map((r) => byId(r.id));
    sharing = reviewedTeachers;
    for (const t of sharing) expectStatus(await request(api.app).post('/api/results/achievement-sharing').set(province.auth).send({ entrantId: t.id, reason: '服务农村边远地区' }), 201);
    const proposal = await request(api.app).get('/api/results/proposal').query({ campaignId }).set(province.auth);
    expectStatus(proposal, 200);
    const published = await request(api.app).post('/api/results/publish').set(province.auth).send({ campaignId, reason: '评审结束，结果公示' });
    expectStatus(published, 201);
    const pub = env.client.workflow.getHandle(publicationWorkflowId(campaignId));
    await eventually(async () => ((await pub.query(publicationStateQuery)).phase === 'notice' ? true : undefined), 'notice phase', 60_000);
    const reviewed = (await sql(`select entrant_id from result where campaign_id = ?`, [campaignId])).map((r) => byId(r.entrant_id));
    await allIn(reviewed, 'published', 'entrants published');
    const open = await request(api.app).get('/api/results').query({ campaignId, pageSize: 200 });
    expectStatus(open, 200);
    expect(open.body.publication).toMatchObject({ state: 'notice', objectionsOpen: true });
    expect(open.body.total).toBe(reviewed.length);
    expect(open.body.items.filter((i: { award: string | null }) => i.award === 'first').length).toBeGreaterThan(0);
  });

  let upheld: Entrant;
  let dismissed: Entrant;
  let firstRound: string[];
  let reReviewLate: string;
  test('during the notice, one objection is dismissed and one upheld with a re-review by newly drawn experts', async () => {
    await now();
    const results = await sql(`select entrant_id from result where campaign_id = ? and ranking_group = 'teacher' order by published_rank`, [campaignId]);
    upheld = byId(results[1].entrant_id);
    dismissed = byId(results[2].entrant_id);
    expect(upheld).not.toBe(late.space);
    const filer = voters[0];
    const file = async (e: Entrant, reason: string) => {
      const res = await request(api.app).post('/api/objections').set(filer.auth).send({ entrantId: e.id, reason });
      expectStatus(res, 201);
      return res.body.id as string;
    };
    const a = await file(dismissed, '该空间资源疑似转载');
    const b = await file(upheld, '评审专家与参赛者同校，应回避');
    expectStatus(await request(api.app).post(`/api/objections/${a}/settle`).set(auditor.auth).send({ decision: 'dismiss', reason: '经核查为原创资源，异议不成立' }), 200);
    firstRound = await currentExperts(upheld.id);
    expectStatus(await request(api.app).post(`/api/objections/${b}/settle`).set(auditor.auth).send({ decision: 'uphold', action: 'rereview', reason: '专家应回避，重新评审' }), 200);
    const drawn = await eventually(async () => {
      const v = await handleOf(upheld).query(entrantStateQuery);
      return v.state === 'in_review' && v.experts.length === 3 ? v.experts : undefined;
    }, 're-review experts', 60_000);
    expect(drawn.filter((x) => firstRound.includes(x))).toEqual([]);
    for (const x of drawn) expect(experts.get(x)!.cityId).not.toBe(upheld.city.id);
    expect(await currentExperts(upheld.id)).toEqual([...drawn].sort());
    // One of them declares a conflict (回避): a new draw for the same round takes over, again
    // never anyone who was on the space before.
    await now();
    const stepping = drawn[0];
    const conflict = await request(api.app).post(`/api/review/assignments/${upheld.id}/conflict`).set(experts.get(stepping)!.auth).send({ reason: '与参赛者同校' });
    expectStatus(conflict, 200);
    expect(conflict.body.outcome).toBe('replaced');
    const second = await currentExperts(upheld.id);
    expect(second).toHaveLength(3);
    expect(second.filter((x) => firstRound.includes(x) || x === stepping)).toEqual([]);
    for (const x of second) expect(experts.get(x)!.cityId).not.toBe(upheld.city.id);
    await eventually(async () => ((await handleOf(upheld).query(entrantStateQuery)).experts.slice().sort().join() === second.join() ? true : undefined), 'the lifecycle told the new list');
    // Two of them score; the third never does.
    reReviewLate = second[2];
    for (const x of second.slice(0, 2)) await score(x, upheld.id, Math.min(1, levelOf(upheld.id) + 0.05));
    expect(await stateOf(upheld)).toBe('in_review');
  });

  test('the absent re-review expert is replaced at its deadline; the notice ends: every entrant learns its award or none, and the results are final', async () => {
    // The conflict's replacement woke the campaign's deadline sweep, which now covers the new
    // round too (without one, the publication's finalisation sweeps: test/workflows/publication.test.ts).
    const [{ deadline }] = await sql(`select deadline from review_assignment where entrant_id = ? and expert_account_id = ? and round = 2`, [upheld.id, reReviewLate]);
    await sleepUntil(new Date(deadline).getTime() + 60_000);
    const reviewers = await eventually(async () => {
      const on = await currentExperts(upheld.id);
      return on.includes(reReviewLate) ? undefined : on;
    }, 'the re-review expert replaced', 60_000);
    const [row] = await sql(`select replaced_by, replacement_kind from review_assignment where entrant_id = ? and expert_account_id = ? and round = 2`, [upheld.id, reReviewLate]);
    expect(row.replacement_kind).toBe('late');
    expect(reviewers).toHaveLength(3);
    expect(reviewers).toContain(row.replaced_by);
    expect(experts.get(row.replaced_by)!.cityId).not.toBe(upheld.city.id);
    expect([...firstRound, reReviewLate]).not.toContain(row.replaced_by);
    await now();
    await score(row.replaced_by, upheld.id, Math.min(1, levelOf(upheld.id) + 0.05));
    await allIn([upheld], 'reviewed', 'the re-review complete');

    await sleepUntil(Date.parse((await sql(`select notice_ends_at from publication where campaign_id = ?`, [campaignId]))[0].notice_ends_at) + 60_000);
    const pub = env.client.workflow.getHandle(publicationWorkflowId(campaignId));
    await eventually(async () => ((await pub.query(publicationStateQuery)).phase === 'final' ? true : undefined), 'publication final', 120_000);
    const results = await sql(`select entrant_id from result where campaign_id = ?`, [campaignId]);
    await eventually(async () => {
      const [{ n }] = await sql(`select count(*)::int as n from entrant where campaign_id = ? and state in ('awarded', 'not_awarded')`, [campaignId]);
      return n === results.length ? true : undefined;
    }, 'every published entrant finalised', 120_000);
    const open = await request(api.app).get('/api/results').query({ campaignId, pageSize: 200 });
    expect(open.body.publication.state).toBe('final');
    expect(open.body.items.every((i: { final: boolean }) => i.final)).toBe(true);
  });

  test('every invariant holds on what was stored', async () => {
    // Quotas: one teacher and one student space per city, never more.
    const recs = await sql(
      `select e.city_id, case when e.category = 'student' then 'student' else 'teacher' end as grp, count(*)::int as n
         from recommendation r join entrant e on e.id = r.entrant_id where r.campaign_id = ? and r.state = 'active' group by 1, 2`,
      [campaignId],
    );
    expect(recs).toHaveLength(34);
    expect(recs.every((r) => r.n === 1)).toBe(true);

    // No expert ever drawn on a space of its own city, in any round.
    const [{ same }] = await sql(
      `select count(*)::int as same from review_assignment a join entrant e on e.id = a.entrant_id
         join campaign_expert ce on ce.account_id = a.expert_account_id and ce.campaign_id = a.campaign_id
        where a.campaign_id = ? and ce.city_id = e.city_id`,
      [campaignId],
    );
    expect(same).toBe(0);

    // Exactly three scores behind every final score, from the space's current round and active
    // experts; the final score is their average (adjustments included), to the hundredth.
    const results = await sql(`select entrant_id, final_score, ranking_key, published_award, award, special_awards, outcome, final from result where campaign_id = ?`, [campaignId]);
    for (const r of results) {
      const totals = await sql(
        `select s.total from expert_score s join review_assignment a on a.entrant_id = s.entrant_id and a.expert_account_id = s.expert_account_id and a.round = s.round
          where s.entrant_id = ? and a.replaced_at is null and s.round = (select max(round) from review_assignment x where x.entrant_id = s.entrant_id)`,
        [r.entrant_id],
      );
      expect(totals).toHaveLength(3);
      const average = Math.round((totals.reduce((acc, t) => acc + Number(t.total), 0) / 3) * 100) / 100;
      expect(Number(r.final_score)).toBeCloseTo(average, 2);
      expect((await handleOf(byId(r.entrant_id)).query(entrantStateQuery)).finalScore).toBeCloseTo(average, 2);
    }
    const [{ round }] = await sql(`select max(round)::int as round from expert_score where entrant_id = ?`, [upheld.id]);
    expect(round).toBe(2);

    // Tier sizes as published: per ranking group, the configured shares of its entrants.
    for (const key of new Set(results.map((r) => String(r.ranking_key)))) {
      const group = results.filter((r) => r.ranking_key === key);
      for (const { key: tier, size } of tierSizes(group.length, TIERS)) expect(group.filter((r) => r.published_award === tier)).toHaveLength(size);
      // Only the re-reviewed entrant may have moved since publication.
      for (const r of group) if (r.entrant_id !== upheld.id) expect(r.award).toBe(r.published_award);
    }
    // Special awards: popularity to the top of the voting ranking; sharing to the marked teachers.
    const tallies = new Map((await sql(`select entrant_id, votes + 10 * accepted_boosts as score from entrant_tally where campaign_id = ?`, [campaignId])).map((t) => [t.entrant_id, Number(t.score)]));
    for (const group of ['teacher', 'student']) {
      const members = results.filter((r) => String(r.ranking_key).startsWith(group));
      const winners = members.filter((r) => r.special_awards.includes('popularity'));
      expect(winners).toHaveLength(Math.min(10, members.length));
      // No tally row: no votes and no boosts.
      const rankingScore = (id: string) => tallies.get(id) ?? 0;
      const lowestWinner = Math.min(...winners.map((w) => rankingScore(w.entrant_id)));
      for (const r of members) if (!winners.includes(r)) expect(rankingScore(r.entrant_id)).toBeLessThanOrEqual(lowestWinner);
    }
    for (const t of sharing) expect(results.find((r) => r.entrant_id === t.id)!.special_awards).toContain('sharing');
    const groups = await sql(`select level, count(*)::int as n from award_group where campaign_id = ? group by level`, [campaignId]);
    expect(groups.length).toBeGreaterThan(0);

    // The dismissed objection changed nothing; the upheld one is recorded with who and why.
    const objections = await sql(`select entrant_id, state, action, settled_by, applied_at from objection where campaign_id = ? order by filed_at`, [campaignId]);
    expect(objections).toEqual([
      expect.objectContaining({ entrant_id: dismissed.id, state: 'dismissed', action: null, settled_by: auditor.id }),
      expect.objectContaining({ entrant_id: upheld.id, state: 'upheld', action: 'rereview', settled_by: auditor.id }),
    ]);
    expect(objections.every((o) => o.applied_at !== null)).toBe(true);

    // No entrant left open: every lifecycle has completed in an ending state, rows agree.
    const everyone = [...entrants, lateComer];
    const states = await inPool(everyone, 8, async (e) => {
      const d = await handleOf(e).describe();
      const v = await handleOf(e).query(entrantStateQuery);
      return { status: d.status.name, state: v.state };
    });
    expect(states.filter((s) => s.status !== 'COMPLETED')).toEqual([]);
    expect(states.every((s) => ENDINGS.includes(s.state))).toBe(true);
    const stored = await sql(`select state, count(*)::int as n from entrant where campaign_id = ? group by state order by state`, [campaignId]);
    const counted = Object.fromEntries(stored.map((s) => [s.state, s.n]));
    expect(Object.keys(counted).every((s) => ENDINGS.includes(s))).toBe(true);
    expect((counted.awarded ?? 0) + (counted.not_awarded ?? 0)).toBe(results.length);
    expect(counted.expired).toBe(1);
    expect(results.every((r) => r.final)).toBe(true);
    expect(boosts).toEqual({ accepted: 8, rejected: 2 });

    await exportHistory('entrant-lifecycle-e2e-rereviewed', handleOf(upheld) as WorkflowHandle);
    await exportHistory('entrant-lifecycle-e2e-late-expert', handleOf(late.space) as WorkflowHandle);
    await exportHistory('publication-e2e-campaign', env.client.workflow.getHandle(publicationWorkflowId(campaignId)));
    // Still running (its clock outlives the review): replay covers a history in progress too.
    await exportHistory('campaign-schedule-e2e-whole', env.client.workflow.getHandle(campaignWorkflowId(campaignId)));
    console.log(`whole campaign: ${everyone.length} entrants, ${results.length} reviewed and published, ${experts.size} experts`);
  });
});
