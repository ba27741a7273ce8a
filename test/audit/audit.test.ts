import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { makeCampaign, schoolByName, testOrm } from '../helpers/db';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { ROOT } from '../helpers/paths';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let entrantId: string;
let schoolAdminName: string;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
  const school = await schoolByName(orm, '黄石港区第一小学');
  const teacher = await loginAs(api, 'teacher');
  const created = await request(api.app)
    .post('/api/entrants')
    .set(teacher.auth)
    .send({ campaignId, category: 'teacher', schoolId: school.id, name: '陈老师', subject: '英语', stage: 'primary', spaceUrl: 'https://space.example.edu/chen', platform: '湖北教育云' });
  entrantId = created.body.id;
  await eventually(async () => ((await request(api.app).get(`/api/entrants/${entrantId}`).set(teacher.auth)).body.state === 'pending_approval' ? true : undefined), 'pending');
  const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
  schoolAdminName = admin.username;
  await request(api.app).post(`/api/entrants/${entrantId}/reject`).set(admin.auth).send({ reason: '空间地址无法访问' });
  await request(api.app).post(`/api/entrants/${entrantId}/resubmit`).set(teacher.auth).send({ spaceUrl: 'https://space.example.edu/chen2' });
  await request(api.app).post(`/api/entrants/${entrantId}/approve`).set(admin.auth).send({ reason: '身份核实无误' });
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

describe('audit by history replay', () => {
  test('when an auditor asks for the timeline, then every decision shows when, who and why, read from the workflow history', async () => {
    const auditor = await loginAs(api, 'auditor');
    const res = await request(api.app).get(`/api/audit/entrants/${entrantId}/timeline`).set(auditor.auth);
    expect(res.status).toBe(200);
    const decisions = res.body.steps.filter((s: { kind: string }) => s.kind === 'decision');
    expect(decisions.map((d: { what: string }) => d.what)).toEqual(['资格审核未通过 rejected', '修改后重新提交 resubmitted', '资格审核通过 approved']);
    expect(decisions[0]).toMatchObject({ who: { role: 'school_admin', name: schoolAdminName }, why: '空间地址无法访问' });
    expect(decisions[2]).toMatchObject({ who: { role: 'school_admin' }, why: '身份核实无误', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(res.body.steps[0]).toMatchObject({ kind: 'started', who: { role: 'teacher' } });
  });

  test('when an auditor exports the history, then it is the JSON `temporal workflow show` writes, and the replay of it matches', async () => {
    const auditor = await loginAs(api, 'auditor');
    const history = await request(api.app).get(`/api/audit/entrants/${entrantId}/history`).set(auditor.auth).buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => cb(null, data));
    });
    expect(history.status).toBe(200);
    expect(history.headers['content-disposition']).toContain(`entrant-`);
    const json = JSON.parse(history.body as unknown as string);
    expect(json.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    const replayed = await request(api.app).post(`/api/audit/entrants/${entrantId}/replay`).set(auditor.auth).send();
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ match: true, events: json.events.length });
  });

  test('when anyone but an auditor asks, then it is refused, and every audit request is logged', async () => {
    const province = await loginAs(api, 'province_admin');
    expect((await request(api.app).get(`/api/audit/entrants/${entrantId}/timeline`).set(province.auth)).status).toBe(403);
    expect((await request(api.app).get(`/api/audit/entrants/${entrantId}/timeline`)).status).toBe(401);
    const auditor = await loginAs(api, 'auditor');
    await request(api.app).get(`/api/audit/entrants/${entrantId}/timeline`).set(auditor.auth);
    const missing = await request(api.app).get(`/api/audit/entrants/00000000-0000-4000-8000-000000000000/timeline`).set(auditor.auth);
    expect(missing.status).toBe(404);
    const rows = await orm.em.fork().getConnection().execute(`select action, outcome from audit_log where account_id = ? order by id`, [auditor.id]);
    expect(rows).toEqual([{ action: 'timeline', outcome: 'ok' }, { action: 'timeline', outcome: 'NotFound' }]);
  });
});

describe('offline replay script', () => {
  const script = (file: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/replay-history.ts'), file], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });

  test('when a stored history file is verified, then it matches the current code (exit 0)', () => {
    const run = script(path.join(ROOT, 'test/fixtures/histories/entrant-lifecycle-awarded.json'));
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ match: true });
  });

  test('when a history was tampered with (a selection flipped), then the script reports the divergence (exit 1)', () => {
    const original = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/histories/entrant-lifecycle-awarded.json'), 'utf8'));
    const selection = original.events.find((e: { workflowExecutionSignaledEventAttributes?: { signalName: string } }) => e.workflowExecutionSignaledEventAttributes?.signalName === 'selection');
    const payload = selection.workflowExecutionSignaledEventAttributes.input.payloads[0];
    const arg = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
    payload.data = Buffer.from(JSON.stringify({ ...arg, selected: false })).toString('base64');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tampered-')), 'entrant-tampered.json');
    writeFileSync(file, JSON.stringify(original));
    const run = script(file);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ match: false, divergence: { message: expect.stringMatching(/[Nn]ondetermin/) } });
  });
});
