import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { schoolByName, testOrm, uniqueId } from '../helpers/db';
import { startMailWorker } from '../../worker/mail-worker';
import { startTestSmtp, testMailQueue, TEST_REDIS_URL } from '../helpers/mail';
import { eventually } from '../helpers/wait';

// bull-board at /admin/queues: province admins only, auditors read-only, everyone else refused
// with the API's JSON error body.
let orm: Orm;
let api: TestApi;
let queue: ReturnType<typeof testMailQueue>;
const failedJob = uniqueId('board');

beforeAll(async () => {
  orm = await testOrm();
  queue = testMailQueue('board', { attempts: 1 });
  // The board needs no Temporal; the API deps only carry its client.
  api = testApi(orm, { client: undefined } as unknown as TestWorkflowEnvironment, { REDIS_PREFIX: queue.prefix });
  // A job that failed against a refusing SMTP server, then no worker: what the board shows stays put.
  const smtp = await startTestSmtp({ failFirst: 1000 });
  const worker = startMailWorker({ redisUrl: TEST_REDIS_URL, prefix: queue.prefix, smtpUrl: smtp.url, from: 'test <noreply@example.cn>', log: () => undefined });
  await queue.enqueue(failedJob, { to: 'a@example.cn', template: 'not_selected', params: { name: '张三', campaign: '测试活动', link: 'https://x/1' } });
  await eventually(async () => ((await queue.queue.getJobState(failedJob)) === 'failed' ? true : undefined), 'the job to fail');
  await worker.close();
  await smtp.close();
});

afterAll(async () => {
  await api?.close();
  await queue?.obliterate();
  await orm?.close();
});

const QUEUES_API = '/admin/queues/api/queues?activeQueue=email&status=latest&page=1&jobsPerPage=10';

describe('queue board (/admin/queues)', () => {
  test('when nobody is logged in, then the board and its API answer 401 with the JSON error body', async () => {
    for (const path of ['/admin/queues', QUEUES_API]) {
      const res = await request(api.app).get(path);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('Unauthenticated');
    }
    expect((await request(api.app).get('/admin/queues').set('Authorization', 'Bearer not-a-session')).status).toBe(401);
  });

  test('when a non-admin or a lower-tier admin asks, then it is refused with 403', async () => {
    const school = await schoolByName(orm, '黄石港区第一小学');
    for (const who of [
      await loginAs(api, 'teacher'),
      await loginAs(api, 'expert'),
      await loginAs(api, 'school_admin', { schoolId: school.id, countyId: school.county_id, cityId: school.city_id }),
      await loginAs(api, 'city_admin', { cityId: school.city_id }),
    ]) {
      const res = await request(api.app).get(QUEUES_API).set(who.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('Forbidden');
    }
  });

  test('when a province admin opens it, then the board lists the email queue with its failed job and error, and may retry it', async () => {
    const admin = await loginAs(api, 'province_admin');
    const page = await request(api.app).get('/admin/queues').set(admin.auth);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="root">');

    const res = await request(api.app).get(QUEUES_API).set(admin.auth);
    expect(res.status).toBe(200);
    const email = res.body.queues.find((q: { name: string }) => q.name === 'email');
    expect(email).toMatchObject({ readOnlyMode: false, counts: expect.objectContaining({ failed: 1 }) });
    expect(email.jobs.find((j: { id: string }) => j.id === failedJob)).toMatchObject({ failedReason: expect.stringContaining('451'), data: { template: 'not_selected', to: 'a@example.cn' } });

    const retry = await request(api.app).put(`/admin/queues/api/queues/email/${failedJob}/retry`).set(admin.auth);
    expect(retry.status).toBeLessThan(300);
    expect(await queue.queue.getJobState(failedJob)).toBe('waiting');
  });

  test('when an auditor opens it, then the board is read-only: it lists the jobs and refuses changes', async () => {
    const auditor = await loginAs(api, 'auditor');
    const res = await request(api.app).get(QUEUES_API).set(auditor.auth);
    expect(res.status).toBe(200);
    expect(res.body.queues.find((q: { name: string }) => q.name === 'email')).toMatchObject({ readOnlyMode: true, allowRetries: false });
    const stateBefore = await queue.queue.getJobState(failedJob);
    const retry = await request(api.app).put(`/admin/queues/api/queues/email/retry/failed`).set(auditor.auth);
    expect(retry.status).toBe(405);
    const clean = await request(api.app).put(`/admin/queues/api/queues/email/clean/failed`).set(auditor.auth);
    expect(clean.status).toBe(405);
    expect(await queue.queue.getJobState(failedJob)).toBe(stateBefore);
  });

  test('when a change comes with the session cookie from another site, then it is refused; from the board itself it passes', async () => {
    const admin = await loginAs(api, 'province_admin');
    const cookies = admin.cookies.map((c) => c.split(';')[0]).join('; ');
    const crossSite = await request(api.app).put('/admin/queues/api/queues/email/pause').set('Cookie', cookies).set('Origin', 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(await queue.queue.isPaused()).toBe(false);
    const sameSite = await request(api.app).put('/admin/queues/api/queues/email/pause').set('Cookie', cookies).set('Sec-Fetch-Site', 'same-origin');
    expect(sameSite.status).toBeLessThan(300);
    expect(await queue.queue.isPaused()).toBe(true);
    await queue.queue.resume();
    // Reading with the cookie needs no such proof.
    expect((await request(api.app).get(QUEUES_API).set('Cookie', cookies)).status).toBe(200);
  });
});
