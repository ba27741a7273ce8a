import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import { TASK_QUEUE } from '../../lib/ids';
import { addDays, shanghaiDay } from '../../lib/time';
import { dayWindow } from '../../lib/rules/schedule';
import { approveUpdate, entrantLifecycle } from '../../workflows';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, watchConsole, type UiBrowser } from '../helpers/browser';
import { makeAccount, makeCampaign, makeEntrantRow, testOrm, uniqueId } from '../helpers/db';
import { localEnv, startWorker, type RunningWorker } from '../helpers/temporal';
import { windowsAround } from '../helpers/windows';
import { loadEntrants } from '../reports/fixtures';
import { schoolAdmin, stateIs } from '../review/fixture';

let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: UiBrowser;

const conn = () => orm.em.fork().getConnection();

beforeAll(async () => {
  [env, orm, browser] = await Promise.all([localEnv(), testOrm(), launchBrowser()]);
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  server = await listen(api);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

describe('网络投票 in the browser', () => {
  test('when a voter votes, then the count rises with a receipt; a second vote the same day shows the refusal, and a logged-out click asks to log in', async () => {
    const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
    await loadEntrants(orm, campaignId, [{ school: '420202-01', category: 'teacher', count: 1, registeredAt: new Date().toISOString(), approvedAt: new Date().toISOString() }]);
    const [entrant] = await conn().execute(`select id from entrant where campaign_id = ?`, [campaignId]);
    await conn().execute(`update entrant set name = '周老师' where id = ?`, [entrant.id]);
    const voter = await makeAccount(orm, 'voter');

    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.context().clearCookies();
    await page.goto(`${server.base}/spaces/${entrant.id}?campaign=${campaignId}`);
    await page.getByRole('heading', { level: 1, name: '周老师' }).waitFor();
    await page.getByRole('button', { name: '点赞投票' }).click();
    await page.getByRole('alert').filter({ hasText: '请先登录再投票。' }).waitFor();

    await logIn(page, server.base, voter, `/spaces/${entrant.id}`);
    await page.getByRole('heading', { level: 1, name: '周老师' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('0');
    await page.getByRole('button', { name: '点赞投票' }).click();
    await page.getByRole('status').filter({ hasText: '投票成功' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('1');
    await screenshot(page, 'entrant-voted');

    await page.getByRole('button', { name: '点赞投票' }).click();
    await page.getByRole('alert').filter({ hasText: '您今天已经为TA投过票了' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('1');
    const [{ n }] = await conn().execute(`select count(*)::int as n from vote where entrant_id = ?`, [entrant.id]);
    expect(n).toBe(1);
    await screenshot(page, 'entrant-already-voted');

    await page.goto(`${server.base}/rankings`);
    await page.getByRole('heading', { level: 1, name: '排行榜' }).waitFor();
    await page.getByRole('row', { name: /周老师/ }).waitFor();
    await screenshot(page, 'rankings');
    await page.goto(`${server.base}/spaces`);
    await page.getByRole('link', { name: '周老师' }).waitFor();
    await screenshot(page, 'showcase');
    // On a phone the page fits its width: nothing to scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.base}/spaces/${entrant.id}`);
    await page.getByRole('button', { name: '点赞投票' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'entrant-phone');
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('网络投票 after the close', () => {
  test('when voting has closed, then the entrant page says so and offers no vote; a vote sent anyway is refused and nothing is counted', async () => {
    // The timeline twelve days on: voting closed yesterday (Asia/Shanghai); the row is still approved.
    const campaignId = await makeCampaign(orm, windowsAround(Date.now() - 12 * 86_400_000).windows);
    await loadEntrants(orm, campaignId, [{ school: '420202-01', category: 'teacher', count: 1, registeredAt: new Date().toISOString(), approvedAt: new Date().toISOString() }]);
    const [entrant] = await conn().execute(`select id from entrant where campaign_id = ?`, [campaignId]);
    await conn().execute(`update entrant set name = '吴老师' where id = ?`, [entrant.id]);
    const voter = await makeAccount(orm, 'voter');

    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.base}/?campaign=${campaignId}`);
    await logIn(page, server.base, voter, `/spaces/${entrant.id}`);
    await page.getByRole('heading', { level: 1, name: '吴老师' }).waitFor();
    // Said before anyone clicks: the button is off and the reason is on the page.
    await page.getByRole('status').filter({ hasText: '投票已截止' }).waitFor();
    expect(await page.getByRole('button', { name: '点赞投票' }).isDisabled()).toBe(true);
    // The API refuses it all the same.
    const res = await request(api.app).post(`/api/entrants/${entrant.id}/votes`).set((await loginAs(api, 'voter')).auth);
    expect([res.status, res.body.error.code]).toEqual([409, 'DeadlinePassed']);
    const [{ n }] = await conn().execute(`select count(*)::int as n from vote where entrant_id = ?`, [entrant.id]);
    expect(n).toBe(0);
    await screenshot(page, 'entrant-voting-closed');
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('市州推优 in the browser', () => {
  test('when a city admin recommends up to its quota, then the counter fills and the next recommendation is refused', async () => {
    // The recommendation window open now; 神农架林区 recommends at most 2 student spaces.
    const today = shanghaiDay(Date.now());
    const windows = { ...windowsAround(Date.now()).windows, recommendation: dayWindow(addDays(today, -1), addDays(today, 5)) };
    const campaignId = uniqueId('ui-city');
    await insertCampaign(orm, { id: campaignId, name: `推优测试 ${campaignId}`, year: 2017, config: defaultCampaignConfig(windows) });
    const names = ['学生甲', '学生乙', '学生丙'];
    for (const name of names) {
      const row = await makeEntrantRow(orm, campaignId, 'student', '神农架林区松柏小学');
      await conn().execute(`update entrant set name = ? where id = ?`, [name, row.id]);
      const handle = await env.client.workflow.start(entrantLifecycle, {
        taskQueue: TASK_QUEUE,
        workflowId: row.workflowId,
        args: [{ campaignId, entrantId: row.id, category: 'student', actor: { accountId: row.account.id, role: 'student' }, expertsPerSpace: 3 }],
      });
      await stateIs(handle, 'pending_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });
    }
    const [city] = await conn().execute(`select id from city where name = '神农架林区'`);
    const admin = await makeAccount(orm, 'city_admin', { cityId: city.id });

    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin, '/console/city?group=student');
    await page.getByRole('heading', { level: 1, name: '市州推优' }).waitFor();
    const quota = page.locator('#quota-student');
    expect(await quota.textContent()).toBe('已推荐 0 / 名额 2，剩余 2');
    for (const [i, name] of names.slice(0, 2).entries()) {
      await page.getByRole('button', { name: `推优 ${name}` }).click();
      await page.getByText(`已推荐 ${name}。`).waitFor();
      expect(await quota.textContent()).toBe(`已推荐 ${i + 1} / 名额 2，剩余 ${1 - i}`);
    }
    await page.getByRole('button', { name: '推优 学生丙' }).click();
    await page.getByRole('alert').filter({ hasText: '推优名额已用完（2/2），不能再推荐。' }).waitFor();
    await screenshot(page, 'city-recommendations');
    const rows = await conn().execute(`select e.name from recommendation r join entrant e on e.id = r.entrant_id where r.campaign_id = ? and r.state = 'active' order by e.name`, [campaignId]);
    expect(rows.map((r) => String(r.name)).sort()).toEqual(['学生乙', '学生甲'].sort());
    expect(problems).toEqual([]);
    await page.close();
  });
});
