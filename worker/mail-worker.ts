import { UnrecoverableError, Worker } from 'bullmq';
import { createTransport } from 'nodemailer';
import { MAIL_QUEUE, type MailJob } from '../activities/mail/queue';
import { renderMail, type MailTemplate } from '../activities/mail/templates';

export interface MailWorkerOptions {
  redisUrl: string;
  /** BullMQ key prefix, the same as the producers'. */
  prefix: string;
  /** smtp://, smtps:// (query options such as ?pool=true as nodemailer reads them). */
  smtpUrl: string;
  from: string;
  concurrency?: number;
  log?: (msg: string) => void;
}

export interface MailWorker {
  worker: Worker<MailJob>;
  close(): Promise<void>;
}

/** SMTP answers that retrying cannot change: no such mailbox, refused message (550–554). */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number } | null)?.responseCode;
  return typeof code === 'number' && code >= 550 && code <= 554;
}

/** A Message-ID fixed per job, so a resend after a crash mid-send is recognisable downstream. */
function messageIdFor(jobId: string | undefined, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'learning-space.local';
  return `<${(jobId ?? String(Date.now())).replace(/[^A-Za-z0-9._-]/g, '_')}@${domain}>`;
}

/**
 * Consumes the `email` queue: renders each job's template and sends it over SMTP.
 * Transient failures throw and BullMQ retries with the job's backoff; after the last
 * attempt the job stays in `failed` with the SMTP error as its reason (see bull-board).
 */
export function startMailWorker(o: MailWorkerOptions): MailWorker {
  const log = o.log ?? ((msg: string) => console.error(`[mail] ${msg}`));
  const transport = createTransport(o.smtpUrl);
  const worker = new Worker<MailJob>(
    MAIL_QUEUE,
    async (job) => {
      let mail;
      try {
        mail = renderMail<MailTemplate>(job.data.template, job.data.params, job.data.locale);
      } catch (err) {
        throw new UnrecoverableError(`cannot render ${job.data.template}: ${(err as Error).message}`);
      }
      try {
        const info = await transport.sendMail({
          from: o.from,
          to: job.data.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: messageIdFor(job.id, o.from),
          headers: { 'X-Mail-Template': job.data.template },
        });
        return { messageId: info.messageId, response: info.response };
      } catch (err) {
        if (isPermanent(err)) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    },
    { connection: { url: o.redisUrl }, prefix: o.prefix, concurrency: o.concurrency ?? 5 },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
    log(`${job.id} ${final ? 'failed for good' : `attempt ${job.attemptsMade} failed, will retry`}: ${err.message}`);
  });
  // Redis connection trouble is retried by the client; report it, never crash on the event.
  worker.on('error', (err) => log(`queue error: ${err.message}`));
  return {
    worker,
    async close() {
      await worker.close();
      transport.close();
    },
  };
}
