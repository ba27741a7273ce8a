import { simpleParser, type ParsedMail } from 'mailparser';
import type { JobsOptions } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { bullMailQueue } from '../../activities/mail/queue';
import { uniqueId } from './db';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A BullMQ key prefix of this run and this caller (TEST_REDIS_PREFIX + a unique part). */
export function testQueuePrefix(label: string): string {
  const run = process.env.TEST_REDIS_PREFIX;
  if (!run) throw new Error('TEST_REDIS_PREFIX is not set: run through jest (test/global-setup.ts)');
  return `${run}-${uniqueId(label)}`;
}

/** The real mail queue (BullMQ on the test Redis) under its own prefix; `obliterate()` clears it. */
export function testMailQueue(label: string, jobOptions?: JobsOptions) {
  const prefix = testQueuePrefix(label);
  const q = bullMailQueue({ redisUrl: TEST_REDIS_URL, prefix, jobOptions });
  return {
    ...q,
    prefix,
    async obliterate() {
      await q.queue.obliterate({ force: true });
      await q.close();
    },
  };
}

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** DATA attempts refused so far (the failing mode). */
  refused: number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free port. `failFirst: n` answers the first n messages with
 * `failCode` (default 451, a temporary failure, as a mail server under trouble does).
 */
export async function startTestSmtp(opts: { failFirst?: number; failCode?: number } = {}): Promise<TestSmtp> {
  const state = { received: [] as ReceivedMail[], refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.refused < (opts.failFirst ?? 0)) {
          state.refused += 1;
          const code = opts.failCode ?? 451;
          const err = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'temporarily unable to accept mail'), { responseCode: code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            state.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: raw.toString('utf8'), parsed });
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
  return {
    url: `smtp://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
