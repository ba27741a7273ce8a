import type { Client } from '@temporalio/client';
import type { Orm } from '../db/orm';

/** What activities are built from; tests pass their own. */
export interface ActivityDeps {
  orm: Orm;
  temporal: Client;
}
