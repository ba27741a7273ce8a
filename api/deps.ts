import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Orm } from '../db/orm';
import type { Config } from '../lib/config';
import type { Sessions } from './auth';

/** What the API is built from; tests build it with their own servers and clock. */
export interface ApiDeps {
  config: Config;
  orm: Orm;
  temporal: Client;
  redis: Redis;
  sessions: Sessions;
  /** Milliseconds since the epoch; injectable so tests can stand at a deadline. */
  clock: () => number;
  log: (msg: string, err?: unknown) => void;
}
