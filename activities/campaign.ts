import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { isEnding, ENTRANT_STATES } from '../lib/rules/entrant-state';
import type { Schedule, ScheduleChange } from '../lib/rules/schedule';
import { scheduleChangedSignal } from '../workflows/entrant-lifecycle';
import { inTransaction } from '../db/transaction';
import type { ActivityDeps } from './deps';

const OPEN_STATES = ENTRANT_STATES.filter((s) => !isEnding(s));
const BROADCAST_PAGE = 500;
const BROADCAST_CONCURRENCY = 20;

export function campaignActivities({ orm, temporal }: ActivityDeps) {
  return {
    /** Writes the effective schedule (only forward in version) and the change that made it. */
    async saveSchedule(input: { campaignId: string; schedule: Schedule; change?: ScheduleChange }): Promise<void> {
      await inTransaction(orm, async (run) => {
        const updated = await run(
          `update campaign set schedule = ?::jsonb, updated_at = now()
           where id = ? and coalesce((schedule->>'version')::int, 0) <= ?
           returning id`,
          [JSON.stringify(input.schedule), input.campaignId, input.schedule.version],
        );
        if (updated.length === 0) {
          const exists = await run(`select 1 from campaign where id = ?`, [input.campaignId]);
          if (exists.length === 0) throw ApplicationFailure.nonRetryable(`campaign ${input.campaignId} not found`, 'NotFound');
        }
        if (input.change) {
          await run(
            `insert into campaign_event (campaign_id, seq, change, at) values (?, ?, ?::jsonb, ?)
             on conflict (campaign_id, seq) do nothing`,
            [input.campaignId, input.change.seq, JSON.stringify(input.change), input.change.at],
          );
        }
      });
    },

    async recordCampaignEvent(input: { campaignId: string; change: ScheduleChange }): Promise<void> {
      await orm.em.fork().getConnection().execute(
        `insert into campaign_event (campaign_id, seq, change, at) values (?, ?, ?::jsonb, ?)
         on conflict (campaign_id, seq) do nothing`,
        [input.campaignId, input.change.seq, JSON.stringify(input.change), input.change.at],
      );
    },

    /**
     * Tells every open entrant of the campaign the effective schedule, in pages, with the
     * cursor in the heartbeat so a retry resumes where the last attempt stopped.
     */
    async broadcastSchedule(input: { campaignId: string; version: number }): Promise<{ signalled: number }> {
      const ctx = Context.current();
      const conn = orm.em.fork().getConnection();
      const [row] = await conn.execute(`select schedule from campaign where id = ?`, [input.campaignId]);
      if (!row) throw ApplicationFailure.nonRetryable(`campaign ${input.campaignId} not found`, 'NotFound');
      const schedule = row.schedule as Schedule;
      let cursor: string = (ctx.info.heartbeatDetails as { cursor?: string } | undefined)?.cursor ?? '00000000-0000-0000-0000-000000000000';
      let signalled = 0;
      for (;;) {
        const page: { id: string; workflow_id: string }[] = await conn.execute(
          `select id, workflow_id from entrant where campaign_id = ? and state = any(?::text[]) and id > ? order by id limit ?`,
          [input.campaignId, `{${OPEN_STATES.join(',')}}`, cursor, BROADCAST_PAGE],
        );
        if (page.length === 0) break;
        for (let i = 0; i < page.length; i += BROADCAST_CONCURRENCY) {
          await Promise.all(
            page.slice(i, i + BROADCAST_CONCURRENCY).map(async (e) => {
              try {
                await temporal.workflow.getHandle(e.workflow_id).signal(scheduleChangedSignal, schedule);
                signalled += 1;
              } catch (err) {
                // Not started yet (it will read the schedule at start) or already ended.
                if (!(err instanceof WorkflowNotFoundError)) throw err;
              }
            }),
          );
        }
        cursor = page[page.length - 1].id;
        ctx.heartbeat({ cursor });
      }
      return { signalled };
    },
  };
}
