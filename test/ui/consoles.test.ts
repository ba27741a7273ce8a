import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { defaultCampaignConfig, insertCampaign } from '../../db/seed';
import { DEFAULT_BRUSHING, detectBrushing, type VoteSample } from '../../lib/rules/brushing';
import { entrantStateQuery } from '../../workflows';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { launchBrowser, listen, logIn, openCampaign, screenshot, type UiBrowser } from '../helpers/browser';
import { makeAccount, makeCampaign, schoolByName, testOrm, uniqueId } from '../helpers/db';
import { localEnv, startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';
import { expertsOf, reviewFixture, untilInReview, type ReviewFixture } from '../review/fixture';
import { approvedTeacher, tally } from '../voting/helpers';
import { scriptedVotes } from '../voting/synthetic';

// The consoles that had no browser test: the entrant's portal (驳回 → 修改后重新提交 → 退出),
// 学生助力 upload and its moderation, the province console (刷票 flags, 专家库, the draw, phase
// control) and the city's expert nominations. Each asserts the stored state, not only the text.

let orm: Orm;
let browser: UiBrowser;

const conn = () => orm.em.fork().getConnection();

/** The page's own time format (lib.js fmtTime), for comparing a decision's time on screen. */
const fmtTime = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));

/** An MP4 as far as its first bytes tell (test/voting/boosts.test.ts): an ftyp box of brand isom, then noise. */
function mp4(bytes: number): Buffer {
  const b = randomBytes(bytes);
  Buffer.from([0, 0, 0, 0x20]).copy(b, 0);
  Buffer.from('ftypisom').copy(b, 4);
  return b;
}
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);

beforeAll(async () => {
  [orm, browser] = await Promise.all([testOrm(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await orm?.close();
});

describe('the entrant portal, 学生助力 and the city’s expert nominations in the browser', () => {
  let env: TestWorkflowEnvironment;
  let worker: RunningWorker;
  let api: TestApi;
  let server: Awaited<ReturnType<typeof listen>>;
  let dataDir: string;

  beforeAll(async () => {
    env = await localEnv();
    worker = await startWorker(env, { orm });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lss-consoles-ui-'));
    api = testApi(orm, env, { DATA_DIR: dataDir, RANKING_CACHE_SECONDS: '0' });
    server = await listen(api);
  });

  afterAll(async () => {
    await server?.close();
    await api?.close();
    await worker?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('when the school rejects an entry, then the entrant sees who, when and why, corrects and resubmits it, and after approval withdraws it through the confirmation', async () => {
    const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
    const school = await schoolByName(orm, '黄石港区第一小学');
    const teacher = await loginAs(api, 'teacher');
    const reg = await request(api.app).post('/api/entrants').set(teacher.auth).send({
      campaignId, category: 'teacher', schoolId: school.id, name: '孙老师', subject: '数学', stage: 'primary', spaceUrl: 'https://space.example.edu/sun', platform: '湖北教育云',
    });
    expect(reg.status).toBe(201);
    const id = reg.body.id as string;
    const entrant = async () => (await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth)).body;
    await eventually(async () => ((await entrant()).state === 'pending_approval' ? true : undefined), 'pending_approval');
    const admin = await loginAs(api, 'school_admin', { schoolId: school.id, countyId: school.county_id, cityId: school.city_id });
    const why = '空间地址无法打开，请核对后重新提交';
    const rejected = await request(api.app).post(`/api/entrants/${id}/reject`).set(admin.auth).send({ reason: why });
    expect(rejected.body.state).toBe('rejected');
    const rejection = (await entrant()).decisions.at(-1);
    expect(rejection).toMatchObject({ to: 'rejected', reason: why });

    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, teacher);
    await page.getByRole('heading', { level: 1, name: '我的报名' }).waitFor();
    const card = page.getByRole('article', { name: /孙老师/ });
    await card.getByText('审核未通过', { exact: true }).waitFor();
    await card.getByText(`审核未通过，理由：${why}`).waitFor();
    // Who, when and why, in the decision trail.
    const decision = card.getByRole('row', { name: /待审核 → 审核未通过/ });
    const cells = (await decision.locator('td').allTextContents()).map((s) => s.trim());
    // The time by its digits: separators are the ICU's business.
    expect([cells[0].replace(/\D/g, ''), ...cells.slice(1)]).toEqual([
      fmtTime(rejection.at).replace(/\D/g, ''), '待审核 → 审核未通过', `${admin.username} · 学校管理员`, why,
    ]);
    await screenshot(page, 'portal-rejected');

    // 修改后重新提交: the form carries the entry as it stands; the corrections go back to the school.
    await card.getByRole('button', { name: '修改并重新提交' }).click();
    const form = card.getByRole('form', { name: '修改并重新提交' });
    expect(await form.getByLabel('空间地址').inputValue()).toBe('https://space.example.edu/sun');
    await form.getByLabel('学科').fill('信息技术');
    await form.getByLabel('空间地址').fill('https://space.example.edu/sun-2017');
    await form.getByLabel('修改说明（选填）').fill('已更正空间地址');
    await screenshot(page, 'portal-resubmit');
    await form.getByRole('button', { name: '重新提交审核' }).click();
    await page.getByText('已重新提交，等待学校审核。').waitFor();
    await card.getByText('待审核', { exact: true }).waitFor();
    await card.getByRole('row', { name: /审核未通过 → 待审核.*已更正空间地址/ }).waitFor();
    const [row] = await conn().execute(`select state, subject, space_url, workflow_id from entrant where id = ?`, [id]);
    expect(row).toMatchObject({ state: 'pending_approval', subject: '信息技术', space_url: 'https://space.example.edu/sun-2017' });
    expect((await env.client.workflow.getHandle(row.workflow_id).query(entrantStateQuery)).state).toBe('pending_approval');

    // Approved, then 退出活动: cancelling the confirmation changes nothing; confirming withdraws.
    expect((await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({})).body.state).toBe('approved');
    await page.reload();
    await card.getByText('审核通过', { exact: true }).waitFor();
    await card.getByRole('button', { name: '退出活动' }).click();
    let dialog = page.getByRole('dialog', { name: '退出活动' });
    await dialog.getByText('「孙老师」将退出本次活动：不再参加投票、推优和评审，退出后不能撤销。').waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await conn().execute(`select state from entrant where id = ?`, [id]))[0].state).toBe('approved');

    await card.getByRole('button', { name: '退出活动' }).click();
    dialog = page.getByRole('dialog', { name: '退出活动' });
    await dialog.getByLabel('退出理由（选填）').fill('工作调动，无法继续参加');
    await screenshot(page, 'portal-withdraw');
    await dialog.getByRole('button', { name: '确认退出' }).click();
    await page.getByText('已退出活动。').waitFor();
    await card.getByText('已退出', { exact: true }).waitFor();
    expect(await card.getByRole('button', { name: '退出活动' }).count()).toBe(0);
    await screenshot(page, 'portal-withdrawn');
    expect((await conn().execute(`select state from entrant where id = ?`, [id]))[0].state).toBe('withdrawn');
    expect((await env.client.workflow.getHandle(row.workflow_id).query(entrantStateQuery)).state).toBe('withdrawn');
    expect((await entrant()).decisions.at(-1)).toMatchObject({ from: 'approved', to: 'withdrawn', reason: '工作调动，无法继续参加', by: { role: 'teacher' } });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a student uploads a video for a teacher and the school accepts it, then it counts for the teacher; a file that is not a video is refused with a clear message', async () => {
    const campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
    const teacherId = await approvedTeacher(api, campaignId); // 王老师 of 黄石港区第一小学
    const school = await schoolByName(orm, '黄石港区第一小学');
    const student = await makeAccount(orm, 'student');
    const admin = await makeAccount(orm, 'school_admin', { schoolId: school.id, countyId: school.county_id, cityId: school.city_id });
    const boosts = async () => conn().execute(`select state, student_account_id, video_type, video_bytes, original_name, moderated_by from boost where entrant_id = ?`, [teacherId]);

    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, student, `/spaces/${teacherId}`);
    await page.getByRole('heading', { level: 1, name: '王老师' }).waitFor();
    const section = page.getByRole('region', { name: '学生助力' });
    const file = section.getByLabel('助力视频');

    // A picture, whatever the form accepts, is refused by its content: nothing is stored.
    await file.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await section.getByRole('button', { name: '上传助力视频' }).click();
    await section.getByRole('alert').filter({ hasText: '这不是视频文件' }).waitFor();
    await screenshot(page, 'boost-not-video');
    expect(await boosts()).toEqual([]);

    const video = mp4(20_000);
    await file.setInputFiles({ name: 'dance.mp4', mimeType: 'video/mp4', buffer: video });
    await section.getByRole('button', { name: '上传助力视频' }).click();
    await section.getByRole('status').filter({ hasText: '上传完成，等待学校审核。' }).waitFor();
    expect(await section.getByRole('progressbar', { name: '上传进度' }).getAttribute('value')).toBe('100');
    await page.reload();
    await section.getByText('您的助力视频已上传，等待学校审核。').waitFor();
    expect(await section.getByRole('button', { name: '上传助力视频' }).count()).toBe(0); // one live boost per student and teacher
    await screenshot(page, 'boost-pending');
    expect(await boosts()).toEqual([{ state: 'pending', student_account_id: student.id, video_type: 'video/mp4', video_bytes: '20000', original_name: 'dance.mp4', moderated_by: null }]);

    // The teacher's school admin accepts it in the console; it then counts in the teacher's tally.
    await logIn(page, server.base, admin);
    await page.getByRole('heading', { level: 1, name: '资格审核' }).waitFor();
    const boostRow = page.getByRole('row', { name: /王老师/ });
    await boostRow.getByText(student.username).waitFor();
    await boostRow.getByRole('button', { name: `不通过 ${student.username} 为 王老师 上传的助力视频` }).waitFor();
    await screenshot(page, 'school-boosts');
    await boostRow.getByRole('button', { name: `通过 ${student.username} 为 王老师 上传的助力视频`, exact: true }).click();
    await boostRow.getByRole('status').filter({ hasText: '助力已通过，计入老师排名。' }).waitFor();
    await boostRow.getByText('已通过', { exact: true }).waitFor();
    expect(await boosts()).toEqual([expect.objectContaining({ state: 'accepted', moderated_by: admin.id })]);
    expect(await tally(orm, teacherId)).toMatchObject({ accepted_boosts: 1 });

    // The teacher's page now shows the accepted boost.
    await page.goto(`${server.base}/spaces/${teacherId}`);
    await page.getByText('已通过的助力 1 个').waitFor();
    expect(await page.getByRole('region', { name: '学生助力' }).locator('video').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('when a city admin nominates an expert through the form, then the nomination is listed with the quota use and stored with its statements', async () => {
    const { windows } = windowsAround(Date.now());
    const config = defaultCampaignConfig(windows);
    const [huangshi] = await conn().execute(`select id, code from city where name = '黄石市'`);
    config.quotas[huangshi.code] = { ...config.quotas[huangshi.code], expert: 2 };
    const campaignId = uniqueId('ui-nom');
    await insertCampaign(orm, { id: campaignId, name: `专家推荐 ${campaignId}`, year: 2017, config });
    const admin = await makeAccount(orm, 'city_admin', { cityId: huangshi.id });
    const email = `${uniqueId('li')}@example.cn`;

    const { page, problems } = await openCampaign(browser, server.base, campaignId);
    await logIn(page, server.base, admin, '/console/city');
    await page.getByRole('heading', { level: 1, name: '市州推优' }).waitFor();
    const section = page.getByRole('region', { name: '推荐省级评审专家', exact: true }).first();
    await section.getByText('尚未推荐专家。').waitFor();
    const quota = page.locator('#expert-quota');
    expect(await quota.textContent()).toBe('已推荐 0 / 名额 2，剩余 2');

    await section.getByText('推荐一位专家').click();
    const form = section.getByRole('form', { name: '推荐一位专家' });
    await form.getByLabel('姓名', { exact: true }).fill('李专家');
    await form.getByLabel('电子邮箱').fill(email);
    await form.getByLabel('职称', { exact: true }).fill('正高级教师');
    await form.getByLabel('研究方向').fill('小学语文与信息技术融合');
    await form.getByLabel('小学').check();
    await form.getByLabel('初中').check();
    await form.getByLabel('信息化教学实践经历').fill('二十年小学语文教学，省级网络学习空间应用示范校负责人。');
    await form.getByLabel('忠诚党的教育事业，有良好的敬业精神和职业道德').fill('省级师德标兵');
    await form.getByLabel('拥有高级职称，具有较高的学术水平').fill('2015年评为正高级教师');
    await form.getByLabel('对教育信息化有较深的研究').fill('发表教育信息化论文十余篇');
    await form.getByLabel('具有较丰富的信息化教学实践经验').fill('长期开展基于空间的翻转课堂教学');
    await form.getByLabel('身体健康，能胜任评审工作').fill('身体健康，可全程参加评审');
    await screenshot(page, 'city-nominate-form');
    await form.getByRole('button', { name: '提交推荐' }).click();
    await page.getByText('已推荐 李专家。').waitFor();
    await eventually(async () => ((await quota.textContent()) === '已推荐 1 / 名额 2，剩余 1' ? true : undefined), 'the quota use');
    const row = page.getByRole('row', { name: /李专家/ });
    expect((await row.locator('td').allTextContents()).slice(0, 3)).toEqual(['正高级教师 · 小学语文与信息技术融合', '小学、初中', '已推荐']);
    expect(await page.locator('meter[aria-labelledby="expert-quota"]').getAttribute('value')).toBe('1');
    await screenshot(page, 'city-nominated');

    const rows = await conn().execute(`select id, name, email, stages, state, nominated_by, criteria from expert_nomination where campaign_id = ?`, [campaignId]);
    expect(rows).toEqual([
      expect.objectContaining({ name: '李专家', email, stages: ['primary', 'junior'], state: 'nominated', nominated_by: admin.id, criteria: expect.objectContaining({ seniorTitle: '2015年评为正高级教师', fitness: '身体健康，可全程参加评审' }) }),
    ]);
    // Its workflow records the nomination.
    await eventually(async () => ((await conn().execute(`select 1 from expert_nomination_transition where nomination_id = ?`, [rows[0].id])).length ? true : undefined), 'the nomination’s first transition');
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('the province console in the browser', () => {
  let env: TestWorkflowEnvironment;
  let worker: RunningWorker;
  let api: TestApi;
  let server: Awaited<ReturnType<typeof listen>>;
  let fx: ReviewFixture;

  /** Synthetic votes written as the vote path writes them (test/voting/brushing.test.ts), tally included. */
  async function insertVotes(campaignId: string, entrantId: string, samples: VoteSample[]): Promise<void> {
    const ids = samples.map(() => randomUUID());
    await conn().execute(
      `insert into account (id, username, password_hash, display_name, role, created_at)
       select id, 'synthetic-' || id, 'x', 'voter', 'voter', created from unnest(?::uuid[], ?::timestamptz[]) as s(id, created)`,
      [`{${ids.join(',')}}`, `{${samples.map((s) => new Date(s.accountCreatedAt).toISOString()).join(',')}}`],
    );
    await conn().execute(
      `insert into vote (id, campaign_id, entrant_id, account_id, ip, day, policy, at)
       select gen_random_uuid(), ?, ?, a, i, (t at time zone 'Asia/Shanghai')::date, 'ip_and_account', t
       from unnest(?::uuid[], ?::inet[], ?::timestamptz[]) as s(a, i, t)`,
      [campaignId, entrantId, `{${ids.join(',')}}`, `{${samples.map((s) => s.ip).join(',')}}`, `{${samples.map((s) => new Date(s.at).toISOString()).join(',')}}`],
    );
    await conn().execute(
      `insert into entrant_tally (entrant_id, campaign_id, votes) values (?, ?, ?) on conflict (entrant_id) do update set votes = entrant_tally.votes + excluded.votes`,
      [entrantId, campaignId, samples.length],
    );
  }

  beforeAll(async () => {
    env = await timeSkippingEnv();
    worker = await startWorker(env, { orm });
    api = testApi(orm, env);
    server = await listen(api);
    fx = await reviewFixture(env, orm, {
      topK: { teacher: 1, student: 0 },
      entrants: [
        { label: '陈老师', category: 'teacher', city: '黄石市', votes: 20, recommended: true },
        { label: '刘老师', category: 'teacher', city: '黄石市', votes: 0 },
      ],
      experts: ['武汉市', '十堰市', '荆州市'],
    });
    // A scripted burst for 刘老师, flagged with the detector's own rules and evidence.
    const now = await env.currentTimeMs();
    const burst = scriptedVotes(60, now - 60_000);
    const liu = fx.entrants['刘老师'];
    await insertVotes(fx.campaignId, liu.id, burst);
    for (const f of detectBrushing(burst, DEFAULT_BRUSHING)) {
      await conn().execute(`insert into brushing_flag (id, campaign_id, entrant_id, kind, window_start, window_end, evidence, created_at) values (?, ?, ?, ?, ?, ?, ?::jsonb, ?)`, [
        randomUUID(), fx.campaignId, liu.id, f.kind, new Date(f.windowStart), new Date(f.windowEnd), JSON.stringify(f.evidence), new Date(now),
      ]);
    }
    // The experts joined the pool through their city's nomination (activated).
    const province = await makeAccount(orm, 'province_admin');
    for (const x of fx.experts) {
      const id = randomUUID();
      await conn().execute(
        `insert into expert_nomination (id, campaign_id, city_id, name, email, title, speciality, stages, experience, criteria, state, workflow_id, account_id, nominated_by, decided_by, activated_at)
         values (?, ?, ?, ?, ?, '正高级教师', '信息技术', '{primary}', '十年信息化教学实践经历', '{}'::jsonb, 'active', ?, ?, ?, ?, now())`,
        [id, fx.campaignId, x.cityId, x.username, `${x.username}@experts.example.cn`, `nomination-${id}`, x.id, province.id, province.id],
      );
    }
    await untilInReview(env, orm, fx, '陈老师');
    api.setNow(await env.currentTimeMs());
  });

  afterAll(async () => {
    await fx?.campaign.terminate('test done').catch(() => undefined);
    await server?.close();
    await api?.close();
    await worker?.stop();
    await env?.teardown();
  });

  test('when the province admin opens the console, then the 刷票 flags show their evidence and one is dismissed with a reason; the pool and the draw are shown; phase changes state their effect first', async () => {
    const admin = await makeAccount(orm, 'province_admin');
    const { page, problems } = await openCampaign(browser, server.base, fx.campaignId);
    await logIn(page, server.base, admin);
    await page.getByRole('heading', { level: 1, name: '省组委会' }).waitFor();

    // 疑似刷票: one row per finding, with its evidence in words.
    const flags = page.getByRole('region', { name: '疑似刷票', exact: true });
    expect(await flags.getByRole('row', { name: /刘老师/ }).count()).toBe(4);
    const subnet = flags.getByRole('row', { name: /同一网段集中投票/ });
    await subnet.getByText('10.1.2.0/24', { exact: true }).waitFor();
    expect(await subnet.locator('dt').allTextContents()).toEqual(expect.arrayContaining(['网段', '涉及票数', '占比']));
    await subnet.getByText('100%', { exact: true }).waitFor(); // the share of the entrant's votes, as a percentage
    await screenshot(page, 'province-flags');
    await subnet.getByRole('button', { name: '排除疑点' }).click();
    const dialog = page.getByRole('dialog', { name: '排除疑点' });
    await dialog.getByText('排除后该疑点关闭，「刘老师」的投票照常计入。').waitFor();
    await dialog.getByLabel('理由').fill('学校机房统一投票，经核实为真实学生');
    await dialog.getByRole('button', { name: '排除疑点' }).click();
    await page.getByText('已排除对 刘老师 的刷票疑点。').waitFor();
    await subnet.getByText('已排除', { exact: true }).waitFor();
    const decided = await conn().execute(`select kind, state, reason, decided_by from brushing_flag where entrant_id = ? order by kind`, [fx.entrants['刘老师'].id]);
    expect(decided.filter((f) => f.state !== 'open')).toEqual([{ kind: 'ip_subnet', state: 'dismissed', reason: '学校机房统一投票，经核实为真实学生', decided_by: admin.id }]);
    expect(decided).toHaveLength(4);

    // 专家库 and 评审分配: the draw with its seed, and each space's three experts from other cities.
    const pool = page.locator('section[aria-labelledby="pool-h"]');
    for (const x of fx.experts) await pool.getByRole('row', { name: new RegExp(x.username) }).getByText('已激活').waitFor();
    const [run] = await conn().execute(`select seed from review_run where campaign_id = ? and kind = 'assignment' order by id limit 1`, [fx.campaignId]);
    const draw = page.locator('section[aria-labelledby="assign-h"]');
    await draw.getByText(new RegExp(`^最近一次分配：.+，分配专家，随机种子 ${run.seed}，已完成。`)).waitFor();
    for (const label of ['陈老师', '刘老师']) {
      const space = draw.getByRole('row', { name: new RegExp(`^${label}`) });
      const experts = await expertsOf(orm, fx.entrants[label].id);
      expect(experts).toHaveLength(3);
      const shown = (await space.locator('li').allTextContents()).map((s) => s.trim());
      expect(shown.sort()).toEqual(fx.experts.filter((x) => experts.includes(x.id)).map((x) => `${x.username}（${x.city}）`).sort());
    }
    await screenshot(page, 'province-review');

    // 提前: the confirmation states the effect; cancelling leaves the schedule as it was.
    const before = await request(api.app).get(`/api/campaigns/${fx.campaignId}`);
    const reviewWindow = (body: { schedule: { windows: { key: string; closesAt: string; phase: string }[] } }) => body.schedule.windows.find((w) => w.key === 'review')!;
    expect(reviewWindow(before.body).phase).toBe('open');
    await page.getByRole('button', { name: '提前 · 专家评审' }).click();
    const advance = page.getByRole('dialog', { name: '提前' });
    await advance.getByText(/^「专家评审」将立即截止（原定 .+ 截止）。$/).waitFor();
    await advance.getByText('截止后专家不能再提交评分；未完成的评审将被替换。').waitFor();
    await screenshot(page, 'province-advance');
    await advance.getByRole('button', { name: '取消' }).click();
    await advance.waitFor({ state: 'detached' });
    expect(reviewWindow((await request(api.app).get(`/api/campaigns/${fx.campaignId}`)).body)).toEqual(reviewWindow(before.body));

    // 延期: confirmed with a reason, the change is recorded and the deadline moves a day.
    await page.getByRole('button', { name: '延期 · 专家评审' }).click();
    const extend = page.getByRole('dialog', { name: '延期' });
    await extend.getByText(/「专家评审」的截止时间将从 .+ 改为 .+。/).waitFor();
    await extend.getByLabel('理由').fill('部分专家申请延长评审时间');
    await extend.getByRole('button', { name: '确认延期' }).click();
    await page.getByRole('region', { name: '日程变更记录' }).getByRole('row', { name: /部分专家申请延长评审时间/ }).waitFor();
    const after = reviewWindow((await request(api.app).get(`/api/campaigns/${fx.campaignId}`)).body);
    expect(Date.parse(after.closesAt) - Date.parse(reviewWindow(before.body).closesAt)).toBe(86_400_000);
    const changes = (await request(api.app).get(`/api/campaigns/${fx.campaignId}/changes`).set((await loginAs(api, 'province_admin')).auth)).body.items;
    expect(changes.filter((c: { kind: string }) => c.kind === 'advance')).toEqual([]);
    expect(changes.filter((c: { kind: string }) => c.kind === 'extend')).toEqual([
      expect.objectContaining({ window: 'review', reason: '部分专家申请延长评审时间', actor: expect.objectContaining({ role: 'province_admin' }) }),
    ]);
    await screenshot(page, 'province-extended');
    expect(problems).toEqual([]);
    await page.close();
  });
});
