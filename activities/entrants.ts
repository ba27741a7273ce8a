import { ApplicationFailure } from '@temporalio/activity';
import type { EntrantState } from '../lib/rules/entrant-state';
import type { Actor, Schedule } from '../lib/rules/schedule';
import { inTransaction } from '../db/transaction';
import type { ActivityDeps } from './deps';
import { MAIL_DEDUP_MS } from './mail/queue';
import { notifyTransition } from './notifications';

export interface TransitionWrite {
  workflowId: string;
  entrantId: string;
  /** Unique per workflow: `<seq>:<event>`; a retried write finds it and writes nothing. */
  eventKey: string;
  from: EntrantState;
  to: EntrantState;
  actor: Actor;
  reason?: string;
  details?: Record<string, unknown>;
  at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function entrantActivities(deps: ActivityDeps) {
  const { orm } = deps;
  return {
    async loadSchedule(input: { campaignId: string }): Promise<Schedule> {
      const [row] = await orm.em.fork().getConnection().execute(`select schedule from campaign where id = ?`, [input.campaignId]);
      if (!row) throw ApplicationFailure.nonRetryable(`campaign ${input.campaignId} not found`, 'NotFound');
      return row.schedule as Schedule;
    },

    /**
     * The transition log row and the entrant's state change, together or not at all; then
     * the transition's mail is queued — also when the row was already there (a retry after
     * the write), since the mail job's id is the transition's and dedupes.
     */
    async recordTransition(t: TransitionWrite): Promise<{ written: boolean }> {
      const recommended = typeof t.details?.recommended === 'boolean' ? t.details.recommended : null;
      const edits = (t.details?.edits ?? null) as Record<string, string> | null;
      const result = await inTransaction(orm, async (run) => {
        const rows = await run(
          `with ins as (
             insert into entrant_transition (entrant_id, workflow_id, event_key, from_state, to_state, actor_account_id, actor_role, reason, details, at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
             on conflict (workflow_id, event_key) do nothing
             returning 1
           )
           update entrant set
             state = ?,
             updated_at = now(),
             approved_at = case when ? = 'approved' then ?::timestamptz else approved_at end,
             last_reason = case when ? in ('rejected', 'expired', 'withdrawn', 'disqualified') then ? else last_reason end,
             recommended = coalesce(?::boolean, recommended)
           where id = ? and exists (select 1 from ins)
           returning 1 as written`,
          [
            t.entrantId,
            t.workflowId,
            t.eventKey,
            t.from,
            t.to,
            UUID.test(t.actor.accountId) ? t.actor.accountId : null,
            t.actor.role,
            t.reason ?? null,
            t.details ? JSON.stringify({ ...t.details, actorName: t.actor.name }) : t.actor.name ? JSON.stringify({ actorName: t.actor.name }) : null,
            t.at,
            t.to,
            t.to,
            t.at,
            t.to,
            t.reason ?? null,
            recommended,
            t.entrantId,
          ],
        );
        if (rows.length > 0 && edits) {
          // A resubmission's corrections, applied with the transition that carries them.
          await run(
            `update entrant set name = coalesce(?, name), subject = coalesce(?, subject), stage = coalesce(?, stage),
               space_url = coalesce(?, space_url), platform = coalesce(?, platform), browse_credentials = coalesce(?, browse_credentials)
             where id = ?`,
            [edits.name ?? null, edits.subject ?? null, edits.stage ?? null, edits.spaceUrl ?? null, edits.platform ?? null, edits.browseCredentials ?? null, t.entrantId],
          );
        }
        return { written: rows.length > 0 };
      });
      // Past the queue's dedup record (a reset replaying old steps), a rewrite queues nothing.
      if (result.written || Date.now() - Date.parse(t.at) < MAIL_DEDUP_MS) await notifyTransition(deps, t);
      return result;
    },
  };
}
