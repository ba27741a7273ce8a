import { Queue, type JobsOptions } from 'bullmq';
import { MAIL_QUEUE } from '../../lib/queues';
import type { MailTemplate, TemplateParams } from './templates';

export { MAIL_QUEUE };

/**
 * One mail job: the address, the template and its parameters. Rendered by the mail worker
 * at send time, which keeps the jobs small (completed ones are kept a week for dedup).
 */
export type MailJob = {
  [K in MailTemplate]: { to: string; template: K; params: TemplateParams[K]; locale?: string };
}[MailTemplate];

/**
 * Where activities put mail. The job id makes enqueueing idempotent: a second enqueue
 * with an id the queue still holds (waiting, delayed, completed or failed) adds nothing.
 */
export interface MailQueue {
  enqueue(jobId: string, mail: MailJob): Promise<void>;
  close(): Promise<void>;
}

const DAY_S = 24 * 60 * 60;

export const MAIL_JOB_OPTIONS: JobsOptions = {
  // 30 s, 1 min, 2 min … ≈ 4 h in all before the job stays failed (retry it from the board).
  attempts: 10,
  backoff: { type: 'exponential', delay: 30_000, jitter: 0.2 },
  // Completed jobs are the dedup record for activity retries; a week outlasts any retry.
  removeOnComplete: { age: 7 * DAY_S },
  removeOnFail: { age: 30 * DAY_S },
};

/** How long an enqueue after the first is surely deduped by the kept job (a day of margin). */
export const MAIL_DEDUP_MS = 6 * DAY_S * 1000;

/**
 * A job id from its parts. BullMQ refuses ids with ':' (and all-digit ids), so parts are
 * joined with '.' and any ':' inside a part (the `<seq>:<event>` of an event key) becomes '.'.
 */
export function mailJobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/:/g, '.')).join('.');
}

export interface BullMailQueueOptions {
  redisUrl: string;
  /** BullMQ key prefix: REDIS_PREFIX (tests: their own). */
  prefix: string;
  /** Overrides of MAIL_JOB_OPTIONS (tests shorten the backoff). */
  jobOptions?: JobsOptions;
}

export function bullMailQueue(opts: BullMailQueueOptions): MailQueue & { queue: Queue } {
  const queue = new Queue(MAIL_QUEUE, {
    connection: { url: opts.redisUrl },
    prefix: opts.prefix,
    defaultJobOptions: { ...MAIL_JOB_OPTIONS, ...opts.jobOptions },
  });
  // Connection errors surface on enqueue (and so retry the activity); don't crash on the event.
  queue.on('error', () => undefined);
  return {
    queue,
    async enqueue(jobId, mail) {
      await queue.add(mail.template, mail, { jobId });
    },
    close: () => queue.close(),
  };
}
