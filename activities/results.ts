// The publication workflow's activities (公示, 异议, 奖项): the results snapshot, the fan-outs to
// the entrants' lifecycles, the notice's extensions and the settlement of objections. Each is
// idempotent: the snapshot is written once per campaign, fan-outs resume from the cursor in
// their heartbeat and re-signalling a lifecycle is harmless (its handlers ignore a signal that
// does not fit its state), and every row written is keyed.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { computeResults } from '../api/services/results';
import { inTransaction, type Run } from '../db/transaction';
import { parseCampaignConfig } from '../lib/campaign-config';
import { placeByCutoffs, primaryAward, rankAmong, type AwardTier, type TierCutoff } from '../lib/rules/awards';
import type { Actor } from '../lib/rules/schedule';
import { DAY_MS } from '../lib/time';
import { finalisedSignal, publishedSignal } from '../workflows/entrant-lifecycle';
import type { ActivityDeps } from './deps';
import { mailJobId } from './mail/queue';
import { queueMailToAccount } from './notifications';
import { reviewActivities } from './review';

const PAGE = 200;
// Small: each signal makes its lifecycle record a transition, and each of those holds pooled connections.
const SIGNAL_CONCURRENCY = 4;
/** Signals per second a fan-out sends at most: ~2,000 entrants take ~10 s, and the server never sees a burst. */
const SIGNAL_RATE = 200;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const actorId = (a: Actor) => (UUID.test(a.accountId) ? a.accountId : null);

export interface SnapshotInput {
  campaignId: string;
  workflowId: string;
  actor: Actor;
  reason: string;
  /** The workflow's clock at publication. */
  publishedAt: string;
}

export interface SnapshotResult {
  publishedAt: string;
  noticeEndsAt: string;
  entrants: number;
}

export interface FinaliseResult {
  /** Results finalised by this call. */
  finalised: number;
  /** Results still held: an open objection, a settlement not yet applied, or a review not yet complete. */
  held: number;
  /** Of the held: waiting for a (re-)review to complete. */
  awaitingReview: number;
  final: boolean;
}

interface Paced {
  send(work: () => Promise<void>): Promise<void>;
  flush(): Promise<void>;
}

/** At most SIGNAL_CONCURRENCY at once and SIGNAL_RATE per second, heartbeating as it waits. */
function pacer(ctx: Context, heartbeat: () => unknown): Paced {
  const started = Date.now();
  let sent = 0;
  let batch: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(batch);
    batch = [];
    const due = started + (sent * 1000) / SIGNAL_RATE;
    if (due > Date.now()) await ctx.sleep(due - Date.now());
    ctx.heartbeat(heartbeat());
  };
  return {
    async send(work) {
      sent += 1;
      batch.push(work());
      if (batch.length >= SIGNAL_CONCURRENCY) await flush();
    },
    flush,
  };
}

/** Signals a lifecycle; one that has already ended has nothing more to learn. */
async function signalLifecycle(deps: ActivityDeps, workflowId: string, send: (h: ReturnType<ActivityDeps['temporal']['workflow']['getHandle']>) => Promise<void>): Promise<boolean> {
  try {
    await send(deps.temporal.workflow.getHandle(workflowId));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

interface OpenResult {
  entrant_id: string;
  workflow_id: string;
  state: string;
  ranking_key: string;
  final_score: string;
  award: AwardTier | null;
  special_awards: string[];
  awaiting_review_since: Date | null;
  open_objections: number;
  unapplied: number;
  rereviewed_score: number | null;
}

/** A re-placed entrant: its new score against the published cut-offs, its rank among the others. */
async function replace(run: Run, campaignId: string, entrantId: string, score: number): Promise<{ award: AwardTier | null; rank: number }> {
  const [row] = await run(
    `select r.ranking_key, p.cutoffs, c.config from result r join publication p on p.campaign_id = r.campaign_id join campaign c on c.id = r.campaign_id where r.entrant_id = ?`,
    [entrantId],
  );
  const cutoffs = ((row.cutoffs as Record<string, TierCutoff[]>)[row.ranking_key] ?? []) as TierCutoff[];
  const boostWeight = parseCampaignConfig(row.config).ranking.boostWeight;
  const others = await run(
    `select r.entrant_id as id, r.final_score, r.votes, r.accepted_boosts, e.registered_at from result r join entrant e on e.id = r.entrant_id
      where r.campaign_id = ? and r.ranking_key = ? and r.entrant_id <> ? and coalesce(r.outcome, '') <> 'disqualified'`,
    [campaignId, row.ranking_key, entrantId],
  );
  const [me] = await run(`select r.votes, r.accepted_boosts, e.registered_at from result r join entrant e on e.id = r.entrant_id where r.entrant_id = ?`, [entrantId]);
  const rank = rankAmong(
    { id: entrantId, finalScore: score, votes: me.votes, acceptedBoosts: me.accepted_boosts, registeredAt: me.registered_at },
    others.map((o) => ({ id: o.id, finalScore: Number(o.final_score), votes: o.votes, acceptedBoosts: o.accepted_boosts, registeredAt: o.registered_at })),
    boostWeight,
  );
  return { award: placeByCutoffs(score, cutoffs), rank };
}

export function resultsActivities(deps: ActivityDeps) {
  const { orm } = deps;

  const objectionLink = (id: string) => `${deps.mail.publicUrl}/objections/${id}`;
  const review = reviewActivities(deps);

  /**
   * An objection upheld with a re-review: new experts for a new round (their list goes to the
   * lifecycle, which the settlement already sent back to in_review). Before the settlement is
   * marked applied, and keyed by the objection, so a retry draws nothing twice.
   */
  async function drawReReview(objectionId: string): Promise<void> {
    const [o] = await orm.em.fork().getConnection().execute(
      `select o.campaign_id, o.entrant_id, o.settled_by, o.settler_role, o.settlement_reason, o.settled_at, a.display_name
         from objection o left join account a on a.id = o.settled_by
        where o.id = ? and o.state = 'upheld' and o.action = 'rereview' and o.applied_at is null`,
      [objectionId],
    );
    if (!o) return;
    await review.drawReReview({
      campaignId: o.campaign_id,
      entrantId: o.entrant_id,
      objectionId,
      at: new Date(o.settled_at).getTime(),
      actor: { accountId: o.settled_by, role: o.settler_role, name: o.display_name ?? undefined },
      reason: o.settlement_reason ?? '异议成立，重新评审',
    });
  }

  return {
    /**
     * The published list: every reviewed entrant's rank, score and awards, the group awards and
     * the tier cut-offs, with the publication row, in one transaction. A retry finds the
     * publication and writes nothing.
     */
    async snapshotResults(input: SnapshotInput): Promise<SnapshotResult> {
      const conn = orm.em.fork().getConnection();
      const existing = async (): Promise<SnapshotResult | undefined> => {
        const [p] = await conn.execute(`select published_at, notice_ends_at, (select count(*)::int from result where campaign_id = ?) as n from publication where campaign_id = ?`, [input.campaignId, input.campaignId]);
        return p ? { publishedAt: new Date(p.published_at).toISOString(), noticeEndsAt: new Date(p.notice_ends_at).toISOString(), entrants: p.n } : undefined;
      };
      const found = await existing();
      if (found) return found;
      const at = new Date(input.publishedAt);
      const computed = await computeResults(orm, input.campaignId, at);
      if (computed.entrants.length === 0) throw ApplicationFailure.nonRetryable('there is no reviewed entrant to publish', 'Conflict');
      const [c] = await conn.execute(`select config from campaign where id = ?`, [input.campaignId]);
      const noticeDays = parseCampaignConfig(c.config).noticeDays;
      const noticeEndsAt = new Date(at.getTime() + noticeDays * DAY_MS).toISOString();
      await inTransaction(orm, async (run) => {
        const inserted = await run(
          `insert into publication (campaign_id, workflow_id, state, published_at, published_by, published_role, reason, notice_days, notice_ends_at, cutoffs)
           values (?, ?, 'notice', ?, ?, ?, ?, ?, ?, ?::jsonb) on conflict (campaign_id) do nothing returning 1`,
          [input.campaignId, input.workflowId, input.publishedAt, actorId(input.actor), input.actor.role, input.reason, noticeDays, noticeEndsAt, JSON.stringify(computed.cutoffs)],
        );
        if (inserted.length === 0) return;
        await run(
          `insert into publication_event (campaign_id, event_key, kind, actor_account_id, actor_role, reason, details, at) values (?, 'published', 'published', ?, ?, ?, ?::jsonb, ?)`,
          [input.campaignId, actorId(input.actor), input.actor.role, input.reason, JSON.stringify({ actorName: input.actor.name, entrants: computed.entrants.length, noticeDays, noticeEndsAt, pendingInReview: computed.pending.inReview }), input.publishedAt],
        );
        await run(
          `insert into result (entrant_id, campaign_id, category, ranking_group, stage, ranking_key, school_id, county_id, city_id, votes, accepted_boosts, ranking_score,
                               published_score, published_rank, published_award, final_score, rank, award, special_awards, talent_score, published_at)
           select x.entrant_id, ?, x.category, x.ranking_group, x.stage, x.ranking_key, x.school_id, x.county_id, x.city_id, x.votes, x.accepted_boosts, x.ranking_score,
                  x.final_score, x.rank, x.award, x.final_score, x.rank, x.award, x.special_awards, x.talent_score, ?
             from jsonb_to_recordset(?::jsonb) as x(entrant_id uuid, category text, ranking_group text, stage text, ranking_key text, school_id int, county_id int, city_id int,
                                                   votes int, accepted_boosts int, ranking_score numeric, final_score numeric, rank int, award text, special_awards text[], talent_score numeric)`,
          [
            input.campaignId,
            input.publishedAt,
            JSON.stringify(
              computed.entrants.map((e) => ({
                entrant_id: e.entrantId,
                category: e.category,
                ranking_group: e.group,
                stage: e.stage,
                ranking_key: e.rankingKey,
                school_id: e.schoolId,
                county_id: e.countyId,
                city_id: e.cityId,
                votes: e.votes,
                accepted_boosts: e.acceptedBoosts,
                ranking_score: e.rankingScore,
                final_score: e.finalScore,
                rank: e.rank,
                award: e.award,
                special_awards: e.specialAwards,
                talent_score: e.talentScore,
              })),
            ),
          ],
        );
        const units = [...computed.groupAwards.cities, ...computed.groupAwards.counties, ...computed.groupAwards.schools];
        if (units.length > 0) {
          await run(
            `insert into award_group (campaign_id, level, unit_id, unit_code, unit_name, award, rank, score, figures, published_at)
             select ?, x.level, x.unit_id, x.unit_code, x.unit_name, x.award, x.rank, x.score, x.figures, ?
               from jsonb_to_recordset(?::jsonb) as x(level text, unit_id int, unit_code text, unit_name text, award text, rank int, score numeric, figures jsonb)`,
            [input.campaignId, input.publishedAt, JSON.stringify(units.map((u) => ({ level: u.level, unit_id: u.id, unit_code: u.code, unit_name: u.name, award: u.award, rank: u.rank, score: u.score, figures: u.figures })))],
          );
        }
      });
      return (await existing())!;
    },

    /** 公示: every entrant of the published list learns it (reviewed → published), in paced pages. */
    async announceResults(input: { campaignId: string; actor: Actor }): Promise<{ signalled: number }> {
      const ctx = Context.current();
      const conn = orm.em.fork().getConnection();
      let cursor: string = (ctx.info.heartbeatDetails as { cursor?: string } | undefined)?.cursor ?? FIRST_ID;
      let signalled = 0;
      const pace = pacer(ctx, () => ({ cursor }));
      for (;;) {
        const page: { entrant_id: string; workflow_id: string }[] = await conn.execute(
          `select r.entrant_id, e.workflow_id from result r join entrant e on e.id = r.entrant_id where r.campaign_id = ? and r.entrant_id > ? order by r.entrant_id limit ?`,
          [input.campaignId, cursor, PAGE],
        );
        if (page.length === 0) break;
        for (const r of page) {
          await pace.send(async () => {
            if (await signalLifecycle(deps, r.workflow_id, (h) => h.signal(publishedSignal, { actor: input.actor }))) signalled += 1;
          });
        }
        cursor = page[page.length - 1].entrant_id;
        await pace.flush();
      }
      return { signalled };
    },

    /** A province admin's extension of the notice period, with who and why. */
    async recordNoticeExtension(input: { campaignId: string; n: number; until: string; actor: Actor; reason: string; at: string }): Promise<void> {
      await inTransaction(orm, async (run) => {
        const [before] = await run(`select notice_ends_at from publication where campaign_id = ? for update`, [input.campaignId]);
        const written = await run(
          `insert into publication_event (campaign_id, event_key, kind, actor_account_id, actor_role, reason, details, at)
           values (?, ?, 'notice_extended', ?, ?, ?, ?::jsonb, ?) on conflict (campaign_id, event_key) do nothing returning 1`,
          [input.campaignId, `extended:${input.n}`, actorId(input.actor), input.actor.role, input.reason, JSON.stringify({ actorName: input.actor.name, before: before?.notice_ends_at, until: input.until }), input.at],
        );
        if (written.length > 0) await run(`update publication set notice_ends_at = ? where campaign_id = ? and state = 'notice'`, [input.until, input.campaignId]);
      });
    },

    /**
     * Objections news: mails each new filer its receipt, and applies each settlement to the
     * result it concerns (lib/rules/awards.ts: only that entrant changes), then mails the filer
     * the outcome. Mail job ids carry the objection id, so a retry queues nothing twice.
     */
    async processObjections(input: { campaignId: string }): Promise<{ acknowledged: number; applied: number }> {
      const conn = orm.em.fork().getConnection();
      const [campaign] = await conn.execute(`select c.name, p.notice_ends_at from campaign c join publication p on p.campaign_id = c.id where c.id = ?`, [input.campaignId]);
      if (!campaign) return { acknowledged: 0, applied: 0 };
      let acknowledged = 0;
      let applied = 0;
      for (;;) {
        const filed = await conn.execute(
          `select o.id, o.filed_by, e.name as about, a.display_name from objection o join entrant e on e.id = o.entrant_id join account a on a.id = o.filed_by
            where o.campaign_id = ? and o.acknowledged_at is null order by o.filed_at, o.id limit ?`,
          [input.campaignId, PAGE],
        );
        for (const o of filed) {
          await queueMailToAccount(deps, mailJobId('objection', o.id, 'filed'), o.filed_by, 'objection_filed', {
            name: o.display_name,
            campaign: campaign.name,
            link: objectionLink(o.id),
            about: o.about,
            deadline: new Date(campaign.notice_ends_at).toISOString(),
          });
          await conn.execute(`update objection set acknowledged_at = now() where id = ?`, [o.id]);
          acknowledged += 1;
        }
        if (filed.length < PAGE) break;
      }
      for (;;) {
        const settled = await conn.execute(
          `select o.id from objection o where o.campaign_id = ? and o.state <> 'open' and o.applied_at is null order by o.settled_at, o.id limit ?`,
          [input.campaignId, PAGE],
        );
        for (const { id } of settled) {
          await drawReReview(id);
          const mail = await inTransaction(orm, async (run) => {
            const [o] = await run(
              `select o.*, e.name as about, a.display_name from objection o join entrant e on e.id = o.entrant_id join account a on a.id = o.filed_by
                where o.id = ? and o.applied_at is null for update of o`,
              [id],
            );
            if (!o) return undefined;
            await run(`select 1 from result where entrant_id = ? for update`, [o.entrant_id]);
            if (o.state === 'upheld' && o.action === 'disqualify') {
              await run(
                `update result set award = null, special_awards = '{}', outcome = 'disqualified', final = true, finalised_at = coalesce(finalised_at, now()) where entrant_id = ?`,
                [o.entrant_id],
              );
            } else if (o.state === 'upheld' && o.action === 'correct') {
              const score = Number(o.corrected_score);
              const placed = await replace(run, input.campaignId, o.entrant_id, score);
              await run(`update result set final_score = ?, award = ?, rank = ? where entrant_id = ? and not final`, [score, placed.award, placed.rank, o.entrant_id]);
            } else if (o.state === 'upheld' && o.action === 'rereview') {
              await run(`update result set awaiting_review_since = ? where entrant_id = ? and not final`, [o.settled_at, o.entrant_id]);
            }
            await run(`update objection set applied_at = now() where id = ?`, [id]);
            return o;
          });
          if (!mail) continue;
          await queueMailToAccount(deps, mailJobId('objection', mail.id, 'settled'), mail.filed_by, 'objection_settled', {
            name: mail.display_name,
            campaign: campaign.name,
            link: objectionLink(mail.id),
            about: mail.about,
            outcome: mail.state === 'upheld' ? 'upheld' : 'dismissed',
            reason: mail.settlement_reason ?? '',
          });
          applied += 1;
        }
        if (settled.length < PAGE) break;
      }
      return { acknowledged, applied };
    },

    /**
     * The notice is over: closes filing (state finalising, in the same row lock objections are
     * filed under), then tells every result's lifecycle its award (published → awarded /
     * not_awarded) in paced pages — except one held by an open objection, a settlement not yet
     * applied, or a review not yet complete. When nothing is held, the publication is final.
     */
    async finaliseResults(input: { campaignId: string; actor: Actor }): Promise<FinaliseResult> {
      const ctx = Context.current();
      const now = () => new Date().toISOString();
      await inTransaction(orm, async (run) => {
        const moved = await run(`update publication set state = 'finalising' where campaign_id = ? and state = 'notice' returning notice_ends_at`, [input.campaignId]);
        if (moved.length > 0) {
          await run(
            `insert into publication_event (campaign_id, event_key, kind, actor_account_id, actor_role, details, at) values (?, 'finalising', 'finalising', ?, ?, ?::jsonb, ?)
             on conflict (campaign_id, event_key) do nothing`,
            [input.campaignId, actorId(input.actor), input.actor.role, JSON.stringify({ actorName: input.actor.name, noticeEndedAt: moved[0].notice_ends_at }), now()],
          );
        }
      });
      const conn = orm.em.fork().getConnection();
      let cursor: string = (ctx.info.heartbeatDetails as { cursor?: string } | undefined)?.cursor ?? FIRST_ID;
      let finalised = 0;
      const pace = pacer(ctx, () => ({ cursor }));
      const finish = (entrantId: string, outcome: 'awarded' | 'not_awarded' | 'disqualified', extra: { score?: number; award?: AwardTier | null; rank?: number } = {}) => {
        const disqualified = outcome === 'disqualified';
        return conn.execute(
          `update result set final = true, finalised_at = now(), outcome = ?, awaiting_review_since = null,
                  final_score = coalesce(?::numeric, final_score), rank = coalesce(?::int, rank),
                  award = case when ?::boolean then ?::text else award end,
                  special_awards = case when ?::boolean then '{}' else special_awards end
            where entrant_id = ? and not final`,
          [outcome, extra.score ?? null, extra.rank ?? null, disqualified || 'award' in extra, disqualified ? null : (extra.award ?? null), disqualified, entrantId],
        );
      };

      for (;;) {
        const page = (await conn.execute(
          `select r.entrant_id, e.workflow_id, e.state, r.ranking_key, r.final_score, r.award, r.special_awards, r.awaiting_review_since,
                  (select count(*)::int from objection o where o.entrant_id = r.entrant_id and o.state = 'open') as open_objections,
                  (select count(*)::int from objection o where o.entrant_id = r.entrant_id and o.state <> 'open' and o.applied_at is null) as unapplied,
                  (select (t.details->>'finalScore')::float8 from entrant_transition t
                    where r.awaiting_review_since is not null and t.entrant_id = r.entrant_id and t.workflow_id = e.workflow_id
                      and t.event_key like '%:review_complete' and t.at >= r.awaiting_review_since
                    order by split_part(t.event_key, ':', 1)::int desc limit 1) as rereviewed_score
             from result r join entrant e on e.id = r.entrant_id
            where r.campaign_id = ? and not r.final and r.entrant_id > ? order by r.entrant_id limit ?`,
          [input.campaignId, cursor, PAGE],
        )) as OpenResult[];
        if (page.length === 0) break;
        for (const r of page) {
          if (r.open_objections > 0 || r.unapplied > 0) continue;
          if (r.state === 'disqualified' || r.state === 'withdrawn') {
            await finish(r.entrant_id, 'disqualified');
            finalised += 1;
            continue;
          }
          // Re-review pending, or reopened by another path (a fourth review): it comes back reviewed.
          if ((r.awaiting_review_since && r.rereviewed_score === null) || r.state === 'in_review') continue;
          let extra: { score?: number; award?: AwardTier | null; rank?: number } = {};
          if (r.rereviewed_score !== null) {
            const score = Number(r.rereviewed_score);
            extra = { score, ...(await inTransaction(orm, (run) => replace(run, input.campaignId, r.entrant_id, score))) };
          }
          const tier = 'award' in extra ? (extra.award ?? null) : r.award;
          const award = primaryAward(tier, r.special_awards);
          if (r.state === 'reviewed' || r.state === 'published') {
            await pace.send(async () => {
              await signalLifecycle(deps, r.workflow_id, async (h) => {
                // A re-reviewed entrant is reviewed again: published first, then its award.
                if (r.state === 'reviewed' || r.rereviewed_score !== null) await h.signal(publishedSignal, { actor: input.actor });
                await h.signal(finalisedSignal, { award, actor: input.actor });
              });
              await finish(r.entrant_id, award ? 'awarded' : 'not_awarded', extra);
            });
          } else {
            // Already awarded / not_awarded (a retried page): only the row is left to write.
            await finish(r.entrant_id, r.state === 'awarded' ? 'awarded' : 'not_awarded', extra);
          }
          finalised += 1;
        }
        cursor = page[page.length - 1].entrant_id;
        await pace.flush();
      }
      // Counted afresh: a retried attempt resumes past rows the first one saw.
      const [{ held, awaiting_review: awaitingReview }] = await conn.execute(
        `select count(*)::int as held,
                count(*) filter (where r.awaiting_review_since is not null or e.state = 'in_review')::int as awaiting_review
           from result r join entrant e on e.id = r.entrant_id where r.campaign_id = ? and not r.final`,
        [input.campaignId],
      );
      if (held === 0) {
        await inTransaction(orm, async (run) => {
          const done = await run(`update publication set state = 'final', finalised_at = now() where campaign_id = ? and state = 'finalising' returning 1`, [input.campaignId]);
          if (done.length > 0) {
            await run(
              `insert into publication_event (campaign_id, event_key, kind, actor_account_id, actor_role, details, at) values (?, 'final', 'final', ?, ?, ?::jsonb, ?)
               on conflict (campaign_id, event_key) do nothing`,
              [input.campaignId, actorId(input.actor), input.actor.role, JSON.stringify({ actorName: input.actor.name }), now()],
            );
          }
        });
      }
      return { finalised, held, awaitingReview, final: held === 0 };
    },
  };
}
