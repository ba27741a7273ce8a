import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { testOrm } from '../helpers/db';

// Reminders can be turned off; decisions about the account cannot (what that does to the mail
// itself is in reminders.test.ts).
let orm: Orm;
let api: TestApi;

beforeAll(async () => {
  orm = await testOrm();
  api = testApi(orm, { client: undefined } as unknown as TestWorkflowEnvironment);
});

afterAll(async () => {
  await api?.close();
  await orm?.close();
});

describe('mail preferences (/api/me/mail-preferences)', () => {
  test('when a teacher turns reminders off and on, then the setting is stored and essential mail stays on', async () => {
    const teacher = await loginAs(api, 'teacher');
    expect((await request(api.app).get('/api/me/mail-preferences').set(teacher.auth)).body).toEqual({ reminders: true, essential: true });

    const off = await request(api.app).put('/api/me/mail-preferences').set(teacher.auth).send({ reminders: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ reminders: false, essential: true });
    const [row] = await orm.em.fork().getConnection().execute(`select mail_reminders from account where id = ?`, [teacher.id]);
    expect(row.mail_reminders).toBe(false);
    expect((await request(api.app).get('/api/me/mail-preferences').set(teacher.auth)).body.reminders).toBe(false);

    expect((await request(api.app).put('/api/me/mail-preferences').set(teacher.auth).send({ reminders: true })).body).toEqual({ reminders: true, essential: true });
  });

  test('when someone tries to turn essential mail off, then it is refused and nothing changes', async () => {
    const expert = await loginAs(api, 'expert');
    const res = await request(api.app).put('/api/me/mail-preferences').set(expert.auth).send({ reminders: false, essential: false });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationFailed');
    expect((await request(api.app).get('/api/me/mail-preferences').set(expert.auth)).body).toEqual({ reminders: true, essential: true });
  });

  test('when nobody is logged in, then the preferences answer 401', async () => {
    expect((await request(api.app).get('/api/me/mail-preferences')).status).toBe(401);
    expect((await request(api.app).put('/api/me/mail-preferences').send({ reminders: false })).status).toBe(401);
  });
});
