// Public voting (公众投票, SPEC §4): the hot path, straight to PostgreSQL, never Temporal.
//
// One statement per batch of votes (CAST_VOTES_SQL; a batch is one vote when the API is quiet):
// it reads each vote's entrant, its campaign's vote policy and the effective voting window
// (campaign.schedule, kept current by the campaign workflow), inserts the vote only if the entrant
// is approved and the vote's instant lies inside the window, and bumps the entrants' tallies by
// what was inserted — in the statement's own transaction. The once-a-day limits are the partial
// unique indexes on vote (ON CONFLICT DO NOTHING: no check-then-insert race), so
// entrant_tally.votes equals the count of the entrant's vote rows after every commit.
//
// The tally is one row per entrant, bumped in place: a very popular entrant serialises its
// batches on that row for the length of a commit. Batching is what keeps that affordable (one
// lock and one commit per batch, not per vote); bench/votes.ts prints the single-entrant rate
// beside the spread one. It keeps the tally exact without a rollup that the review selection
// would have to wait for.
import { randomBytes } from 'node:crypto';
import type { PoolClient, QueryResult } from 'pg';
import type { Orm } from '../../db/orm';
import { AppError } from '../../lib/errors';
import type { EntrantState } from '../../lib/rules/entrant-state';
import type { Window } from '../../lib/rules/schedule';
import { refusalMessage, voteWindowRefusal, type VotePolicy, type VoteRefusal } from '../../lib/rules/vote-limit';
import { addDays, shanghaiDay, shanghaiMidnight } from '../../lib/time';

/**
 * A query on a pooled driver connection as a named prepared statement: the vote path runs the
 * same few statements thousands of times a second, and skipping re-planning and the ORM's query
 * builder is most of what separates it from the raw ceiling. Shares the ORM's pool.
 */
export async function hotQuery<R extends Record<string, any> = Record<string, any>>(orm: Orm, name: string, text: string, values: unknown[]): Promise<QueryResult<R>> {
  const client = orm.em.getConnection().getKnex().client as { acquireConnection(): Promise<PoolClient>; releaseConnection(c: PoolClient): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await conn.query<R>({ name, text, values });
  } finally {
    await client.releaseConnection(conn);
  }
}

/**
 * Receipt ids (投票凭证) are UUIDv7: time-ordered, so the vote table's primary key grows at its
 * right edge instead of touching a random page per insert; 74 random bits keep them unguessable.
 */
export function receiptId(now: number): string {
  const b = Buffer.allocUnsafe(16);
  randomInto(b, 6);
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Random bytes drawn 4 KB at a time: one call into the CSPRNG per 400 receipts, not per vote.
let pool = randomBytes(4096);
let poolAt = 0;
function randomInto(target: Buffer, offset: number): void {
  const need = target.length - offset;
  if (poolAt + need > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  pool.copy(target, offset, poolAt, poolAt + need);
  poolAt += need;
}

/**
 * One vote as its own statement and transaction — the naive shape, and what bench/votes.ts
 * measures as PostgreSQL's per-vote ceiling. The API runs CAST_VOTES_SQL, the same checks and
 * unique insert for a batch of votes.
 */
export const CAST_VOTE_SQL = `
  with e as (
    select e.id, e.campaign_id, e.state, e.name,
           coalesce(c.config->>'votePolicy', 'ip_and_account') as policy,
           c.schedule->'windows'->(case when e.category = 'student' then 'student.voting' else 'teacher.voting' end) as w
    from entrant e join campaign c on c.id = e.campaign_id
    where e.id = $1::uuid
  ), ins as (
    insert into vote (id, campaign_id, entrant_id, account_id, ip, day, policy, at)
    select $2::uuid, e.campaign_id, e.id, $3::uuid, $4::inet, $5::date, e.policy, $6::timestamptz from e
    where e.state = 'approved' and $6::timestamptz >= (e.w->>'opensAt')::timestamptz and $6::timestamptz < (e.w->>'closesAt')::timestamptz
    on conflict do nothing
    returning entrant_id, campaign_id
  ), bump as (
    insert into entrant_tally as t (entrant_id, campaign_id, votes)
    select entrant_id, campaign_id, 1 from ins
    on conflict (entrant_id) do update set votes = t.votes + 1, updated_at = now()
    returning votes
  )
  select e.campaign_id, e.state, e.name, e.policy, e.w, (select votes from bump) as votes from e`;

/**
 * A batch of votes in one statement (and so one transaction, one commit): each row is checked
 * against its entrant's state and effective voting window at its own instant, inserted unless a
 * unique index already holds its (entrant, day, IP) or (entrant, day, account), and the tallies
 * of the entrants that gained votes are bumped by what was inserted — exact after the commit.
 *
 * Rows are inserted, and tally rows locked, in one global order (entrant, IP, account), so two
 * batches in flight wait for each other but never deadlock. A row that was not inserted although
 * its entrant could take it is a duplicate; the statement tells which limit held it when the
 * earlier vote was committed before this statement began (the common case).
 */
export const CAST_VOTES_SQL = `
  with input as (
    select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::inet[], $5::date[], $6::timestamptz[]) with ordinality
      as i(entrant_id, id, account_id, ip, day, at, n)
  ), e as (
    select i.n, i.id, i.account_id, i.ip, i.day, i.at, e.id as entrant_id, e.campaign_id, e.state, e.name,
           coalesce(c.config->>'votePolicy', 'ip_and_account') as policy,
           c.schedule->'windows'->(case when e.category = 'student' then 'student.voting' else 'teacher.voting' end) as w
    from input i join entrant e on e.id = i.entrant_id join campaign c on c.id = e.campaign_id
  ), eligible as (
    select * from e where state = 'approved' and at >= (w->>'opensAt')::timestamptz and at < (w->>'closesAt')::timestamptz
  ), ins as (
    insert into vote (id, campaign_id, entrant_id, account_id, ip, day, policy, at)
    select id, campaign_id, entrant_id, account_id, ip, day, policy, at from eligible
    order by entrant_id, ip, account_id
    on conflict do nothing
    returning id, entrant_id
  ), bump as (
    insert into entrant_tally as t (entrant_id, campaign_id, votes)
    select ins.entrant_id, min(e.campaign_id), count(*) from ins join e on e.id = ins.id
    group by ins.entrant_id order by ins.entrant_id
    on conflict (entrant_id) do update set votes = t.votes + excluded.votes, updated_at = now()
    returning entrant_id, votes
  )
  select e.n, e.campaign_id, e.state, e.name, e.policy, e.w, b.votes, ins.id is not null as counted,
         o.id is not null and ins.id is null and exists(
           select 1 from vote v where v.entrant_id = e.entrant_id and v.day = e.day and v.account_id = e.account_id and v.policy <> 'ip') as by_account,
         o.id is not null and ins.id is null and exists(
           select 1 from vote v where v.entrant_id = e.entrant_id and v.day = e.day and v.ip = e.ip and v.policy <> 'account') as by_ip
  from e left join eligible o on o.id = e.id left join ins on ins.id = e.id left join bump b on b.entrant_id = e.entrant_id`;

const WHICH_DUPLICATE_SQL = `
  select exists(select 1 from vote where entrant_id = $1::uuid and day = $2::date and ip = $3::inet and policy <> 'account') as by_ip,
         exists(select 1 from vote where entrant_id = $1::uuid and day = $2::date and account_id = $4::uuid and policy <> 'ip') as by_account`;

export interface VoteAttempt {
  entrantId: string;
  accountId: string;
  ip: string;
  /** The API clock's instant (deps.clock): the day and the window are judged at this instant. */
  now: number;
}

export interface CastVote {
  receipt: string;
  entrantId: string;
  campaignId: string;
  day: string;
  at: string;
  /** The entrant's tally once this vote's transaction committed. */
  votes: number;
}

const REFUSAL_KIND = {
  duplicate_ip: 'AlreadyVoted',
  duplicate_account: 'AlreadyVoted',
  not_open: 'WindowClosed',
  closed: 'DeadlinePassed',
  not_approved: 'Conflict',
} as const;

interface Outcome {
  campaign_id: string;
  state: EntrantState;
  name: string;
  policy: VotePolicy;
  w: Window;
  votes: number | null;
  counted: boolean;
  by_account: boolean;
  by_ip: boolean;
}

interface Pending {
  attempt: VoteAttempt;
  receipt: string;
  day: string;
  resolve(outcome: Outcome | undefined): void;
  reject(err: unknown): void;
}

/**
 * Application-level group commit for votes. A vote is sent at once while fewer than
 * MAX_IN_FLIGHT batches are running (so a quiet API adds no wait); under load, the votes that
 * arrive while batches run are sent together as the next batch. PostgreSQL then commits (and
 * flushes its WAL) once per batch instead of once per vote, which is what lets the API pass the
 * per-vote ceiling of the database on a small machine. Every vote is still judged on its own.
 */
class VoteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly orm: Orm) {}

  cast(attempt: VoteAttempt, receipt: string, day: string): Promise<Outcome | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ attempt, receipt, day, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    const col = <T>(f: (p: Pending) => T) => batch.map(f);
    const values = [
      col((p) => p.attempt.entrantId),
      col((p) => p.receipt),
      col((p) => p.attempt.accountId),
      col((p) => p.attempt.ip),
      col((p) => p.day),
      col((p) => new Date(p.attempt.now)),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await hotQuery<Outcome & { n: string }>(this.orm, 'cast_votes', CAST_VOTES_SQL, values);
        const byIndex = new Map(rows.map((r) => [Number(r.n), r]));
        batch.forEach((p, i) => p.resolve(byIndex.get(i + 1)));
        return;
      } catch (err) {
        // A deadlock cannot come from the ordered inserts; retry anyway rather than fail voters.
        if ((err as { code?: string }).code === '40P01' && attempt < 3) continue;
        for (const p of batch) p.reject(err);
        return;
      }
    }
  }
}

/**
 * Batches running at once. Two keeps one batch committing while the next is sent; more only
 * makes batches smaller (bench/votes.ts on 2 cores: 1 or 2 → ~6,000 votes/s, 4 → ~4,400, 8 → ~3,300).
 */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 256;
const batchers = new WeakMap<Orm, VoteBatcher>();

function batcher(orm: Orm): VoteBatcher {
  let b = batchers.get(orm);
  if (!b) batchers.set(orm, (b = new VoteBatcher(orm)));
  return b;
}

export async function castVote(orm: Orm, attempt: VoteAttempt): Promise<CastVote> {
  const day = shanghaiDay(attempt.now);
  const at = new Date(attempt.now);
  const receipt = receiptId(attempt.now);
  const row = await batcher(orm).cast(attempt, receipt, day);
  if (!row) throw new AppError('NotFound', `no entrant ${attempt.entrantId}`);
  if (row.counted) return { receipt, entrantId: attempt.entrantId, campaignId: row.campaign_id, day, at: at.toISOString(), votes: Number(row.votes) };

  const window = row.w;
  let reason = voteWindowRefusal(window, row.state, attempt.now);
  if (!reason) {
    let { by_account: byAccount, by_ip: byIp } = row;
    if (!byAccount && !byIp) {
      // The earlier vote committed while this statement ran: look again with a fresh snapshot.
      const { rows: dup } = await hotQuery(orm, 'which_duplicate', WHICH_DUPLICATE_SQL, [attempt.entrantId, day, attempt.ip, attempt.accountId]);
      byAccount = dup[0]?.by_account;
    }
    reason = byAccount ? 'duplicate_account' : 'duplicate_ip';
  }
  refusedVotes(orm).add({ campaignId: row.campaign_id, entrantId: attempt.entrantId, accountId: attempt.accountId, ip: attempt.ip, day, reason, at });
  const details: Record<string, unknown> = { reason, policy: row.policy };
  if (reason === 'duplicate_ip' || reason === 'duplicate_account') details.nextVoteAt = shanghaiMidnight(addDays(day, 1)).toISOString();
  if (reason === 'closed' || reason === 'not_open') details.window = window;
  throw new AppError(REFUSAL_KIND[reason], refusalMessage(reason, { entrantName: row.name, window, state: row.state }), details);
}

interface RefusedVote {
  campaignId: string;
  entrantId: string;
  accountId: string;
  ip: string;
  day: string;
  reason: VoteRefusal;
  at: Date;
}

/**
 * Refused attempts (duplicate, late, closed, not approved) are kept for audit and the brushing
 * detector, written in batches off the request path: a flood of duplicates (the usual shape of
 * an attack) then costs one insert per batch, not one per attempt. A batch is written within
 * FLUSH_MS; a crash of the API process loses at most that much of this audit trail (never a
 * counted vote). Attempts on unknown entrants are not kept (they name nothing to audit).
 */
class RefusedVoteLog {
  private buffer: RefusedVote[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(private readonly orm: Orm) {}

  add(r: RefusedVote): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.dropped += 1;
      return;
    }
    this.buffer.push(r);
    if (this.buffer.length >= BATCH) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is buffered; resolves once every earlier batch is written (tests await it). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => (batch.length ? this.write(batch) : undefined));
    return this.flushing;
  }

  private async write(batch: RefusedVote[]): Promise<void> {
    const col = <K extends keyof RefusedVote>(k: K) => batch.map((r) => r[k]);
    try {
      await hotQuery(
        this.orm,
        'refused_votes',
        `insert into refused_vote (campaign_id, entrant_id, account_id, ip, day, reason, at)
         select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::inet[], $5::date[], $6::text[], $7::timestamptz[])`,
        [col('campaignId'), col('entrantId'), col('accountId'), col('ip'), col('day'), col('reason'), col('at')],
      );
    } catch (err) {
      this.dropped += batch.length;
      console.error(`[votes] could not record ${batch.length} refused vote attempts`, err);
    }
  }
}

const BATCH = 500;
const FLUSH_MS = 200;
const MAX_BUFFER = 50_000;
const logs = new WeakMap<Orm, RefusedVoteLog>();

export function refusedVotes(orm: Orm): RefusedVoteLog {
  let log = logs.get(orm);
  if (!log) logs.set(orm, (log = new RefusedVoteLog(orm)));
  return log;
}

/** A voter's own vote by its receipt; anyone else's (or none) is 404. */
export async function loadReceipt(orm: Orm, receipt: string, accountId: string) {
  const { rows } = await hotQuery(
    orm,
    'vote_receipt',
    `select v.id, v.campaign_id, v.entrant_id, v.day::text as day, v.at, host(v.ip) as ip, v.policy, e.name, e.category, e.state
     from vote v join entrant e on e.id = v.entrant_id where v.id = $1::uuid and v.account_id = $2::uuid`,
    [receipt, accountId],
  );
  const v = rows[0];
  if (!v) throw new AppError('NotFound', `no vote with receipt ${receipt} among your votes`);
  return {
    receipt: v.id,
    campaignId: v.campaign_id,
    entrant: { id: v.entrant_id, name: v.name, category: v.category, state: v.state },
    day: v.day,
    at: new Date(v.at).toISOString(),
    ip: v.ip,
    policy: v.policy,
    // A vote stays in the table for audit; it stops counting when its entrant is disqualified.
    counted: v.state !== 'disqualified' && v.state !== 'withdrawn',
  };
}
