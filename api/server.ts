import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { initORM } from '../db/orm';
import { loadConfig } from '../lib/config';
import { buildApp } from './app';
import { Sessions } from './auth';
import { LocalEvidenceStore } from './evidence-store';
import { LocalVideoStore } from './video-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await initORM(config.DATABASE_URL, { pool: { min: 2, max: 20 } });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `${config.REDIS_PREFIX}:`, maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', () => undefined); // reported by /api/health
  const log = (msg: string, err?: unknown) => console.error(`[api] ${msg}`, err ?? '');
  const app = buildApp({ config, orm, temporal, redis, sessions: new Sessions(orm, config.SESSION_TTL_HOURS), clock: Date.now, log });
  const server = app.listen(config.PORT, () => console.log(`[api] listening on http://localhost:${config.PORT}`));
  // Partial uploads a stopped process left behind (the stores remove their own on refusal).
  for (const store of [new LocalVideoStore(path.resolve(config.DATA_DIR, 'uploads')), LocalEvidenceStore.under(config.DATA_DIR)]) {
    store.sweepAbandoned().then(
      (n) => n > 0 && console.log(`[api] removed ${n} abandoned partial upload(s) under ${store.root}`),
      (err) => log(`could not sweep ${store.root}`, err),
    );
  }

  const stop = async () => {
    server.close();
    await Promise.allSettled([connection.close(), orm.close(), redis.quit()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error('[api] could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
