import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../../db/orm';
import { testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, type UiBrowser } from '../helpers/browser';
import { testOrm } from '../helpers/db';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { expertsOf, reviewFixture, untilInReview, type ReviewFixture } from '../review/fixture';

// Simulated time carries the campaign to its review; the expert then scores in a real browser.
let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: RunningWorker;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: UiBrowser;
let fx: ReviewFixture;

beforeAll(async () => {
  [env, orm, browser] = await Promise.all([timeSkippingEnv(), testOrm(), launchBrowser()]);
  worker = await startWorker(env, { orm });
  api = testApi(orm, env);
  server = await listen(api);
  fx = await reviewFixture(env, orm, {
    topK: { teacher: 1, student: 0 },
    entrants: [{ label: '陈老师', category: 'teacher', city: '黄石市', votes: 20, recommended: true }],
    experts: ['武汉市', '十堰市', '荆州市'],
  });
  await untilInReview(env, orm, fx, '陈老师');
  api.setNow(await env.currentTimeMs());
});

afterAll(async () => {
  await fx?.campaign.terminate('test done').catch(() => undefined);
  await browser?.close();
  await server?.close();
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await orm?.close();
});

describe('专家评审 in the browser', () => {
  test('when an expert scores an assigned space by the rubric with a bonus, then the sheet is stored with its total and the page says so', async () => {
    const space = fx.entrants['陈老师'];
    const [expertId] = await expertsOf(orm, space.id);
    const expert = fx.experts.find((e) => e.id === expertId)!;

    const { page, problems } = await openCampaign(browser, server.base, fx.campaignId);
    await logIn(page, server.base, expert);
    await page.getByRole('heading', { level: 1, name: '专家评审' }).waitFor();
    const card = page.getByRole('article', { name: /陈老师/ });
    await card.getByText(space.credentials.password).waitFor(); // browse credentials for this expert only
    expect(await card.locator('time.countdown').count()).toBeGreaterThan(0);
    await screenshot(page, 'expert-assignments');

    const sheet = card.getByRole('form', { name: '为 陈老师 评分' });
    const items = sheet.getByRole('spinbutton');
    const n = await items.count();
    // Every rubric item at its maximum (100), then a bonus within the allowed +1..+5.
    for (let i = 0; i < n - 1; i += 1) {
      const max = await items.nth(i).getAttribute('max');
      await items.nth(i).fill(String(max));
    }
    const bonus = sheet.getByLabel('评审加分减分（1 至 5）');
    expect(await bonus.getAttribute('min')).toBe('1');
    await bonus.fill('3');
    expect(await sheet.locator('output').textContent()).toBe('103');
    await sheet.getByRole('button', { name: '提交评分' }).click();
    await card.getByRole('status').filter({ hasText: '评分已保存，总分 103。' }).waitFor();
    await screenshot(page, 'expert-scored');

    const [stored] = await orm.em.fork().getConnection().execute(`select total, adjustment from expert_score where entrant_id = ? and expert_account_id = ?`, [space.id, expertId]);
    expect(Number(stored.total)).toBe(103);
    expect(stored.adjustment).toBe(3);
    expect(problems).toEqual([]);
    await page.close();
  });
});
