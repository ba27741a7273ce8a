import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { noticeWindows } from '../../lib/rules/schedule';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, type UiBrowser } from '../helpers/browser';
import { makeAccount, makeCampaign, testOrm } from '../helpers/db';
import { dashboardCampaign } from '../reports/dashboard-fixture';
import { noTemporal } from '../reports/fixtures';

// The campaign dashboard (活动概况) and the roster import (花名册导入) in a real browser. Neither
// touches Temporal: the entrants are loaded straight into the tables, as in test/reports.

let orm: Orm;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: UiBrowser;
let campaignId: string;
let huangshiId: number;

beforeAll(async () => {
  [orm, browser] = await Promise.all([testOrm(), launchBrowser()]);
  api = testApi(orm, noTemporal);
  server = await listen(api);
  campaignId = await dashboardCampaign(orm);
  const [{ id }] = await orm.em.fork().getConnection().execute(`select id from city where code = '4202'`);
  huangshiId = id;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  await orm?.close();
});

/** The dashboard as the API gives it to this account: what the page must show. */
async function dashboardOf(auth: Record<string, string>) {
  const res = await request(api.app).get('/api/reports/dashboard').query({ campaignId }).set(auth);
  expect(res.status).toBe(200);
  return res.body as {
    region: { name: string };
    registrationsPerDay: { day: string; teachers: number; students: number }[];
    approvalsPendingPerSchool: { name: string; total: number }[];
    recommendationsAgainstQuota: { city: string; teachers: { used: number; quota: number }; students: { used: number; quota: number } }[];
    votesPerDay: { day: string; votes: number }[];
  };
}

const figure = (page: Page, key: string) => page.locator(`#dash-totals li[data-figure="${key}"] .big`).textContent();
const cells = async (_page: Page, row: Locator) => (await row.locator('th, td').allTextContents()).map((s) => s.trim());

/** Nothing on the page is wider than a phone's screen (a table may scroll inside its own box). */
async function fitsPhone(page: Page, name: string) {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(100);
  expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
  await screenshot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the campaign dashboard and the roster import', () => {
  test('when the province admin opens 活动概况, then registrations and votes per day, pending approvals per school, every city’s quota use and the review progress show the API’s figures', async () => {
    const admin = await loginAs(api, 'province_admin');
    const expected = await dashboardOf(admin.auth);
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin, '/console/dashboard');
    await page.getByRole('heading', { level: 1, name: '活动概况' }).waitFor();
    await expect(page.getByRole('link', { name: '活动概况' }).getAttribute('aria-current')).resolves.toBe('page');
    await page.getByText(/湖北省 · 数据时间/).waitFor();

    // Registrations per day: 20 in all (3 on June 1, 7 on June 3 Beijing time, 10 on June 5).
    const registered = expected.registrationsPerDay.reduce((n, r) => n + r.teachers + r.students, 0);
    expect(registered).toBe(20);
    expect(await figure(page, 'registered')).toBe('20');
    const chart = page.getByRole('img', { name: '湖北省每日报名人数条形图：2017-06-01 至 2017-06-05，共 5 天，合计 20 人' });
    await chart.waitFor();
    expect(await chart.locator('rect.bar').count()).toBe(expected.registrationsPerDay.length * 2);
    await page.locator('summary').filter({ hasText: '数据表：每日报名' }).click();
    const perDay = page.getByRole('region', { name: '数据表：每日报名', exact: true });
    for (const r of expected.registrationsPerDay) {
      expect(await cells(page, perDay.getByRole('row', { name: r.day }))).toEqual([r.day, String(r.teachers), String(r.students), String(r.teachers + r.students)]);
    }
    expect(await cells(page, perDay.getByRole('row', { name: /^合计/ }))).toEqual(['合计', '17', '3', '20']);

    // Pending approvals per school, most first, with the 武汉市 school the province sees.
    const pending = page.getByRole('region', { name: '各学校待审核人数（从多到少）' });
    const rows = pending.locator('tbody tr');
    expect(await rows.count()).toBe(expected.approvalsPendingPerSchool.length);
    for (const [i, s] of expected.approvalsPendingPerSchool.entries()) {
      const c = await cells(page, rows.nth(i));
      expect([c[0], c[4]]).toEqual([s.name, String(s.total)]);
    }
    expect(await cells(page, pending.getByRole('row', { name: /黄石港区第一小学/ }))).toEqual(expect.arrayContaining(['黄石港区第一小学', '黄石港区', '3', '0']));
    await pending.getByRole('row', { name: /江岸区实验小学/ }).waitFor();
    await page.getByText('3 所学校共 6 人待审核，按待审核人数从多到少排列。').waitFor();

    // Every city against its quota, with a meter each.
    const quota = page.getByRole('region', { name: '市州推优名额使用', exact: true });
    expect(await quota.locator('tbody tr').count()).toBe(17 + 1);
    const q = expected.recommendationsAgainstQuota.find((c) => c.city === '黄石市')!;
    expect(await cells(page, quota.getByRole('row', { name: /^黄石市/ }))).toEqual(['黄石市', `${q.teachers.used} / ${q.teachers.quota}`, `${q.students.used} / ${q.students.quota}`]);
    expect([q.teachers.used, q.teachers.quota, q.students.used]).toEqual([2, 15, 1]);
    const meter = quota.getByRole('meter', { name: '黄石市教师空间推优：已推荐 2，名额 15' });
    expect([await meter.getAttribute('value'), await meter.getAttribute('max')]).toEqual(['2', '15']);

    // Votes per day (武汉市's vote counts for the province) and the review.
    expect(await figure(page, 'votes')).toBe(String(expected.votesPerDay.reduce((n, v) => n + v.votes, 0)));
    expect(await figure(page, 'votes')).toBe('4');
    await page.getByRole('img', { name: '湖北省每日投票数条形图：2017-06-10 至 2017-06-11，共 2 天，合计 4 票' }).waitFor();
    await page.getByText('评审完成 2 / 6（33.3%）').waitFor();
    await expect(page.locator('#dash-review li[data-figure="inReview"] .big').textContent()).resolves.toBe('4');
    await screenshot(page, 'dashboard-province');
    await fitsPhone(page, 'dashboard-province-phone');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a city admin opens 活动概况, then only its city’s figures show: its schools, its votes, its own quota as meters', async () => {
    const admin = await makeAccount(orm, 'city_admin', { cityId: huangshiId });
    const viaApi = await loginAs(api, 'city_admin', { cityId: huangshiId });
    const expected = await dashboardOf(viaApi.auth);
    expect(expected.region.name).toBe('黄石市');
    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin, '/console/dashboard');
    await page.getByRole('heading', { level: 1, name: '活动概况' }).waitFor();
    await page.getByText(/黄石市 · 数据时间/).waitFor();
    await expect(page.getByLabel('市州', { exact: true }).isDisabled()).resolves.toBe(true);

    // 19 registrations: the 武汉市 teacher is not this city's.
    expect(await figure(page, 'registered')).toBe('19');
    expect(await figure(page, 'registered')).toBe(String(expected.registrationsPerDay.reduce((n, r) => n + r.teachers + r.students, 0)));
    await page.getByRole('img', { name: /^黄石市每日报名人数条形图：.*合计 19 人$/ }).waitFor();
    await page.locator('summary').filter({ hasText: '数据表：每日报名' }).click();
    const perDay = page.getByRole('region', { name: '数据表：每日报名', exact: true });
    expect(await cells(page, perDay.getByRole('row', { name: '2017-06-05' }))).toEqual(['2017-06-05', '8', '1', '9']);

    const pending = page.getByRole('region', { name: '各学校待审核人数（从多到少）' });
    expect(await pending.locator('tbody th').allTextContents()).toEqual(expected.approvalsPendingPerSchool.map((s) => s.name));
    expect(await pending.locator('tbody th').allTextContents()).toEqual(['黄石港区第一小学', expect.any(String)]);
    expect(await pending.getByRole('row', { name: /江岸区实验小学/ }).count()).toBe(0);
    expect(await figure(page, 'pendingTotal')).toBe('5');

    // Its own quota: two meters, no table of cities.
    const quota = page.getByRole('region', { name: '市州推优名额使用', exact: true });
    expect(await quota.getByRole('table').count()).toBe(0);
    expect(await quota.getByRole('meter').count()).toBe(2);
    const [q] = expected.recommendationsAgainstQuota;
    await expect(quota.getByRole('meter', { name: `黄石市学生空间推优：已推荐 ${q.students.used}，名额 ${q.students.quota}` }).getAttribute('value')).resolves.toBe('1');
    await quota.getByText(`${q.teachers.used} / ${q.teachers.quota}`).waitFor();

    expect(await figure(page, 'votes')).toBe('3');
    await screenshot(page, 'dashboard-city');
    await fitsPhone(page, 'dashboard-city-phone');
    // In English too (and back, for the pages after this one).
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByRole('meter', { name: `黄石市, Teacher spaces: ${q.teachers.used} picked of a quota of ${q.teachers.quota}` }).waitFor();
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { level: 1, name: '活动概况' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a city admin imports a roster with one bad row, then that row’s line and reason show and nothing is written; the corrected file imports and the report shows its platform spaces', async () => {
    const rosterCampaign = await makeCampaign(orm, noticeWindows(2017));
    const rosterRows = async () =>
      orm.em.fork().getConnection().execute(
        `select s.code, r.teachers, r.students, r.platform_spaces from roster r join school s on s.id = r.school_id where r.campaign_id = ? order by s.code`,
        [rosterCampaign],
      );
    const admin = await makeAccount(orm, 'city_admin', { cityId: huangshiId });
    const { page, problems } = await openCampaign(browser, server.base, rosterCampaign);
    await logIn(page, server.base, admin, '/console/report');
    await page.getByRole('heading', { level: 1, name: '报名情况通报' }).waitFor();
    const section = page.getByRole('region', { name: '花名册导入', exact: true });
    await section.getByText(/全部导入或全部不导入/).waitFor();

    const file = page.getByLabel('花名册文件', { exact: true });
    const csv = (...lines: string[]) => ({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await file.setInputFiles(csv('学校代码,教师数,学生数,平台空间数', '420202-01,800,12000,400', '420202-02,-5,2400,60', '420205-01,400,6000,200'));
    await page.getByRole('button', { name: '上传花名册' }).click();
    await page.getByRole('alert').filter({ hasText: '花名册有 1 行有误，整个文件未导入' }).waitFor();
    const bad = page.getByRole('region', { name: '有误的行' });
    expect(await bad.locator('tbody tr').count()).toBe(1);
    expect(await cells(page, bad.getByRole('row', { name: /第 3 行/ }))).toEqual(['第 3 行', '420202-02', '教师数 (teachers) is not a whole number ≥ 0: "-5"']);
    expect(await rosterRows()).toEqual([]);
    await screenshot(page, 'roster-refused');

    await file.setInputFiles(csv('学校代码,教师数,学生数,平台空间数', '420202-01,800,12000,400', '420202-02,120,2400,60', '420205-01,400,6000,200'));
    await page.getByRole('button', { name: '上传花名册' }).click();
    await page.getByRole('status').filter({ hasText: '花名册已导入：3 所学校（新增 3 所，更新 0 所，未变 0 所）。' }).waitFor();
    expect(await page.getByRole('region', { name: '有误的行' }).count()).toBe(0);
    expect(await rosterRows()).toEqual([
      { code: '420202-01', teachers: 800, students: 12000, platform_spaces: 400 },
      { code: '420202-02', teachers: 120, students: 2400, platform_spaces: 60 },
      { code: '420205-01', teachers: 400, students: 6000, platform_spaces: 200 },
    ]);
    // The report redraws with the roster: 黄石港区's platform spaces are its two schools' 400 + 60.
    const report = await request(api.app).get('/api/reports/registration').query({ campaignId: rosterCampaign }).set((await loginAs(api, 'city_admin', { cityId: huangshiId })).auth);
    const huangshigang = report.body.rows.find((r: { name: string }) => r.name === '黄石港区');
    expect(huangshigang.figures.teachers.platformSpaces).toBe(460);
    await page.getByRole('row', { name: /^黄石港区/ }).locator('td').nth(4).filter({ hasText: /^460$/ }).waitFor();

    // The list of current rosters, loaded when opened.
    await page.locator('summary').filter({ hasText: '当前花名册（黄石市）' }).click();
    await page.getByText(/^黄石市共 \d+ 所学校：已导入花名册 3 所，未导入 \d+ 所。$/).waitFor();
    expect(await cells(page, page.getByRole('region', { name: '当前花名册（黄石市）' }).getByRole('row', { name: /黄石港区第一小学/ }))).toEqual(
      expect.arrayContaining(['420202-01', '黄石港区第一小学', '800', '12000', '400']),
    );

    // The same file again changes nothing, and says so.
    await file.setInputFiles(csv('学校代码,教师数,学生数,平台空间数', '420202-01,800,12000,400', '420202-02,120,2400,60', '420205-01,400,6000,200'));
    await page.getByRole('button', { name: '上传花名册' }).click();
    await page.getByRole('status').filter({ hasText: '花名册与已导入的数据相同：3 所学校，没有任何变化。' }).waitFor();
    await screenshot(page, 'roster-imported');
    await fitsPhone(page, 'report-roster-phone');
    expect(problems).toEqual([]);
    await page.close();
  });
});
