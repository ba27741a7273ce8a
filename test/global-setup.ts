import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import { initORM, migrate } from '../db/orm';
import { seedRegions } from '../db/seed';
import { ROOT } from './helpers/paths';

// One database per run (dropped after), migrated and seeded once; one workflow bundle per
// run. Tests isolate themselves by their own campaign ids and Redis prefixes.
export default async function globalSetup(): Promise<void> {
  const admin = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `lss_test_${Date.now()}_${process.pid}`;
  const pg = new Client({ connectionString: admin });
  await pg.connect();
  await pg.query(`create database ${name}`);
  await pg.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_URL = url.toString();
  process.env.TEST_DATABASE_NAME = name;
  process.env.TEST_REDIS_PREFIX = `lss-test-${Date.now()}-${process.pid}`;

  const orm = await initORM(process.env.TEST_DATABASE_URL);
  await migrate(orm);
  await seedRegions(orm);
  await orm.close();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'lss-bundle-'));
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows'), logger: quietLogger });
  const codePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = codePath;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
