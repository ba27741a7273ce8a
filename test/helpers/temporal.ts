import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { TASK_QUEUE } from '../../lib/ids';
import { testMailQueue } from './mail';
import { temporalCli, temporalTestServer } from './paths';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier environment in this process.
  }
}

/** The time-skipping test server, from the installed binary (never a download). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServer() } } });
}

/** A real Temporal dev server (in memory), from the installed CLI. */
export async function localEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCli() }, extraArgs: ['--log-level', 'error'] },
  });
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * A worker with the real activities on the environment's server, running in the background.
 * Without `mail`, mail goes to a queue of its own under TEST_REDIS_PREFIX (nothing sends it).
 */
export async function startWorker(
  env: TestWorkflowEnvironment,
  deps: Omit<ActivityDeps, 'temporal' | 'mail'> & Partial<Pick<ActivityDeps, 'mail'>>,
  taskQueue = TASK_QUEUE,
): Promise<RunningWorker> {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run through jest (test/global-setup.ts)');
  let ownQueue: ReturnType<typeof testMailQueue> | undefined;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath },
    activities: createActivities({ ...deps, temporal: env.client, mail: deps.mail ?? { queue: (ownQueue = testMailQueue('worker')), publicUrl: 'http://localhost:3000' } }),
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await ownQueue?.obliterate();
    },
  };
}
