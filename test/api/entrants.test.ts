import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { firstSchoolOfCity, makeCampaign, schoolByName, testOrm, uniqueId } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let campaignId: string;
let school: { id: number; county_id: number; city_id: number };
let times: ReturnType<typeof windowsAround>;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  times = windowsAround(Date.now());
  campaignId = await makeCampaign(orm, times.windows);
  school = await schoolByName(orm, '黄石港区第一小学');
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

const registration = (overrides: Record<string, unknown> = {}) => ({
  campaignId,
  category: 'teacher',
  schoolId: school.id,
  name: '刘老师',
  subject: '数学',
  stage: 'primary',
  spaceUrl: 'https://space.example.edu/liu',
  platform: '湖北教育云',
  ...overrides,
});

async function counts(accountId: string): Promise<{ entrants: number; workflows: number }> {
  const [row] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from entrant where account_id = ?`, [accountId]);
  const ids = await orm.em.fork().getConnection().execute(`select workflow_id from entrant where account_id = ?`, [accountId]);
  let workflows = 0;
  for (const { workflow_id } of ids) {
    try {
      await env.client.workflow.getHandle(workflow_id).describe();
      workflows += 1;
    } catch {
      // not started
    }
  }
  return { entrants: row.n, workflows };
}

async function registered(teacher: Awaited<ReturnType<typeof loginAs>>, body = registration()) {
  const res = await request(api.app).post('/api/entrants').set(teacher.auth).send(body);
  expect(res.status).toBe(201);
  await eventually(async () => ((await request(api.app).get(`/api/entrants/${res.body.id}`).set(teacher.auth)).body.state === 'pending_approval' ? true : undefined), 'pending_approval');
  return res.body.id as string;
}

describe('registration (我要报名)', () => {
  test('when the same request is retried with its Idempotency-Key, then there is one entrant and one workflow', async () => {
    const teacher = await loginAs(api, 'teacher');
    const key = uniqueId('idem');
    const first = await request(api.app).post('/api/entrants').set(teacher.auth).set('Idempotency-Key', key).send(registration());
    const again = await request(api.app).post('/api/entrants').set(teacher.auth).set('Idempotency-Key', key).send(registration());
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await counts(teacher.id)).toEqual({ entrants: 1, workflows: 1 });
  });

  test('when an account registers twice in one category without the key, then the second answers 409 and nothing more is stored', async () => {
    const teacher = await loginAs(api, 'teacher');
    await registered(teacher);
    const again = await request(api.app).post('/api/entrants').set(teacher.auth).send(registration());
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already registered/);
    expect(await counts(teacher.id)).toEqual({ entrants: 1, workflows: 1 });
  });

  test.each([
    ['missing fields', { name: undefined, spaceUrl: undefined }, ['body.name', 'body.spaceUrl']],
    ['a malformed address', { spaceUrl: 'javascript:alert(1)' }, ['body.spaceUrl']],
    ['an unknown school', { schoolId: 999999 }, ['body.schoolId']],
    ['a stage the school does not teach', { stage: 'senior' }, ['body.stage']],
    ['a category the role cannot take', { category: 'student' }, ['body.category']],
  ])('when the body has %s, then it answers 400 with the fields named and stores nothing', async (_what, overrides, paths) => {
    const teacher = await loginAs(api, 'teacher');
    const res = await request(api.app).post('/api/entrants').set(teacher.auth).send(registration(overrides));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...(paths as string[])].sort());
    expect(await counts(teacher.id)).toEqual({ entrants: 0, workflows: 0 });
  });

  test('when teachers registration has closed (clock at 00:00:00), then it answers 409 and starts nothing; at 23:59:59 it is accepted', async () => {
    const late = await loginAs(api, 'teacher');
    api.setNow(times.teacherRegistrationCloses);
    try {
      const res = await request(api.app).post('/api/entrants').set(late.auth).send(registration());
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'WindowClosed', message: expect.stringContaining('closed at') });
      expect(await counts(late.id)).toEqual({ entrants: 0, workflows: 0 });
      // Students register until their own, later deadline.
      const student = await loginAs(api, 'student');
      const ok = await request(api.app).post('/api/entrants').set(student.auth).send(registration({ category: 'student' }));
      expect(ok.status).toBe(201);
      api.setNow(times.teacherRegistrationCloses - 1000);
      const onTime = await request(api.app).post('/api/entrants').set(late.auth).send(registration());
      expect(onTime.status).toBe(201);
    } finally {
      api.setNow(undefined);
    }
  });

  test('when browse credentials are given, then they are stored sealed and never returned', async () => {
    const teacher = await loginAs(api, 'teacher');
    const res = await request(api.app).post('/api/entrants').set(teacher.auth).send(registration({ browseCredentials: { username: 'guest01', password: 's3cret-pw' } }));
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain('s3cret-pw');
    expect(res.body.hasBrowseCredentials).toBe(true);
    const [row] = await orm.em.fork().getConnection().execute(`select browse_credentials from entrant where id = ?`, [res.body.id]);
    expect(row.browse_credentials).toMatch(/^v1\./);
    expect(row.browse_credentials).not.toContain('s3cret');
  });

  test('when nobody is logged in, then registering answers 401', async () => {
    expect((await request(api.app).post('/api/entrants').send(registration())).status).toBe(401);
  });
});

describe('school approval (资格审核)', () => {
  test('when the admin of the entrant’s own school approves, then the entrant is approved with who and when', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
    const res = await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({});
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('approved');
    expect(res.body.decisions.at(-1)).toMatchObject({ to: 'approved', by: { role: 'school_admin', name: admin.username } });
    const again = await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('cannot approve: entrant is approved');
  });

  test('when registration was closed early and the lifecycle has not heard yet, then the stored schedule refuses the approval with 409 and nothing changes', async () => {
    const early = await makeCampaign(orm, times.windows);
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher, registration({ campaignId: early }));
    // The campaign workflow stored version 2 (teachers' registration closed a minute ago); its
    // broadcast to the lifecycles is still on its way.
    await orm.em.fork().getConnection().execute(
      `update campaign set schedule = jsonb_set(jsonb_set(schedule, '{version}', '2'), '{windows,teacher.registration,closesAt}', to_jsonb(?::text)) where id = ?`,
      [new Date(Date.now() - 60_000).toISOString(), early],
    );
    const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
    const res = await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({});
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'DeadlinePassed', message: expect.stringContaining('registration closed') });
    expect((await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth)).body.state).toBe('pending_approval');
  });

  test('when an admin of another school, county or city, the entrant itself, or nobody tries to approve, then it is refused and nothing changes', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const other = await firstSchoolOfCity(orm, '武汉市');
    const otherSchool = await loginAs(api, 'school_admin', { schoolId: other.id });
    const county = await loginAs(api, 'county_admin', { countyId: school.county_id });
    const city = await loginAs(api, 'city_admin', { cityId: school.city_id });
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).set(otherSchool.auth).send({})).status).toBe(403);
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).set(county.auth).send({})).status).toBe(403);
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).set(city.auth).send({})).status).toBe(403);
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).set(teacher.auth).send({})).status).toBe(403);
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).send({})).status).toBe(401);
    expect((await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth)).body.state).toBe('pending_approval');
  });

  test('when rejected, then the entrant corrects and resubmits, and the corrections are stored with the transition', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
    const noReason = await request(api.app).post(`/api/entrants/${id}/reject`).set(admin.auth).send({ reason: '  ' });
    expect(noReason.status).toBe(400);
    const rejected = await request(api.app).post(`/api/entrants/${id}/reject`).set(admin.auth).send({ reason: '空间地址无法打开' });
    expect(rejected.body).toMatchObject({ state: 'rejected', lastReason: '空间地址无法打开' });
    const someoneElse = await loginAs(api, 'teacher');
    expect((await request(api.app).post(`/api/entrants/${id}/resubmit`).set(someoneElse.auth).send({})).status).toBe(403);
    const resubmitted = await request(api.app).post(`/api/entrants/${id}/resubmit`).set(teacher.auth).send({ spaceUrl: 'https://space.example.edu/liu-fixed' });
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body).toMatchObject({ state: 'pending_approval', spaceUrl: 'https://space.example.edu/liu-fixed' });
  });

  test('when the entrant withdraws, then it ends withdrawn and further decisions answer 409', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const res = await request(api.app).post(`/api/entrants/${id}/withdraw`).set(teacher.auth).send({ reason: '个人原因' });
    expect(res.body.state).toBe('withdrawn');
    const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
    const late = await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({});
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/withdrawn/);
  });

  test('when the province disqualifies, then it ends disqualified; a city admin cannot', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const city = await loginAs(api, 'city_admin', { cityId: school.city_id });
    expect((await request(api.app).post(`/api/entrants/${id}/disqualify`).set(city.auth).send({ reason: '侵权' })).status).toBe(403);
    const province = await loginAs(api, 'province_admin');
    const res = await request(api.app).post(`/api/entrants/${id}/disqualify`).set(province.auth).send({ reason: '空间内容侵犯他人著作权', evidence: '举报材料 #7' });
    expect(res.status).toBe(200);
    expect(res.body.decisions.at(-1)).toMatchObject({ to: 'disqualified', reason: '空间内容侵犯他人著作权', by: { role: 'province_admin' } });
  });
});

describe('reads', () => {
  test('when lists are asked, then a school admin sees only its school and the public sees only approved spaces', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const mine = await loginAs(api, 'school_admin', { schoolId: school.id });
    const other = await loginAs(api, 'school_admin', { schoolId: (await firstSchoolOfCity(orm, '武汉市')).id });
    const seen = await request(api.app).get('/api/entrants').query({ campaignId, state: 'pending_approval' }).set(mine.auth);
    expect(seen.body.items.map((i: { id: string }) => i.id)).toContain(id);
    const notSeen = await request(api.app).get('/api/entrants').query({ campaignId }).set(other.auth);
    expect(notSeen.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    const anonymous = await request(api.app).get('/api/entrants').query({ campaignId });
    expect(anonymous.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await request(api.app).get(`/api/entrants/${id}`)).status).toBe(404);
    await request(api.app).post(`/api/entrants/${id}/approve`).set(mine.auth).send({});
    const pub = await request(api.app).get(`/api/entrants/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.decisions).toBeUndefined();
    expect((await request(api.app).get('/api/entrants').query({ campaignId, pageSize: 500 })).status).toBe(400);
  });

  test('when an entrant asks for its own entry, then it sees the effective deadlines', async () => {
    const teacher = await loginAs(api, 'teacher');
    const id = await registered(teacher);
    const res = await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth);
    expect(res.body.deadlines).toEqual({ registrationClosesAt: new Date(times.teacherRegistrationCloses).toISOString(), votingClosesAt: new Date(times.votingCloses).toISOString() });
  });
});
