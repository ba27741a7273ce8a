import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { makeAccount, makeCampaign, schoolByName, testOrm } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

describe('platform foundation', () => {
  test('when the API starts a workflow on a real Temporal server, then its activity writes PostgreSQL and the API reads the row back', async () => {
    const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
    const teacher = await loginAs(api, 'teacher');
    const school = await schoolByName(orm, '黄石港区第一小学');
    const created = await request(api.app)
      .post('/api/entrants')
      .set(teacher.auth)
      .send({ campaignId, category: 'teacher', schoolId: school.id, name: '张老师', subject: '语文', stage: 'primary', spaceUrl: 'https://space.example.edu/zhang', platform: '湖北教育云' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const read = await eventually(async () => {
      const res = await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth);
      return res.body.state === 'pending_approval' ? res.body : undefined;
    }, 'the activity to record pending_approval');
    expect(read.decisions).toEqual([expect.objectContaining({ from: 'submitted', to: 'pending_approval', event: 'registered', by: { role: 'teacher', name: teacher.username } })]);
    const description = await env.client.workflow.getHandle(`entrant-${campaignId}-${id}`).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  test('when health is asked with every service up, then each reports ok', async () => {
    const res = await request(api.app).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok', temporal: 'ok' } });
  });

  test('when Redis is unreachable, then health answers 503 naming Redis as failing', async () => {
    const broken = testApi(orm, env, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(broken.app).get('/api/health');
      expect(res.status).toBe(503);
      expect(res.body.checks.postgres).toBe('ok');
      expect(res.body.checks.temporal).toBe('ok');
      expect(res.body.checks.redis).toMatch(/^failing/);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });

  test('when the OpenAPI document is fetched, then it lists the routes with their schemas', async () => {
    const res = await request(api.app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/entrants', '/api/entrants/{id}/approve', '/api/campaigns/{id}/windows/{window}/extend', '/api/health']));
    expect(res.body.paths['/api/entrants'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['campaignId', 'schoolId', 'spaceUrl']));
  });

  test('when the body is not JSON or the route does not exist, then the answer is the one error shape, never a stack trace', async () => {
    const bad = await request(api.app).post('/api/auth/login').set('content-type', 'application/json').send('{"username":');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'ValidationFailed', message: 'the body is not valid JSON' } });
    const missing = await request(api.app).get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NotFound');
  });
});

describe('accounts and sessions', () => {
  test('when the password is wrong, then login answers 401 and sets no cookie', async () => {
    const account = await makeAccount(orm, 'voter');
    const res = await request(api.app).post('/api/auth/login').send({ username: account.username, password: 'wrong password' });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('when passwords are stored, then they are slow-hashed with argon2id', async () => {
    const account = await makeAccount(orm, 'voter');
    const [row] = await orm.em.fork().getConnection().execute(`select password_hash from account where id = ?`, [account.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  test('when a cookie session posts without the CSRF header, then it is refused; with it, it passes', async () => {
    const voter = await loginAs(api, 'voter');
    const cookies = voter.cookies.map((c) => c.split(';')[0]);
    const csrf = cookies.find((c) => c.startsWith('csrf='))!.slice(5);
    const without = await request(api.app).post('/api/auth/logout').set('Cookie', cookies.join('; '));
    expect(without.status).toBe(403);
    const me = await request(api.app).get('/api/auth/me').set('Cookie', cookies.join('; '));
    expect(me.status).toBe(200);
    const withHeader = await request(api.app).post('/api/auth/logout').set('Cookie', cookies.join('; ')).set('X-CSRF-Token', csrf);
    expect(withHeader.status).toBe(204);
  });

  test('when a session has logged out, then its token no longer works', async () => {
    const voter = await loginAs(api, 'voter');
    expect((await request(api.app).post('/api/auth/logout').set(voter.auth)).status).toBe(204);
    const api2 = testApi(orm, env); // another API process: no cached session
    try {
      expect((await request(api2.app).get('/api/auth/me').set(voter.auth)).status).toBe(401);
    } finally {
      await api2.close();
    }
  });

  test('when someone signs up as an admin role, then it is refused with the field named', async () => {
    const res = await request(api.app).post('/api/accounts').send({ username: 'sneaky-admin', password: 'long enough password', displayName: 'x', role: 'province_admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.role' })]);
    const [row] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from account where username = 'sneaky-admin'`);
    expect(row.n).toBe(0);
  });
});
