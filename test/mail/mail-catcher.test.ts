import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTransport } from 'nodemailer';
import request from 'supertest';
import { renderMail } from '../../activities/mail/templates';
import type { Orm } from '../../db/orm';
import { startMailCatcher, type MailCatcher } from '../../scripts/mail-catcher';
import { testApi, type TestApi } from '../helpers/api';
import { testOrm } from '../helpers/db';

// The embedded default when SMTP_URL is unset: caught mail under <DATA_DIR>/mail, listed by
// the API in demo mode only.
let orm: Orm;
let dataDir: string;
let catcher: MailCatcher;
let demo: TestApi;
let production: TestApi;
const noTemporal = { client: undefined } as unknown as TestWorkflowEnvironment;

beforeAll(async () => {
  orm = await testOrm();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lss-mail-'));
  catcher = await startMailCatcher({ dir: path.join(dataDir, 'mail'), port: 0, log: () => undefined });
  demo = testApi(orm, noTemporal, { DATA_DIR: dataDir });
  production = testApi(orm, noTemporal, { DATA_DIR: dataDir, APP_MODE: 'production' });
});

afterAll(async () => {
  await demo?.close();
  await production?.close();
  await catcher?.stop();
  await orm?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded mail catcher', () => {
  test('when a mail is sent to it, then it is kept as .eml and .json and listed on the demo page', async () => {
    const mail = renderMail('selected', { name: '赵老师', campaign: '测试活动', link: 'https://lss.example.cn/entrants/9', deadline: '2017-11-10T16:00:00Z' });
    const transport = createTransport(catcher.url);
    await transport.sendMail({ from: '网络学习空间交流展示活动 <noreply@learning-space.local>', to: 'zhao@example.cn', ...mail });
    transport.close();

    const files = fs.readdirSync(path.join(dataDir, 'mail')).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^\d{13}-[0-9a-f]{8}\.eml$/);
    const id = files[0].slice(0, -4);
    expect(fs.readFileSync(path.join(dataDir, 'mail', `${id}.eml`), 'utf8')).toMatch(/^Subject: =\?UTF-8\?/m);

    const list = await request(demo.app).get('/api/dev/mail');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id, subject: '【测试活动】您的空间入选省级专家评审', envelope: { from: 'noreply@learning-space.local', to: ['zhao@example.cn'] } })]);
    const one = await request(demo.app).get(`/api/dev/mail/${id}`);
    expect(one.body.text).toContain('已入选省级专家评审');
    const html = await request(demo.app).get(`/api/dev/mail/${id}/html`);
    expect(html.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(html.text).toContain('赵老师，您好');
    const page = await request(demo.app).get('/dev/mail');
    expect(page.text).toContain('【测试活动】您的空间入选省级专家评审');
    expect((await request(demo.app).get('/api/dev/mail/..%2F..%2Fsecrets')).status).toBe(400);
  });

  test('when the API runs in production mode, then the caught-mail page does not exist', async () => {
    expect((await request(production.app).get('/api/dev/mail')).status).toBe(404);
    expect((await request(production.app).get('/dev/mail')).status).toBe(404);
  });

  test('when the port already has an SMTP server (an earlier start), then it is reused rather than failing', async () => {
    const second = await startMailCatcher({ dir: path.join(dataDir, 'mail'), port: catcher.port, log: () => undefined });
    expect(second).toMatchObject({ source: 'reused', started: false, url: catcher.url });
    await second.stop();
  });
});
