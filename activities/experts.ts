import { createHash, randomBytes } from 'node:crypto';
import type { NominationState } from '../lib/rules/quota';
import type { Actor, Schedule } from '../lib/rules/schedule';
import type { ActivityDeps } from './deps';
import { MAIL_DEDUP_MS, mailJobId } from './mail/queue';
import { queueMail } from './notifications';

export interface NominationTransitionWrite {
  workflowId: string;
  nominationId: string;
  /** `<seq>:<event>`, unique per workflow: a retried write finds it and writes nothing. */
  eventKey: string;
  from: NominationState;
  to: NominationState;
  actor: Actor;
  reason?: string;
  details?: Record<string, unknown>;
  at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only the hash of an activation token is stored; the token itself exists only in the mail. */
export function invitationTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function activationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/experts/activate?token=${encodeURIComponent(token)}`;
}

interface NomineeMailRow {
  name: string;
  email: string;
  campaign: string;
  campaign_id: string;
  city: string;
  schedule: Schedule;
}

async function nominee(deps: ActivityDeps, nominationId: string): Promise<NomineeMailRow | undefined> {
  const [row] = await deps.orm.em.fork().getConnection().execute(
    `select n.name, n.email, c.name as campaign, c.id as campaign_id, ci.name as city, c.schedule
     from expert_nomination n join campaign c on c.id = n.campaign_id join city ci on ci.id = n.city_id where n.id = ?`,
    [nominationId],
  );
  return row as NomineeMailRow | undefined;
}

export function expertActivities(deps: ActivityDeps) {
  const { orm } = deps;
  return {
    /**
     * The transition row and the nomination's new state together or not at all. Activation
     * also enables the expert's account and puts it in the campaign's pool (campaign_expert);
     * activation or decline uses up every link of the invitation.
     */
    async recordNominationTransition(t: NominationTransitionWrite): Promise<{ written: boolean }> {
      const actorId = UUID.test(t.actor.accountId) ? t.actor.accountId : null;
      const accountId = typeof t.details?.accountId === 'string' ? t.details.accountId : null;
      const expiresAt = typeof t.details?.expiresAt === 'string' ? t.details.expiresAt : null;
      const written = await orm.em.fork().transactional(async (em) => {
        // em.execute runs on the transaction; em.getConnection().execute would run outside it.
        const conn = em;
        const rows = await conn.execute(
          `with ins as (
             insert into expert_nomination_transition (nomination_id, workflow_id, event_key, from_state, to_state, actor_account_id, actor_role, reason, details, at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
             on conflict (workflow_id, event_key) do nothing
             returning 1
           )
           update expert_nomination set
             state = ?,
             updated_at = now(),
             reason = case when ? in ('selected', 'rejected', 'declined', 'expired') then ? else reason end,
             decided_by = case when ? in ('selected', 'rejected') then ?::uuid else decided_by end,
             invitation_expires_at = coalesce(?::timestamptz, invitation_expires_at),
             account_id = coalesce(?::uuid, account_id),
             activated_at = case when ? = 'active' then ?::timestamptz else activated_at end
           where id = ? and exists (select 1 from ins)
           returning city_id, campaign_id`,
          [
            t.nominationId, t.workflowId, t.eventKey, t.from, t.to, actorId, t.actor.role, t.reason ?? null,
            JSON.stringify({ ...(t.details ?? {}), actorName: t.actor.name }), t.at,
            t.to, t.to, t.reason ?? null, t.to, actorId, expiresAt, accountId, t.to, t.at, t.nominationId,
          ],
        );
        if (rows.length === 0) return false;
        if (t.to === 'active' && accountId) {
          const { city_id: cityId, campaign_id: campaignId } = rows[0];
          await conn.execute(`update account set disabled = false, city_id = ?, updated_at = now() where id = ? and role = 'expert'`, [cityId, accountId]);
          await conn.execute(
            `insert into campaign_expert (campaign_id, account_id, city_id, nomination_id, active, activated_at) values (?, ?, ?, ?, true, ?)
             on conflict (campaign_id, account_id) do update set active = true, city_id = excluded.city_id, nomination_id = excluded.nomination_id, activated_at = excluded.activated_at`,
            [campaignId, accountId, cityId, t.nominationId, t.at],
          );
        }
        if (t.to === 'active' || t.to === 'declined') {
          await conn.execute(`update expert_invitation set used_at = ? where nomination_id = ? and used_at is null`, [t.at, t.nominationId]);
        }
        return true;
      });
      // Past the queue's dedup record (a reset replaying old steps), a rewrite queues nothing.
      if (written || Date.now() - Date.parse(t.at) < MAIL_DEDUP_MS) await notifyNominee(deps, t);
      return { written };
    },

    /**
     * 邀请: a fresh random token per attempt, stored hashed with the workflow's expiry, mailed
     * under the job id of the workflow's event. A retried attempt adds a token nobody receives
     * (the mail job is already there), so the one mailed always stays valid. Returns nothing:
     * activity results are kept in the workflow history, the token must not be.
     */
    async issueExpertInvitation(input: { workflowId: string; nominationId: string; eventKey: string; expiresAt: string }): Promise<void> {
      const token = randomBytes(32).toString('base64url');
      await orm.em.fork().getConnection().execute(
        `insert into expert_invitation (token_hash, nomination_id, workflow_id, event_key, expires_at) values (?, ?, ?, ?, ?)`,
        [invitationTokenHash(token), input.nominationId, input.workflowId, input.eventKey, input.expiresAt],
      );
      const row = await nominee(deps, input.nominationId);
      if (!row) return;
      await queueMail(deps, mailJobId(input.workflowId, input.eventKey), { email: row.email, mailReminders: true }, 'expert_selected', {
        name: row.name,
        campaign: row.campaign,
        link: activationLink(deps.mail.publicUrl, token),
        deadline: input.expiresAt,
      });
    },
  };
}

/** The nominee hears of its nomination and of a rejection; the invitation mails itself. */
async function notifyNominee(deps: ActivityDeps, t: NominationTransitionWrite): Promise<boolean> {
  const event = t.eventKey.slice(t.eventKey.indexOf(':') + 1);
  if (event !== 'nominated' && event !== 'rejected') return false;
  const row = await nominee(deps, t.nominationId);
  if (!row) return false;
  const to = { email: row.email, mailReminders: true };
  const link = `${deps.mail.publicUrl}/campaigns/${encodeURIComponent(row.campaign_id)}`;
  const jobId = mailJobId(t.workflowId, t.eventKey);
  if (event === 'nominated') {
    return queueMail(deps, jobId, to, 'expert_nomination_received', { name: row.name, campaign: row.campaign, link, city: row.city, deadline: row.schedule.windows.nomination.closesAt });
  }
  return queueMail(deps, jobId, to, 'expert_rejected', { name: row.name, campaign: row.campaign, link });
}
