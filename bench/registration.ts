// Registration throughput against the bare workflow-start ceiling of the same Temporal server.
//   npx tsx bench/registration.ts [entrants=2000] [concurrency=32]
// Each registration is POST /api/entrants over loopback: session lookup, window and school
// checks, the entrant row, and the lifecycle workflow start. The bare rate is
// client.workflow.start of a no-op workflow at the same concurrency. Also prints the worker's
// resident memory once it holds the lifecycles it ran.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { hashPassword } from '../lib/passwords';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import { buildApp } from '../api/app';
import { Sessions } from '../api/auth';
import { initORM, migrate } from '../db/orm';
import { defaultCampaignConfig, insertCampaign, seedRegions } from '../db/seed';
import { loadConfig } from '../lib/config';
import { addDays, shanghaiDay } from '../lib/time';
import { dayWindow } from '../lib/rules/schedule';

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const ROOT = path.resolve(__dirname, '..');
const DB = 'lss_bench_registration';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
  return (performance.now() - started) / 1000;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  const orm = await initORM(DB_URL, { pool: { min: 2, max: 20 } });
  await migrate(orm);
  await seedRegions(orm);
  const today = shanghaiDay(Date.now());
  const windows = {
    'teacher.registration': dayWindow(addDays(today, -1), addDays(today, 30)),
    'student.registration': dayWindow(addDays(today, -1), addDays(today, 30)),
    'teacher.voting': dayWindow(addDays(today, -1), addDays(today, 40)),
    'student.voting': dayWindow(addDays(today, -1), addDays(today, 40)),
    nomination: dayWindow(addDays(today, 0), addDays(today, 10)),
    recommendation: dayWindow(addDays(today, 31), addDays(today, 35)),
    review: dayWindow(addDays(today, 41), addDays(today, 50)),
  };
  await insertCampaign(orm, { id: 'bench', name: 'bench', year: 2017, config: defaultCampaignConfig(windows) });
  const conn = orm.em.fork().getConnection();
  const [school] = await conn.execute(`select id from school where stages @> '{primary}' order by id limit 1`);

  // Accounts and sessions straight into the tables: the benchmark measures registration, not login.
  const hash = await hashPassword('bench-password');
  const tokens: string[] = [];
  const total = N + 100;
  for (let i = 0; i < total; i += 1000) {
    const accounts: unknown[] = [];
    const sessions: unknown[] = [];
    const size = Math.min(1000, total - i);
    for (let j = i; j < i + size; j++) {
      const id = randomUUID();
      const token = randomBytes(24).toString('base64url');
      tokens.push(token);
      accounts.push(id, `bench-teacher-${j}`, hash, `教师${j}`);
      sessions.push(createHash('sha256').update(token).digest('hex'), id);
    }
    await conn.execute(`insert into account (id, username, password_hash, display_name, role) values ${Array(size).fill(`(?, ?, ?, ?, 'teacher')`).join(',')}`, accounts);
    await conn.execute(`insert into session (token_hash, account_id, expires_at) values ${Array(size).fill(`(?, ?, now() + interval '1 day')`).join(',')}`, sessions);
  }

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lss-bench-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: path.join(ROOT, '.tools/venv/bin/temporal') },
      dbFilename: path.join(tmp, 'temporal.db'),
      extraArgs: ['--log-level', 'error'],
    },
  });
  const address = env.connection.options.address;

  // The real worker process, as `npm start` runs it.
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: DB_URL, TEMPORAL_ADDRESS: address, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => worker.stdout!.on('data', (d: Buffer) => d.toString().includes('polling') && resolve()));
  const noopWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-noop', workflowsPath: require.resolve('./noop-workflow') });
  const noopRunning = noopWorker.run();

  const config = loadConfig({ DATABASE_URL: DB_URL, TEMPORAL_ADDRESS: address, REDIS_PREFIX: 'lss-bench' });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: 'lss-bench:' });
  const app = buildApp({ config, orm, temporal: env.client, redis, sessions: new Sessions(orm, 1), clock: Date.now, log: (m, e) => console.error(m, e) });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/entrants`;

  let failures = 0;
  const register = async (token: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ campaignId: 'bench', category: 'teacher', schoolId: school.id, name: '教师', subject: '数学', stage: 'primary', spaceUrl: 'https://space.example.edu/x', platform: '湖北教育云' }),
    });
    if (res.status !== 201) failures += 1;
    await res.arrayBuffer();
  };
  let noopCount = 0;
  const startNoop = async () => {
    await env.client.workflow.start('benchNoop', { taskQueue: 'bench-noop', workflowId: `noop-${noopCount++}-${randomUUID()}` });
  };

  // Warm both paths (JIT, pools, caches) before measuring.
  await pool(tokens.slice(N, N + 100), CONCURRENCY, register);
  await pool(Array.from({ length: 100 }), CONCURRENCY, startNoop);

  const half = Math.floor(N / 2);
  const regA = await pool(tokens.slice(0, half), CONCURRENCY, register);
  const bareA = await pool(Array.from({ length: half }), CONCURRENCY, startNoop);
  const bareB = await pool(Array.from({ length: N - half }), CONCURRENCY, startNoop);
  const regB = await pool(tokens.slice(half, N), CONCURRENCY, register);
  const regRate = N / (regA + regB);
  const bareRate = N / (bareA + bareB);

  const drainStart = performance.now();
  for (;;) {
    const [{ n }] = await conn.execute(`select count(*)::int as n from entrant where state = 'pending_approval'`);
    if (n >= N + 100 - failures) break;
    if (performance.now() - drainStart > 300_000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const drained = (performance.now() - drainStart) / 1000;
  const [{ n: pending }] = await conn.execute(`select count(*)::int as n from entrant where state = 'pending_approval'`);
  const rss = rssMb(worker.pid!);

  console.log(`registration benchmark: ${N} entrants, concurrency ${CONCURRENCY}, Temporal dev server (SQLite file), PostgreSQL ${DB}`);
  console.log(`  registrations over the API : ${regRate.toFixed(0)}/s  (${failures} failed)`);
  console.log(`  bare no-op workflow starts : ${bareRate.toFixed(0)}/s`);
  console.log(`  ratio                      : ${((regRate / bareRate) * 100).toFixed(0)}% of the bare start rate (target ≥ 80%) → ${regRate / bareRate >= 0.8 ? 'MET' : 'NOT MET'}`);
  console.log(`  lifecycles recorded        : ${pending} pending_approval, ${drained.toFixed(1)} s after the last registration`);
  console.log(`  worker resident memory     : ${rss.toFixed(0)} MB holding ${pending} open lifecycles (cached up to the SDK's maxCachedWorkflows)`);

  server.close();
  await redis.quit();
  worker.kill('SIGINT');
  await new Promise((r) => worker.once('exit', r));
  noopWorker.shutdown();
  await noopRunning;
  await env.teardown();
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
