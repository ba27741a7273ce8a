import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { bullMailQueue } from '../activities/mail/queue';
import { initORM } from '../db/orm';
import { loadConfig } from '../lib/config';
import { TASK_QUEUE } from '../lib/ids';
import { startBrushingDetector } from './brushing-detector';
import { startMailWorker } from './mail-worker';

/** The Temporal worker (every workflow and activity on one task queue) and, beside it, the mail worker. */
async function main(): Promise<void> {
  const config = loadConfig();
  // The SDK's own logs (worker state, activity and workflow task failures) at LOG_LEVEL.
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as LogLevel) });
  const orm = await initORM(config.DATABASE_URL, { pool: { min: 1, max: 20 } });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const mailQueue = bullMailQueue({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  // Without SMTP_URL, mail waits in the queue (visible on /admin/queues) until a sender runs.
  const mailWorker = config.SMTP_URL
    ? startMailWorker({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, concurrency: config.MAIL_CONCURRENCY, log: (m) => console.error(`[worker] mail ${m}`) })
    : undefined;
  if (!mailWorker) console.warn('[worker] SMTP_URL is not set: mail is queued but not sent');
  const brushingDetector = startBrushingDetector({ orm, redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, everySeconds: config.BRUSHING_DETECT_EVERY_SECONDS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUE,
    workflowsPath: path.join(__dirname, '..', 'workflows'),
    activities: createActivities({ orm, temporal, mail: { queue: mailQueue, publicUrl: config.publicUrl } }),
  });
  console.log(`[worker] polling task queue ${TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
  // The SDK's runtime handles SIGINT/SIGTERM: in-flight tasks finish, then run() resolves.
  await worker.run();
  await mailWorker?.close();
  await brushingDetector?.close();
  await Promise.allSettled([connection.close(), clientConnection.close(), orm.close(), mailQueue.close()]);
  console.log('[worker] stopped');
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
