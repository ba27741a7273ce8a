import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { TransitionWrite } from '../../activities/entrants';
import { mailJobId } from '../../activities/mail/queue';
import { renderMail } from '../../activities/mail/templates';
import type { Orm } from '../../db/orm';
import { loadConfig } from '../../lib/config';
import { TASK_QUEUE } from '../../lib/ids';
import { approveUpdate, entrantLifecycle, entrantStateQuery } from '../../workflows';
import { startMailWorker, type MailWorker } from '../../worker/mail-worker';
import { makeCampaign, makeEntrantRow, testOrm, uniqueId } from '../helpers/db';
import { startTestSmtp, testMailQueue, TEST_REDIS_URL, type ReceivedMail, type TestSmtp } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// The whole path of a mail: a lifecycle step → recordTransition → the `email` queue in Redis
// → the mail worker → nodemailer → a real SMTP server started here.
const PUBLIC_URL = 'https://lss.example.cn';
const MAIL_FROM = loadConfig({}).MAIL_FROM;
const schoolAdmin = { accountId: 'a0000000-0000-4000-8000-000000000001', role: 'school_admin', name: '校管理员' };

let env: TestWorkflowEnvironment;
let orm: Orm;
let smtp: TestSmtp;
let queue: ReturnType<typeof testMailQueue>;
let mailWorker: MailWorker;
let worker: RunningWorker;

beforeAll(async () => {
  [env, orm, smtp] = await Promise.all([timeSkippingEnv(), testOrm(), startTestSmtp()]);
  queue = testMailQueue('delivery');
  mailWorker = startMailWorker({ redisUrl: TEST_REDIS_URL, prefix: queue.prefix, smtpUrl: smtp.url, from: MAIL_FROM, log: () => undefined });
  worker = await startWorker(env, { orm, mail: { queue, publicUrl: PUBLIC_URL } });
});

afterAll(async () => {
  await worker?.stop();
  await mailWorker?.close();
  await queue?.obliterate();
  await smtp?.close();
  await env?.teardown();
  await orm?.close();
});

async function entrantWithEmail(campaignId: string) {
  const row = await makeEntrantRow(orm, campaignId, 'teacher');
  const email = `${uniqueId('t')}@school.example.cn`;
  await orm.em.fork().getConnection().execute(`update account set email = ? where id = ?`, [email, row.account.id]);
  return { ...row, email };
}

const mailsTo = (email: string): ReceivedMail[] => smtp.received.filter((m) => m.envelopeTo.includes(email));

function expectBothParts(mail: ReceivedMail, sentence: string): void {
  expect(typeof mail.parsed.text).toBe('string');
  expect(typeof mail.parsed.html).toBe('string');
  expect(mail.parsed.text).toContain(sentence);
  expect(mail.parsed.html).toContain(sentence);
  expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/);
}

describe('mail delivery', () => {
  test('when an entrant registers and is approved, then the SMTP server receives both mails, with recipient, subject, key sentence and both parts', async () => {
    const t = windowsAround(await env.currentTimeMs());
    const campaignId = await makeCampaign(orm, t.windows);
    const e = await entrantWithEmail(campaignId);
    const handle = await env.client.workflow.start(entrantLifecycle, {
      taskQueue: TASK_QUEUE,
      workflowId: e.workflowId,
      args: [{ campaignId, entrantId: e.id, category: 'teacher', actor: { accountId: e.account.id, role: 'teacher', name: '参赛者' } }],
    });
    await eventually(async () => ((await handle.query(entrantStateQuery)).state === 'pending_approval' ? true : undefined), 'pending_approval');
    await handle.executeUpdate(approveUpdate, { args: [{ actor: schoolAdmin }] });

    const mails = await eventually(async () => (mailsTo(e.email).length >= 2 ? mailsTo(e.email) : undefined), 'two mails');
    expect(mails).toHaveLength(2);
    // Queued in order, but the worker sends several at once: find each by its subject.
    const received = mails.find((m) => m.parsed.subject?.endsWith('报名已收到'))!;
    const approved = mails.find((m) => m.parsed.subject?.endsWith('报名已通过资格审核'))!;
    const name = `参赛者${e.id.slice(0, 4)}`;

    expect(received.parsed.to && !Array.isArray(received.parsed.to) ? received.parsed.to.text : '').toBe(e.email);
    expect(received.parsed.subject).toMatch(/^【测试活动 .+】报名已收到$/);
    expect(approved.envelopeTo).toEqual([e.email]);
    expectBothParts(received, '正在等待学校管理员进行资格审核');
    expectBothParts(received, `${name}，您好`);
    expect(received.parsed.text).toContain(`${PUBLIC_URL}/entrants/${e.id}`);

    expect(approved.parsed.subject).toMatch(/】报名已通过资格审核$/);
    expectBothParts(approved, '已通过学校资格审核');
    // The voting deadline, in Asia/Shanghai time as the notice writes it.
    const votingCloses = renderMail('approved', { name, campaign: 'x', link: 'x', deadline: t.windows['teacher.voting'].closesAt }).text.match(/投票截止时间：(.+?)。/)![1];
    expect(approved.parsed.text).toContain(`投票截止时间：${votingCloses}`);
    expect(votingCloses).toMatch(/24:00（北京时间）$/);
  });

  test('when the same transition is recorded twice (a retried activity), then one mail is queued and sent', async () => {
    const t = windowsAround(Date.now());
    const campaignId = await makeCampaign(orm, t.windows);
    const e = await entrantWithEmail(campaignId);
    const activities = createActivities({ orm, temporal: env.client, mail: { queue, publicUrl: PUBLIC_URL } });
    const write: TransitionWrite = {
      workflowId: e.workflowId,
      entrantId: e.id,
      eventKey: '2:rejected',
      from: 'pending_approval',
      to: 'rejected',
      actor: schoolAdmin,
      reason: '空间地址无法访问',
      at: new Date().toISOString(),
    };

    expect(await activities.recordTransition(write)).toEqual({ written: true });
    expect(await activities.recordTransition(write)).toEqual({ written: false });
    await eventually(async () => (mailsTo(e.email).length > 0 ? true : undefined), 'the rejection mail');
    // Once more after the first was sent: the completed job still holds the id.
    expect(await activities.recordTransition(write)).toEqual({ written: false });

    const jobId = mailJobId(e.workflowId, '2:rejected');
    const jobs = (await queue.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter((j) => j.id?.startsWith(e.workflowId));
    expect(jobs.map((j) => j.id)).toEqual([jobId]);
    expect(await queue.queue.getJobState(jobId)).toBe('completed');
    const [{ n }] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from entrant_transition where workflow_id = ?`, [e.workflowId]);
    expect(n).toBe(1);
    const mails = mailsTo(e.email);
    expect(mails).toHaveLength(1);
    expectBothParts(mails[0], '审核意见：空间地址无法访问');
  });

  test('when a Chinese template is sent, then the subject, sender name and body arrive intact (UTF-8 headers and body)', async () => {
    const to = `${uniqueId('utf8')}@school.example.cn`;
    const params = { name: '欧阳娜娜', campaign: '2017年湖北省网络学习空间交流展示活动', link: `${PUBLIC_URL}/entrants/x`, reason: '空间内容不完整：缺少教学设计和微课视频', deadline: '2017-09-15T16:00:00Z' };
    const rendered = renderMail('rejected', params);
    await queue.enqueue(uniqueId('utf8'), { to, template: 'rejected', params });

    const [mail] = await eventually(async () => (mailsTo(to).length ? mailsTo(to) : undefined), 'the mail');
    expect(mail.parsed.subject).toBe('【2017年湖北省网络学习空间交流展示活动】报名未通过资格审核');
    expect(mail.parsed.subject).toBe(rendered.subject);
    // On the wire the headers are MIME encoded-words in UTF-8, the parts declare utf-8.
    expect(mail.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    expect(mail.raw).toMatch(/^From: =\?UTF-8\?[BQ]\?/im);
    expect(mail.raw.match(/charset=utf-8/gi)?.length).toBeGreaterThanOrEqual(2);
    expect(mail.parsed.from?.value[0]).toEqual({ name: '网络学习空间交流展示活动', address: 'noreply@learning-space.local' });
    expect(mail.parsed.text).toBe(rendered.text);
    expect(mail.parsed.html).toContain('审核意见：空间内容不完整：缺少教学设计和微课视频');
    expect(mail.parsed.html).toContain('欧阳娜娜，您好：');
    expect(mail.parsed.text).toContain('2017年9月15日 24:00（北京时间）');
  });
});
