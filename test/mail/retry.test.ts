import { startMailWorker, type MailWorker } from '../../worker/mail-worker';
import { uniqueId } from '../helpers/db';
import { startTestSmtp, testMailQueue, TEST_REDIS_URL, type TestSmtp } from '../helpers/mail';
import { eventually } from '../helpers/wait';

// SMTP trouble: the job retries with its backoff (shortened here) until the server takes the
// mail, or stays failed with the SMTP error once its attempts are spent.
const params = { name: '刘老师', campaign: '测试活动', link: 'https://lss.example.cn/entrants/1', deadline: '2017-09-15T16:00:00Z' };

let running: { smtp: TestSmtp; queue: ReturnType<typeof testMailQueue>; worker: MailWorker }[] = [];

async function setup(smtpOpts: { failFirst: number; failCode?: number }, attempts: number) {
  const smtp = await startTestSmtp(smtpOpts);
  const queue = testMailQueue('retry', { attempts, backoff: { type: 'exponential', delay: 50 } });
  const worker = startMailWorker({ redisUrl: TEST_REDIS_URL, prefix: queue.prefix, smtpUrl: smtp.url, from: 'test <noreply@example.cn>', log: () => undefined });
  running.push({ smtp, queue, worker });
  return { smtp, queue };
}

afterEach(async () => {
  for (const r of running) {
    await r.worker.close();
    await r.queue.obliterate();
    await r.smtp.close();
  }
  running = [];
});

describe('mail retries', () => {
  test('when the SMTP server fails twice, then the job retries with backoff and the mail arrives once', async () => {
    const { smtp, queue } = await setup({ failFirst: 2 }, 5);
    const jobId = uniqueId('retry');
    await queue.enqueue(jobId, { to: 'liu@school.example.cn', template: 'approved', params });

    await eventually(async () => ((await queue.queue.getJobState(jobId)) === 'completed' ? true : undefined), 'the job to complete');
    expect(smtp.refused).toBe(2);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].parsed.subject).toBe('【测试活动】报名已通过资格审核');
    const job = await queue.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(3);
  });

  test('when the SMTP server keeps failing, then the job ends failed with the SMTP error, after all its attempts', async () => {
    const { smtp, queue } = await setup({ failFirst: 1000 }, 3);
    const jobId = uniqueId('failing');
    await queue.enqueue(jobId, { to: 'liu@school.example.cn', template: 'approved', params });

    await eventually(async () => ((await queue.queue.getJobState(jobId)) === 'failed' ? true : undefined), 'the job to fail');
    const job = await queue.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(3);
    expect(job?.failedReason).toMatch(/451.*temporarily unable to accept mail/);
    expect(smtp.refused).toBe(3);
    expect(smtp.received).toHaveLength(0);
    // A retried activity finds the failed job and queues nothing new.
    await queue.enqueue(jobId, { to: 'liu@school.example.cn', template: 'approved', params });
    expect(await queue.queue.getJobState(jobId)).toBe('failed');
  });

  test('when the SMTP server refuses the mailbox for good (550), then the job fails at once without retrying', async () => {
    const { smtp, queue } = await setup({ failFirst: 1000, failCode: 550 }, 5);
    const jobId = uniqueId('permanent');
    await queue.enqueue(jobId, { to: 'nobody@school.example.cn', template: 'approved', params });

    await eventually(async () => ((await queue.queue.getJobState(jobId)) === 'failed' ? true : undefined), 'the job to fail');
    expect(smtp.refused).toBe(1);
    expect((await queue.queue.getJob(jobId))?.failedReason).toMatch(/550/);
  });
});
