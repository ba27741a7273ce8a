// The vote-brushing detector (刷票): a BullMQ job scheduler in the worker process runs
// detectBrushingOnce every BRUSHING_DETECT_EVERY_SECONDS. A repeatable queue job rather than a
// Temporal schedule because it is a stateless periodic scan with nothing to remember between
// runs; BullMQ runs each tick once across worker processes, and the board shows its runs.
//
// Each run, per campaign whose voting is open (or closed within the look-back): entrants with at
// least `minVotes` votes, or `refusedAttempts` refused duplicate attempts, in the look-back are
// examined by lib/rules/brushing.ts; each finding
// becomes a brushing_flag with its evidence, unless a flag of the same kind for the same entrant
// already covers part of that window (the same burst seen again by the next run).
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Orm } from '../db/orm';
import {
  DEFAULT_BRUSHING,
  detectBrushing,
  detectRepeatedAttempts,
  DUPLICATE_REFUSALS,
  type AttemptSample,
  type BrushingFinding,
  type BrushingThresholds,
  type VoteSample,
} from '../lib/rules/brushing';
import { BRUSHING_QUEUE } from '../lib/queues';
import type { Schedule } from '../lib/rules/schedule';

/** At most this many votes of one entrant are examined per run (the most recent). */
const MAX_SAMPLES = 20_000;

export interface DetectionRun {
  campaigns: number;
  examined: number;
  flagged: number;
}

export async function detectBrushingOnce(orm: Orm, now: number): Promise<DetectionRun> {
  const conn = orm.em.fork().getConnection();
  const campaigns = (await conn.execute(`select id, config->'brushing' as brushing, schedule from campaign`)) as { id: string; brushing: Partial<BrushingThresholds> | null; schedule: Schedule }[];
  const run: DetectionRun = { campaigns: 0, examined: 0, flagged: 0 };
  for (const c of campaigns) {
    const t: BrushingThresholds = { ...DEFAULT_BRUSHING, ...(c.brushing ?? {}) };
    const from = now - t.lookbackMinutes * 60_000;
    const voting = [c.schedule.windows['teacher.voting'], c.schedule.windows['student.voting']];
    if (!voting.some((w) => Date.parse(w.opensAt) < now && Date.parse(w.closesAt) > from)) continue;
    run.campaigns += 1;
    const byVotes = (await conn.execute(
      `select v.entrant_id from vote v join entrant e on e.id = v.entrant_id
       where v.campaign_id = ? and v.at > ? and v.at <= ? and e.state not in ('disqualified', 'withdrawn')
       group by v.entrant_id having count(*) >= ?`,
      [c.id, new Date(from), new Date(now), t.minVotes],
    )) as { entrant_id: string }[];
    // Refused attempts are kept apart from the votes (refused_vote): a script that keeps
    // hammering an entrant after its vote was counted shows there, not among the votes.
    const byAttempts = (await conn.execute(
      `select r.entrant_id from refused_vote r join entrant e on e.id = r.entrant_id
       where r.campaign_id = ? and r.at > ? and r.at <= ? and r.reason = any(?::text[]) and e.state not in ('disqualified', 'withdrawn')
       group by r.entrant_id having count(*) >= ?`,
      [c.id, new Date(from), new Date(now), `{${DUPLICATE_REFUSALS.join(',')}}`, t.refusedAttempts],
    )) as { entrant_id: string }[];
    const attempted = new Set(byAttempts.map((r) => r.entrant_id));
    const voted = new Set(byVotes.map((r) => r.entrant_id));
    for (const entrantId of new Set([...voted, ...attempted])) {
      run.examined += 1;
      const findings: BrushingFinding[] = [];
      if (voted.has(entrantId)) {
        const rows = await conn.execute(
          `select * from (
             select v.at, host(v.ip) as ip, v.account_id, a.created_at
             from vote v join account a on a.id = v.account_id
             where v.entrant_id = ? and v.at > ? and v.at <= ? order by v.at desc limit ?
           ) recent order by at`,
          [entrantId, new Date(from), new Date(now), MAX_SAMPLES],
        );
        const votes: VoteSample[] = (rows as Record<string, any>[]).map((r) => ({
          at: new Date(r.at).getTime(),
          ip: r.ip,
          accountId: r.account_id,
          accountCreatedAt: new Date(r.created_at).getTime(),
        }));
        findings.push(...detectBrushing(votes, t));
      }
      if (attempted.has(entrantId)) {
        const rows = await conn.execute(
          `select * from (
             select r.at, host(r.ip) as ip, r.account_id, r.reason from refused_vote r
             where r.entrant_id = ? and r.at > ? and r.at <= ? and r.reason = any(?::text[]) order by r.at desc limit ?
           ) recent order by at`,
          [entrantId, new Date(from), new Date(now), `{${DUPLICATE_REFUSALS.join(',')}}`, MAX_SAMPLES],
        );
        const attempts: AttemptSample[] = (rows as Record<string, any>[]).map((r) => ({ at: new Date(r.at).getTime(), ip: r.ip, accountId: r.account_id, reason: r.reason }));
        findings.push(...detectRepeatedAttempts(attempts, t));
      }
      for (const f of findings) {
        const inserted = await conn.execute(
          `insert into brushing_flag (id, campaign_id, entrant_id, kind, window_start, window_end, evidence, created_at)
           select ?, ?, ?, ?, ?, ?, ?::jsonb, ?
           where not exists (select 1 from brushing_flag where entrant_id = ? and kind = ? and window_start <= ? and window_end >= ?)
           on conflict (entrant_id, kind, window_start) do nothing returning id`,
          [randomUUID(), c.id, entrantId, f.kind, new Date(f.windowStart), new Date(f.windowEnd), JSON.stringify(f.evidence), new Date(now),
           entrantId, f.kind, new Date(f.windowEnd), new Date(f.windowStart)],
        );
        run.flagged += inserted.length;
      }
    }
  }
  return run;
}

export interface BrushingDetector {
  close(): Promise<void>;
}

export function startBrushingDetector(o: { orm: Orm; redisUrl: string; prefix: string; everySeconds: number; log?: (msg: string) => void }): BrushingDetector | undefined {
  if (o.everySeconds <= 0) return undefined;
  const log = o.log ?? ((msg: string) => console.error(`[brushing] ${msg}`));
  const connection = { url: o.redisUrl };
  const queue = new Queue(BRUSHING_QUEUE, { connection, prefix: o.prefix });
  queue.on('error', (err) => log(`queue error: ${err.message}`));
  void queue
    .upsertJobScheduler('brushing-detector', { every: o.everySeconds * 1000 }, { name: 'detect', opts: { removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } } })
    .catch((err) => log(`cannot schedule the detector: ${(err as Error).message}`));
  const worker = new Worker(
    BRUSHING_QUEUE,
    async () => {
      const result = await detectBrushingOnce(o.orm, Date.now());
      if (result.flagged) log(`flagged ${result.flagged} (examined ${result.examined} entrants in ${result.campaigns} campaigns)`);
      return result;
    },
    { connection, prefix: o.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log(`queue error: ${err.message}`));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
