import type { Client } from '@temporalio/client';
import type { Orm } from '../db/orm';
import type { MailQueue } from './mail/queue';

/** What activities are built from; tests pass their own. */
export interface ActivityDeps {
  orm: Orm;
  temporal: Client;
  /** Mail is only queued here; worker/mail-worker.ts sends it. publicUrl: the base of links in mails. */
  mail: { queue: MailQueue; publicUrl: string };
}
