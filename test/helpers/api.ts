import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { buildApp } from '../../api/app';
import { Sessions } from '../../api/auth';
import type { ApiDeps } from '../../api/deps';
import type { Orm } from '../../db/orm';
import type { Role } from '../../db/entities';
import { loadConfig } from '../../lib/config';
import { makeAccount } from './db';

export interface TestApi {
  app: Express;
  deps: ApiDeps;
  /** Moves the API's clock; undefined returns to real time. */
  setNow(ms: number | undefined): void;
  close(): Promise<void>;
}

export function testApi(orm: Orm, env: TestWorkflowEnvironment, overrides: Record<string, string> = {}): TestApi {
  const config = loadConfig({
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    REDIS_PREFIX: process.env.TEST_REDIS_PREFIX,
    CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...overrides,
  });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `${config.REDIS_PREFIX}:`, maxRetriesPerRequest: 1 });
  let fixed: number | undefined;
  const errors: unknown[] = [];
  const deps: ApiDeps = {
    config,
    orm,
    temporal: env.client,
    redis,
    sessions: new Sessions(orm, config.SESSION_TTL_HOURS),
    clock: () => fixed ?? Date.now(),
    log: (msg, err) => {
      errors.push(err);
      console.error(msg, err);
    },
  };
  return {
    app: buildApp(deps),
    deps,
    setNow: (ms) => (fixed = ms),
    close: async () => {
      await redis.quit();
    },
  };
}

/** Creates an account and logs it in over the API; returns a bearer header for supertest. */
export async function loginAs(api: TestApi, role: Role, scope: { cityId?: number; countyId?: number; schoolId?: number } = {}) {
  const account = await makeAccount(api.deps.orm, role, scope);
  const res = await request(api.app).post('/api/auth/login').send({ username: account.username, password: account.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...account, auth: { Authorization: `Bearer ${res.body.token}` }, token: res.body.token as string, cookies: res.headers['set-cookie'] as unknown as string[] };
}
