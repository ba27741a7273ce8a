// Vote throughput over the API against PostgreSQL's own ceiling for the same statement.
//   npx tsx bench/votes.ts [seconds=10] [connections=64] [apiWorkers=1]
//
// A scratch database (lss_bench_votes) with one campaign, 2,000 approved entrants and 5,000
// voters whose sessions are written straight into the tables (the benchmark measures voting,
// not login). The API runs in a child process (bench/votes-api.ts) so that autocannon, in this
// process, does not share its event loop; apiWorkers > 1 runs a node cluster instead, which on 2
// cores was slower (the API, PostgreSQL and autocannon already share both). Every request
// is a distinct (entrant, account, IP) so every vote is accepted: the API trusts loopback as a
// proxy (TRUST_PROXY=loopback, the bench's own trusted-proxy setup) and autocannon sends a
// distinct X-Forwarded-For per request.
//
// Then the raw ceiling: one vote per statement and transaction (CAST_VOTE_SQL: window check,
// unique insert, tally bump — what the API does for each vote) in tight loops, from Node on as
// many connections as the API's pool and from pgbench (C, no client overhead) when installed;
// the ratio is taken against the higher. The API itself sends votes in batches under load
// (application-level group commit, api/services/votes.ts), so it is not bound by that ceiling;
// the batch statement's own rate is printed too. Then a run paced at 1,000 votes/s for its
// latency, and a run where every vote goes to one entrant (its tally row is the contention point).
import { execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client as PgClient } from 'pg';
import { CAST_VOTE_SQL, CAST_VOTES_SQL } from '../api/services/votes';
import { initORM, migrate } from '../db/orm';
import { defaultCampaignConfig, insertCampaign, seedRegions } from '../db/seed';
import { demoWindows } from '../lib/rules/schedule';
import { shanghaiDay } from '../lib/time';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 64);
const API_WORKERS = Number(process.argv[4] ?? 1);
const API_POOL = 16;
const ENTRANTS = 2000;
// Voters of the spread runs: each votes every second or so, so its session is looked up about
// once per the Sessions cache's 10 s; the single-entrant run brings HOT_VOTERS new ones (each
// session looked up on its first vote, as in a real burst for one entrant).
const VOTERS = 5000;
const HOT_VOTERS = 10_000;
const DB = 'lss_bench_votes';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The k-th distinct vote: a voter, an entrant and an address no other k shares. */
function voteKey(k: number, entrants: string[], tokens: string[], net: number) {
  // Consecutive votes come from different voters for different entrants; an account meets the
  // same entrant again only after tokens.length × entrants.length votes.
  const account = k % tokens.length;
  const entrant = entrants[(account + Math.floor(k / tokens.length)) % entrants.length];
  return { entrant, token: tokens[account], ip: `${net}.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}` };
}

interface Run {
  accepted: number;
  other: number;
  seconds: number;
  p50: number;
  p99: number;
  rate: number;
}

function drive(url: string, o: { seconds?: number; amount?: number; connections: number; overallRate?: number; key: () => { entrant: string; token: string; ip: string } }): Promise<Run> {
  return new Promise((resolve, reject) => {
    let accepted = 0;
    let other = 0;
    const started = performance.now();
    const instance = autocannon(
      {
        url,
        connections: o.connections,
        ...(o.amount ? { amount: o.amount } : { duration: o.seconds }),
        overallRate: o.overallRate,
        requests: [
          {
            method: 'POST',
            setupRequest: (req: Record<string, unknown>) => {
              const { entrant, token, ip } = o.key();
              return { ...req, path: `/api/entrants/${entrant}/votes`, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } };
            },
          },
        ],
      } as unknown as autocannon.Options,
      (err, result) => {
        if (err) return reject(err);
        const seconds = (performance.now() - started) / 1000;
        resolve({ accepted, other, seconds, p50: result.latency.p50, p99: result.latency.p99, rate: accepted / seconds });
      },
    );
    instance.on('response', (_client: unknown, status: number) => (status === 201 ? (accepted += 1) : (other += 1)));
  });
}

/** The vote statement in tight loops on `connections` driver connections for `seconds`. */
async function rawLoop(entrants: string[], connections: number, seconds: number, net: number): Promise<{ rate: number; inserted: number }> {
  const day = shanghaiDay(Date.now());
  let k = 0;
  let inserted = 0;
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new PgClient({ connectionString: DB_URL });
      await c.connect();
      return c;
    }),
  );
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const i = k++;
        const ip = `${net}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const { rows } = await c.query({ name: 'cast_vote', text: CAST_VOTE_SQL, values: [entrants[i % entrants.length], randomUUID(), randomUUID(), ip, day, new Date()] });
        if (rows[0]?.votes != null) inserted += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return { rate: inserted / elapsed, inserted };
}

const BATCH_LOOP = { inFlight: 2, size: 64 }; // the API batcher's MAX_IN_FLIGHT

/** The API's batch statement in tight loops, as the batcher sends it under load. */
async function rawBatchLoop(entrants: string[], seconds: number, net: number): Promise<{ rate: number }> {
  const day = shanghaiDay(Date.now());
  let k = 0;
  let inserted = 0;
  const clients = await Promise.all(
    Array.from({ length: BATCH_LOOP.inFlight }, async () => {
      const c = new PgClient({ connectionString: DB_URL });
      await c.connect();
      return c;
    }),
  );
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const cols: unknown[][] = [[], [], [], [], [], []];
        for (let j = 0; j < BATCH_LOOP.size; j++) {
          const i = k++;
          const values = [entrants[i % entrants.length], randomUUID(), randomUUID(), `${net}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, day, new Date()];
          values.forEach((v, col) => cols[col].push(v));
        }
        const { rows } = await c.query({ name: 'cast_votes', text: CAST_VOTES_SQL, values: cols });
        inserted += rows.filter((r) => r.counted).length;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return { rate: inserted / elapsed };
}

/** The same statement from pgbench, when it is installed: the ceiling without any client overhead. */
function pgbench(entrants: string[], connections: number, seconds: number): number | undefined {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lss-pgbench-'));
  // pgbench variables: a random entrant by offset into a fixed list, a fresh address per transaction.
  const list = path.join(dir, 'vote.sql');
  const sql = CAST_VOTE_SQL.replace(/\$1::uuid/g, `(select id from bench_entrants where n = :e)`)
    .replace(/\$2::uuid/g, 'gen_random_uuid()')
    .replace(/\$3::uuid/g, 'gen_random_uuid()')
    .replace(/\$4::inet/g, `('12.0.0.0'::inet + :ip)`)
    .replace(/\$5::date/g, `'${shanghaiDay(Date.now())}'::date`)
    .replace(/\$6::timestamptz/g, 'now()');
  writeFileSync(list, `\\set e random(1, ${entrants.length})\n\\set ip random(1, 16000000)\n${sql.replace(/\s+/g, ' ').trim()};\n`);
  const out = execFileSync('pgbench', ['-h', '127.0.0.1', '-U', 'postgres', '-n', '-M', 'prepared', '-c', String(connections), '-j', '2', '-T', String(seconds), '-f', list, DB], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(out);
  return tps ? Number(tps[1]) : undefined;
}

async function main(): Promise<void> {
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  const orm = await initORM(DB_URL, { pool: { min: 1, max: 4 } });
  await migrate(orm);
  await seedRegions(orm);
  await insertCampaign(orm, { id: 'bench', name: 'bench', year: 2017, config: defaultCampaignConfig(demoWindows(shanghaiDay(Date.now()))) });
  const conn = orm.em.fork().getConnection();
  const [school] = await conn.execute(`select id, county_id, city_id from school where stages @> '{primary}' order by id limit 1`);
  await conn.execute(
    `insert into account (id, username, password_hash, display_name, role) select gen_random_uuid(), 'bench-teacher-' || g, 'x', '教师' || g, 'teacher' from generate_series(1, ?) g`,
    [ENTRANTS],
  );
  await conn.execute(
    `insert into entrant (id, campaign_id, account_id, category, name, school_id, county_id, city_id, subject, stage, space_url, platform, state, workflow_id, registered_at, approved_at)
     select gen_random_uuid(), 'bench', a.id, 'teacher', a.display_name, ?, ?, ?, '数学', 'primary', 'https://space.example.edu/x', '湖北教育云', 'approved', 'bench-' || a.id, now(), now()
     from account a where a.username like 'bench-teacher-%'`,
    [school.id, school.county_id, school.city_id],
  );
  const entrants = ((await conn.execute(`select id from entrant order by id`)) as { id: string }[]).map((r) => r.id);
  // pgbench picks entrants by number.
  await conn.execute(`create table bench_entrants as select row_number() over (order by id) as n, id from entrant`);
  await conn.execute(`create unique index on bench_entrants(n)`);
  const tokens: string[] = [];
  for (let i = 0; i < VOTERS + HOT_VOTERS; i += 1000) {
    const accounts: unknown[] = [];
    const sessions: unknown[] = [];
    const size = Math.min(1000, VOTERS + HOT_VOTERS - i);
    for (let j = i; j < i + size; j++) {
      const id = randomUUID();
      const token = randomBytes(24).toString('base64url');
      tokens.push(token);
      accounts.push(id, `bench-voter-${j}`, 'x', `投票人${j}`);
      sessions.push(createHash('sha256').update(token).digest('hex'), id);
    }
    await conn.execute(`insert into account (id, username, password_hash, display_name, role) values ${Array(size).fill(`(?, ?, ?, ?, 'voter')`).join(',')}`, accounts);
    await conn.execute(`insert into session (token_hash, account_id, expires_at) values ${Array(size).fill(`(?, ?, now() + interval '1 day')`).join(',')}`, sessions);
  }
  await conn.execute(`vacuum analyze`);

  const port = await freePort();
  const api = fork(path.join(__dirname, 'votes-api.ts'), [], {
    // BENCH_CPU_PROF=<dir> writes the API's CPU profile there (open it in Chrome DevTools).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
    env: {
      ...process.env,
      DATABASE_URL: DB_URL,
      PORT: String(port),
      TRUST_PROXY: 'loopback',
      REDIS_PREFIX: 'lss-bench-votes',
      LOG_LEVEL: 'error',
      BENCH_API_WORKERS: String(API_WORKERS),
      BENCH_API_POOL: String(API_POOL),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    api.once('message', () => resolve());
    api.once('exit', (code) => reject(new Error(`the bench API exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const hotTokens = tokens.splice(VOTERS);

  let k = 0;
  const spreadEntrants = entrants.slice(0, -1);
  const spread = () => voteKey(k++, spreadEntrants, tokens, 10);
  // Warm-up: JIT, pools, prepared statements, the session cache.
  await drive(url, { seconds: 3, connections: CONNECTIONS, key: spread });

  const commits = async () => Number((await conn.execute(`select xact_commit from pg_stat_database where datname = ?`, [DB]))[0].xact_commit);
  const commitsBefore = await commits();
  const full = await drive(url, { seconds: SECONDS, connections: CONNECTIONS, key: spread });
  const commitsDuring = (await commits()) - commitsBefore;
  const [check] = await conn.execute(`select (select count(*)::int from vote) as votes, (select sum(votes)::int from entrant_tally) as tallied`);

  const raw = await rawLoop(entrants, API_POOL * API_WORKERS, SECONDS, 11);
  const batched = await rawBatchLoop(entrants, Math.min(SECONDS, 5), 14);
  const bench = pgbench(entrants, API_POOL * API_WORKERS, SECONDS);

  const paced = await drive(url, { seconds: SECONDS, connections: 32, overallRate: 1000, key: spread });

  // An entrant the spread runs have not reached yet, so every account may still vote for it.
  const hot = entrants[entrants.length - 1];
  let h = 0;
  const oneEntrant = () => ({ entrant: hot, token: hotTokens[h % hotTokens.length], ip: `13.${(h >> 16) & 255}.${(h >> 8) & 255}.${h++ & 255}` });
  // Each voter may vote for it once a day: one request per voter.
  const contended = await drive(url, { amount: hotTokens.length, connections: CONNECTIONS, key: oneEntrant });
  const [after] = await conn.execute(`select (select count(*)::int from vote) as votes, (select sum(votes)::int from entrant_tally) as tallied`);

  const ceiling = Math.max(raw.rate, bench ?? 0);
  const ratio = full.rate / ceiling;
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  console.log(`\nvote benchmark: ${os.cpus().length} cores, PostgreSQL ${DB}, ${ENTRANTS} approved entrants, ${VOTERS} voters (+${HOT_VOTERS} for one entrant), API in ${API_WORKERS} process(es) with a pool of ${API_POOL}, autocannon with ${CONNECTIONS} connections`);
  console.log(`  accepted votes over the API        : ${full.rate.toFixed(0)}/s  (${full.accepted} in ${full.seconds.toFixed(1)} s, ${full.other} not 201)   target ≥ 3,000/s → ${verdict(full.rate >= 3000)}`);
  console.log(`  latency at full load               : p50 ${full.p50} ms, p99 ${full.p99} ms`);
  console.log(`  PostgreSQL transactions            : ${(commitsDuring / full.accepted).toFixed(2)} per accepted vote (vote batches, session lookups)`);
  console.log(`  raw ceiling, Node loop (${API_POOL * API_WORKERS} conns)   : ${raw.rate.toFixed(0)}/s  (CAST_VOTE_SQL as a prepared statement)`);
  console.log(`  raw ceiling, pgbench (${API_POOL * API_WORKERS} conns)     : ${bench === undefined ? 'pgbench not installed' : `${bench.toFixed(0)}/s`}`);
  console.log(`  API / ceiling (the higher of both) : ${(ratio * 100).toFixed(0)}%   target ≥ 50% → ${verdict(ratio >= 0.5)}`);
  console.log(`  paced at 1,000 votes/s             : ${paced.rate.toFixed(0)}/s accepted, p50 ${paced.p50} ms, p99 ${paced.p99} ms   target p99 < 100 ms → ${verdict(paced.p99 < 100)}`);
  console.log(`  one entrant takes every vote       : ${contended.rate.toFixed(0)}/s accepted (${contended.other} not 201), p50 ${contended.p50} ms, p99 ${contended.p99} ms (its tally row serialises the batches)`);
  console.log(`  the batch statement alone (Node)   : ${batched.rate.toFixed(0)}/s  (CAST_VOTES_SQL, ${BATCH_LOOP.inFlight} in flight × ${BATCH_LOOP.size} votes; the API's own share of the CPU is the rest)`);
  console.log(`  machine load during the run        : load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) on ${os.cpus().length} cores`);
  console.log(`  tally = count of votes             : after the full run ${check.tallied} = ${check.votes} → ${verdict(check.tallied === check.votes)}; at the end ${after.tallied} = ${after.votes} → ${verdict(after.tallied === after.votes)}`);

  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  await orm.close();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.end();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
