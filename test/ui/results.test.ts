import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Page } from 'playwright-core';
import type { Orm } from '../../db/orm';
import { testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, watchConsole, type UiBrowser } from '../helpers/browser';
import { firstSchoolOfCity, makeAccount, testOrm } from '../helpers/db';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { reviewedCampaign, workerOrm, type Entrant } from '../results/fixture';

// Simulated time carries six entrants to `reviewed`; the province admin publishes (公示) in a
// real browser, the public reads the awards, an account objects (异议) and an auditor settles.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600, 7)]);
const CONFIG = {
  awards: {
    tiers: [{ key: 'first', count: 1 }, { key: 'second', count: 1 }, { key: 'third', count: 1 }],
    special: { popularity: { teacher: 1, student: 1 }, sharing: 1, talent: { count: 1 } },
  },
};
// Teachers 90/85/80/75 and students 88/70, as in test/results/results-api.test.ts.
const NAMES = ['王老师', '李老师', '张老师', '赵老师', '小明', '小红'];

let env: TestWorkflowEnvironment;
let orm: Orm;
let activityOrm: Orm;
let worker: RunningWorker;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: UiBrowser;
let dataDir: string;
let campaignId: string;
let entrants: Entrant[];

beforeAll(async () => {
  [env, orm, browser] = await Promise.all([timeSkippingEnv(), testOrm(), launchBrowser()]);
  activityOrm = await workerOrm();
  worker = await startWorker(env, { orm: activityOrm });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lss-results-ui-'));
  api = testApi(orm, env, { DATA_DIR: dataDir });
  server = await listen(api);
  const wuhan = await firstSchoolOfCity(orm, '武汉市');
  const c = await reviewedCampaign(
    env,
    orm,
    [
      { score: 90, votes: 5 },
      { score: 85, votes: 50 },
      { score: 80, school: wuhan.name },
      { score: 75, school: wuhan.name },
      { category: 'student', score: 88, votes: 3 },
      { category: 'student', score: 70, votes: 30, school: wuhan.name },
    ],
    CONFIG,
  );
  campaignId = c.campaignId;
  entrants = c.entrants;
  for (const [i, e] of entrants.entries()) await orm.em.fork().getConnection().execute(`update entrant set name = ? where id = ?`, [NAMES[i], e.id]);
  api.setNow(await env.currentTimeMs());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
  await activityOrm?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function anonymousPage(): Promise<{ page: Page; problems: string[] }> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.base}/results?campaign=${campaignId}`);
  await page.getByRole('heading', { level: 1, name: '评审结果公示' }).waitFor();
  return { page, problems };
}

const conn = () => orm.em.fork().getConnection();

describe('评审结果 and 公示 in the browser', () => {
  test('when the results are not published yet, then the public results page says so', async () => {
    const { page, problems } = await anonymousPage();
    await page.getByRole('status').filter({ hasText: '评审结果尚未公示' }).waitFor();
    expect(await page.getByRole('heading', { name: '教师空间' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when the province admin marks a teacher and publishes from the console with a confirmation, then the publication starts and the notice period shows', async () => {
    const province = await makeAccount(orm, 'province_admin');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, province, '/console/publication');
    await page.getByRole('heading', { level: 1, name: '结果公示' }).waitFor();
    await page.getByRole('link', { name: '结果公示' }).first().waitFor(); // in the navigation for the role
    const first = page.getByRole('row', { name: /王老师/ });
    await first.getByText('一等奖').waitFor();

    // 教学成果分享奖: mark 张老师 (with a reason), and the proposal moves with the mark.
    await page.getByRole('button', { name: '标记 张老师 为教学成果分享奖候选' }).click();
    const markDialog = page.getByRole('dialog');
    await markDialog.getByLabel('理由').fill('送教下乡，为山区学校开设直播课堂');
    await markDialog.getByRole('button', { name: '标记', exact: true }).click();
    await page.getByRole('row', { name: /张老师/ }).getByText('教学成果分享奖').waitFor();

    await page.getByRole('button', { name: '发布公示' }).click();
    const dialog = page.getByRole('dialog', { name: '发布公示' });
    await dialog.getByText(/将公示 6 个评审完成的空间的成绩与获奖名单.*公示期 7 天/).waitFor();
    await dialog.getByText('公示后获奖名单（含教学成果分享奖标记）不能再修改').waitFor();
    // Without a reason the dialog says so and stays.
    await dialog.getByLabel('理由').fill('  ');
    await dialog.getByRole('button', { name: '确认公示' }).click();
    await page.getByRole('dialog', { name: '发布公示' }).getByRole('alert').filter({ hasText: '请填写理由。' }).waitFor();
    await page.getByRole('dialog').getByLabel('理由').fill('专家评审结束，结果公示七天');
    await screenshot(page, 'province-publication');
    await page.getByRole('dialog').getByRole('button', { name: '确认公示' }).click();
    await page.getByRole('heading', { level: 2, name: /公示\s*公示中/ }).waitFor({ timeout: 30_000 });
    expect(await page.locator('time.countdown').count()).toBe(1);
    await page.getByRole('button', { name: '延长公示期' }).waitFor();
    await screenshot(page, 'province-published');

    const [pub] = await conn().execute(`select state, reason, published_by from publication where campaign_id = ?`, [campaignId]);
    expect(pub).toMatchObject({ state: 'notice', reason: '专家评审结束，结果公示七天', published_by: province.id });
    const [flag] = await conn().execute(`select marked, reason from entrant_flag where entrant_id = ?`, [entrants[2].id]);
    expect(flag).toMatchObject({ marked: true, reason: '送教下乡，为山区学校开设直播课堂' });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the public results page lists the awards', async () => {
    const { page, problems } = await anonymousPage();
    const tier = (name: string) => page.getByRole('region', { name, exact: true });
    await tier('教师空间 · 一等奖').getByRole('row', { name: /王老师/ }).waitFor();
    const names = async (name: string) => (await tier(name).locator('tbody th').allTextContents()).map((s) => s.trim());
    expect(await names('教师空间 · 一等奖')).toEqual(['王老师']);
    expect(await names('教师空间 · 二等奖')).toEqual(['李老师']);
    expect(await names('教师空间 · 三等奖')).toEqual(['张老师']);
    expect(await names('学生空间 · 一等奖')).toEqual(['小明']);
    expect(await names('学生空间 · 二等奖')).toEqual(['小红']);
    expect(await names('最佳人气奖')).toEqual(['李老师', '小红']);
    expect(await names('教学成果分享奖')).toEqual(['张老师']);
    expect(await names('才艺达人奖')).toEqual(['小红']);
    // School/city and the final score beside the name.
    const wang = tier('教师空间 · 一等奖').getByRole('row', { name: /王老师/ });
    expect(await wang.locator('td').allTextContents()).toEqual(expect.arrayContaining(['1', '黄石市 · 黄石港区第一小学', '90']));
    expect(await page.getByRole('region', { name: '组织类奖（市州）' }).locator('tbody th').allTextContents()).toEqual(expect.arrayContaining(['黄石市', '武汉市']));
    // The notice period with a live countdown; nobody is logged in, so no objection buttons.
    await expect(page.locator('#notice-countdown').textContent()).resolves.toMatch(/距公示期结束还有\s*\d+天 \d{2}:\d{2}:\d{2}/);
    expect(await page.getByRole('button', { name: /提出异议/ }).count()).toBe(0);
    await screenshot(page, 'results');

    // A phone's width does not scroll sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'results-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a logged-in account objects through the form during the notice period, then the objection is recorded; an anonymous visitor is told to log in first', async () => {
    const { page, problems } = await anonymousPage();
    const login = page.locator('#objection-login');
    await login.getByText('请先登录再提出异议。').waitFor();
    expect(await login.getByRole('link', { name: '登录' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/results?campaign=${campaignId}`)}`);
    await screenshot(page, 'objection-login-first');

    // The link leads through the login form and back to the results.
    const voter = await makeAccount(orm, 'voter');
    await login.getByRole('link', { name: '登录' }).click();
    await page.getByLabel('用户名').fill(voter.username);
    await page.getByLabel('密码').fill(voter.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: '评审结果公示' }).waitFor();

    await page.getByRole('button', { name: '对 王老师 提出异议' }).click();
    const form = page.getByRole('form', { name: '提出异议' });
    expect(await form.getByLabel('被异议的参赛者').inputValue()).toBe(entrants[0].id);
    await form.getByLabel('异议理由').fill('该空间的课件抄袭他人作品');
    await form.getByLabel('证明材料（选填）').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: '提交异议' }).click();
    await form.getByRole('status').filter({ hasText: '对 王老师 的异议已提交' }).waitFor();
    await screenshot(page, 'objection-filed');

    const rows = await conn().execute(`select state, reason, evidence_type, evidence_name from objection where entrant_id = ? and filed_by = ?`, [entrants[0].id, voter.id]);
    expect(rows).toEqual([{ state: 'open', reason: '该空间的课件抄袭他人作品', evidence_type: 'image/png', evidence_name: 'screenshot.png' }]);

    // From an entrant's own page, the way to object leads to the form with that entrant picked.
    await page.goto(`${server.base}/spaces/${entrants[1].id}`);
    await page.getByRole('heading', { level: 1, name: '李老师' }).waitFor();
    await page.locator('#objection-link').getByRole('link', { name: '提出异议' }).click();
    await page.getByRole('heading', { level: 1, name: '评审结果公示' }).waitFor();
    expect(await page.getByRole('form', { name: '提出异议' }).getByLabel('被异议的参赛者').inputValue()).toBe(entrants[1].id);
    await page.goto(`${server.base}/results?campaign=${campaignId}`);
    await page.getByRole('heading', { level: 1, name: '评审结果公示' }).waitFor();

    // A second objection while the first is open: the 409's reason, in the filer's words.
    await page.getByRole('button', { name: '对 王老师 提出异议' }).click();
    await form.getByLabel('异议理由').fill('再提一次');
    await form.getByRole('button', { name: '提交异议' }).click();
    await form.getByRole('alert').filter({ hasText: '您对该参赛者的异议尚在处理中' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when the auditor dismisses an objection through the settlement console, then the settlement is recorded with who and why', async () => {
    const auditor = await makeAccount(orm, 'auditor');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, auditor, '/objections');
    await page.getByRole('heading', { level: 1, name: '异议处理' }).waitFor();
    const row = page.getByRole('row', { name: /王老师/ });
    await row.getByText('该空间的课件抄袭他人作品').waitFor();
    expect(await row.getByRole('link', { name: /screenshot\.png/ }).getAttribute('href')).toMatch(/^\/api\/objections\/[0-9a-f-]{36}\/evidence$/);

    await row.getByRole('button', { name: '处理对 王老师 的异议' }).click();
    const dialog = page.getByRole('dialog', { name: '处理对 王老师 的异议' });
    // Upholding asks for an action, a correction for the new score; the effect follows the choice.
    await dialog.getByLabel('异议成立').check();
    await dialog.getByLabel('处理措施').selectOption('correct');
    await dialog.getByLabel('更正后的最终成绩').fill('86.5');
    await dialog.getByText('「王老师」的最终成绩将更正为 86.5 分').waitFor();
    await dialog.getByLabel('驳回异议').check();
    expect(await dialog.getByLabel('处理措施').isVisible()).toBe(false);
    await dialog.getByText('驳回对「王老师」的异议：公示结果不变').waitFor();
    await dialog.getByLabel('理由').fill('经查为原创作品');
    await screenshot(page, 'objection-settlement');
    await dialog.getByRole('button', { name: '确认处理' }).click();
    await row.getByRole('status').filter({ hasText: '已处理对 王老师 的异议：已驳回。' }).waitFor();
    await screenshot(page, 'objection-settled');

    const [o] = await conn().execute(`select state, action, settled_by, settler_role, settlement_reason from objection where entrant_id = ?`, [entrants[0].id]);
    expect(o).toEqual({ state: 'dismissed', action: null, settled_by: auditor.id, settler_role: 'auditor', settlement_reason: '经查为原创作品' });
    // The filer's mail links to the objection; the auditor's detail view shows the settlement.
    await page.goto(`${server.base}/objections?state=dismissed`);
    await page.getByRole('row', { name: /王老师/ }).getByRole('link', { name: '详情' }).click();
    await page.getByRole('heading', { level: 1, name: '对 王老师 的异议' }).waitFor();
    const settlement = page.getByRole('region', { name: '处理结果' });
    await settlement.getByText('已驳回', { exact: true }).waitFor();
    await settlement.getByText('经查为原创作品').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});
