import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, type UiBrowser } from '../helpers/browser';
import { makeAccount, makeCampaign, schoolByName, testOrm } from '../helpers/db';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';
import { loadEntrants } from '../reports/fixtures';
import { noticeBatches } from '../reports/notice-fixture';
import { startCampaignWorkflow } from '../../api/services/campaigns';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: UiBrowser;
let campaignId: string;

beforeAll(async () => {
  [env, orm, browser] = await Promise.all([localEnv(), testOrm(), launchBrowser()]);
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  server = await listen(api);
  const windows = windowsAround(Date.now()).windows;
  campaignId = await makeCampaign(orm, windows);
  await startCampaignWorkflow(env.client, campaignId, windows);
});

afterAll(async () => {
  await env?.client.workflow.getHandle(`campaign-${campaignId}`).terminate('test done').catch(() => undefined);
  await browser?.close();
  await server?.close();
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

describe('the web UI', () => {
  test('when the UI is served, then pages carry a self-only CSP and /api paths still answer JSON', async () => {
    const page = await request(api.app).get('/spaces/anything').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<script type="module" src="/ui/app.js">');
    expect(page.text).not.toContain('%UI_CONFIG%');
    const missing = await request(api.app).get('/api/no-such-thing').set('Accept', 'text/html');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NotFound');
    expect((await request(api.app).get('/ui/no-such.js')).status).toBe(404);
    expect((await request(api.app).get('/ui/../index.ts')).status).toBe(404);
    const js = await request(api.app).get('/ui/app.js').set('Accept-Encoding', 'gzip');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['content-type']).toMatch(/javascript/);
    const again = await request(api.app).get('/ui/app.js').set('If-None-Match', js.headers.etag);
    expect(again.status).toBe(304);
  });

  test('when someone opens the home page, then it shows the open phases and a live countdown to the next deadline', async () => {
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await page.getByRole('heading', { level: 1, name: /测试活动/ }).waitFor();
    const next = page.locator('#next-deadline');
    await expect(next.textContent()).resolves.toMatch(/距「.+」(截止|开始)还有/);
    const first = await next.locator('time.countdown').textContent();
    expect(first).toMatch(/(\d+天 )?\d{2}:\d{2}:\d{2}/);
    await eventually(async () => ((await next.locator('time.countdown').textContent()) !== first ? true : undefined), 'the countdown to tick', 3000);
    expect(await page.getByRole('region', { name: '活动日程' }).getByRole('row').count()).toBe(8);
    await screenshot(page, 'home');
    // The English switch changes the words and the document language.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { name: '活动日程' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a school admin approves an entrant in the queue, then the row and the entrant show 审核通过', async () => {
    const school = await schoolByName(orm, '黄石港区第一小学');
    const teacher = await loginAs(api, 'teacher');
    const reg = await request(api.app).post('/api/entrants').set(teacher.auth).send({
      campaignId, category: 'teacher', schoolId: school.id, name: '刘老师', subject: '数学', stage: 'primary', spaceUrl: 'https://space.example.edu/liu', platform: '湖北教育云',
    });
    expect(reg.status).toBe(201);
    const id = reg.body.id as string;
    await eventually(async () => ((await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth)).body.state === 'pending_approval' ? true : undefined), 'pending_approval');
    const admin = await makeAccount(orm, 'school_admin', { schoolId: school.id, countyId: school.county_id, cityId: school.city_id });

    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin);
    await page.getByRole('heading', { level: 1, name: '资格审核' }).waitFor();
    const row = page.getByRole('row', { name: /刘老师/ });
    await expect(row.getByText('待审核').count()).resolves.toBe(1);
    await screenshot(page, 'school-approvals');
    await row.getByRole('button', { name: '审核通过 刘老师' }).focus();
    await page.keyboard.press('Enter'); // reachable and usable by keyboard
    await page.getByText('已通过 刘老师 的报名。').waitFor();
    await row.getByText('审核通过', { exact: true }).waitFor();
    const after = await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth);
    expect(after.body.state).toBe('approved');
    expect(after.body.decisions.at(-1)).toMatchObject({ to: 'approved', by: { role: 'school_admin', name: admin.username } });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a city admin opens the registration report, then the notice’s figures show as a chart and a table', async () => {
    const reportCampaign = await makeCampaign(orm, windowsAround(Date.now()).windows);
    await loadEntrants(orm, reportCampaign, noticeBatches());
    const [huangshi] = await orm.em.fork().getConnection().execute(`select id from city where name = '黄石市'`);
    const cityAdmin = await makeAccount(orm, 'city_admin', { cityId: huangshi.id });

    const { page, problems } = await openCampaign(browser, server.base, reportCampaign);
    await logIn(page, server.base, cityAdmin, '/console/report?asOf=2017-06-18&compareTo=2017-06-13');
    await page.getByRole('heading', { level: 1, name: '报名情况通报' }).waitFor();
    const chart = page.getByRole('img', { name: /黄石市各单位报名人数条形图/ });
    await chart.waitFor();
    expect(await chart.locator('rect.bar').count()).toBeGreaterThanOrEqual(9 * 3);
    const huangshigang = page.getByRole('row', { name: /黄石港区/ });
    expect(await huangshigang.locator('td').first().textContent()).toBe('206');
    await expect(page.getByRole('row', { name: /合计/ }).locator('td').first().textContent()).resolves.toBe('475');
    await expect(page.getByText(/增加了\s*95\s*人/).count()).resolves.toBe(1);
    await screenshot(page, 'registration-report');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a teacher registers through 我要报名, then 我的报名 shows the entry waiting for approval with its deadlines', async () => {
    const teacher = await makeAccount(orm, 'teacher');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, teacher, '/me/register');
    await page.getByRole('heading', { level: 1, name: '我要报名' }).waitFor();
    await page.getByLabel('姓名', { exact: true }).fill('郑老师');
    await page.getByLabel('市州').selectOption({ label: '黄石市' });
    await page.getByLabel('县市区').selectOption({ label: '黄石港区' });
    await page.getByLabel('学校').selectOption({ label: '黄石港区第一小学' });
    await page.getByLabel('学段').selectOption({ label: '小学' });
    await page.getByLabel('学科').fill('语文');
    await page.getByLabel('空间地址').fill('https://space.example.edu/zheng');
    await screenshot(page, 'register');
    await page.getByRole('button', { name: '提交报名' }).click();
    await page.getByRole('heading', { level: 1, name: '我的报名' }).waitFor();
    const card = page.getByRole('article', { name: /郑老师/ });
    await card.getByText('待审核', { exact: true }).first().waitFor();
    await card.getByRole('row', { name: /已提交 → 待审核/ }).waitFor();
    await card.getByRole('button', { name: '退出活动' }).waitFor();
    await screenshot(page, 'portal');
    const [row] = await orm.em.fork().getConnection().execute(`select state, subject from entrant where account_id = ?`, [teacher.id]);
    expect(row).toEqual({ state: 'pending_approval', subject: '语文' });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when the province admin extends a deadline, then the confirmation states the effect and the change is recorded with the reason', async () => {
    const admin = await makeAccount(orm, 'province_admin');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin);
    await page.getByRole('heading', { level: 1, name: '省组委会' }).waitFor();
    await page.getByRole('link', { name: '邮件队列看板' }).waitFor();
    await screenshot(page, 'province');
    await page.getByRole('button', { name: '延期 · 学生报名' }).click();
    const dialog = page.getByRole('dialog', { name: '延期' });
    await dialog.getByText(/「学生报名」的截止时间将从 .+ 改为 .+。/).waitFor();
    await dialog.getByLabel('理由').fill('部分学校网络故障');
    await dialog.getByRole('button', { name: '确认延期' }).click();
    await page.getByRole('region', { name: '日程变更记录' }).getByRole('row', { name: /部分学校网络故障/ }).waitFor();
    const campaign = await request(api.app).get(`/api/campaigns/${campaignId}`);
    const before = windowsAround(Date.now()).windows['student.registration'].closesAt;
    const after = campaign.body.schedule.windows.find((w: { key: string }) => w.key === 'student.registration').closesAt;
    expect(Date.parse(after) - Date.parse(before)).toBe(86_400_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when an auditor opens an entrant, then its timeline shows who decided what, and a replay gives a verdict', async () => {
    const school = await schoolByName(orm, '黄石港区第一小学');
    const teacher = await loginAs(api, 'teacher');
    const reg = await request(api.app).post('/api/entrants').set(teacher.auth).send({
      campaignId, category: 'teacher', schoolId: school.id, name: '吴老师', subject: '英语', stage: 'primary', spaceUrl: 'https://space.example.edu/wu', platform: '湖北教育云',
    });
    await eventually(async () => ((await request(api.app).get(`/api/entrants/${reg.body.id}`).set(teacher.auth)).body.state === 'pending_approval' ? true : undefined), 'pending_approval');
    const auditor = await makeAccount(orm, 'auditor');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, auditor);
    await page.getByRole('heading', { level: 1, name: '审计' }).waitFor();
    await page.getByLabel('参赛者姓名或编号').fill('吴老师');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.getByRole('link', { name: '吴老师' }).click();
    await page.getByRole('heading', { name: /全过程记录/ }).waitFor();
    expect(await page.getByRole('region', { name: '全过程记录' }).getByRole('row').count()).toBeGreaterThan(1);
    await page.getByRole('button', { name: '重放核验' }).click();
    await page.getByText(/核验一致：\d+ 个事件/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'audit');
    expect(problems).toEqual([]);
    await page.close();
  });
});
