import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { initORM } from '../db/orm';
import { loadConfig } from '../lib/config';
import { TASK_QUEUE } from '../lib/ids';

/** The Temporal worker: every workflow and activity on one task queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await initORM(config.DATABASE_URL, { pool: { min: 1, max: 20 } });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUE,
    workflowsPath: path.join(__dirname, '..', 'workflows'),
    activities: createActivities({ orm, temporal }),
  });
  console.log(`[worker] polling task queue ${TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
  // The SDK's runtime handles SIGINT/SIGTERM: in-flight tasks finish, then run() resolves.
  await worker.run();
  await Promise.allSettled([connection.close(), clientConnection.close(), orm.close()]);
  console.log('[worker] stopped');
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
