// The API as bench/votes.ts drives it: the real app (buildApp), in its own process(es) so the
// load generator does not share its event loop. BENCH_API_WORKERS > 1 runs a node cluster.
// Temporal is a lazy client that never connects: the vote path does not use it.
import cluster from 'node:cluster';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app';
import { Sessions } from '../api/auth';
import { initORM } from '../db/orm';
import { loadConfig } from '../lib/config';

const WORKERS = Number(process.env.BENCH_API_WORKERS ?? 1);
const POOL = Number(process.env.BENCH_API_POOL ?? 16);

async function serve(): Promise<void> {
  const config = loadConfig();
  const orm = await initORM(config.DATABASE_URL, { pool: { min: POOL, max: POOL } });
  const temporal = new Client({ connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }) });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `${config.REDIS_PREFIX}:`, maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined);
  let stopping = false;
  // Requests cut off by the shutdown at the end are not worth a stack trace.
  const log = (m: string, e?: unknown) => stopping || console.error(`[bench-api] ${m}`, e);
  const app = buildApp({ config, orm, temporal, redis, sessions: new Sessions(orm, 1), clock: Date.now, log });
  const server = app.listen(config.PORT, '127.0.0.1', () => process.send?.('listening'));
  server.keepAliveTimeout = 60_000;
  process.on('SIGTERM', () => {
    stopping = true;
    server.close();
    void Promise.allSettled([orm.close(), redis.quit()]).then(() => process.exit(0));
  });
}

if (WORKERS > 1 && cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < WORKERS; i++) {
    cluster.fork().on('message', (m) => {
      if (m === 'listening' && ++ready === WORKERS) process.send?.('listening');
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  });
} else {
  serve().catch((err) => {
    console.error('[bench-api] could not start:', err);
    process.exit(1);
  });
}
