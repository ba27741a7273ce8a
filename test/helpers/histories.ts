import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ROOT } from './paths';

export const HISTORIES_DIR = path.join(ROOT, 'test', 'fixtures', 'histories');

/**
 * Saves a finished workflow's history as a replay fixture. Fixtures are committed: a
 * change to workflow code that cannot replay them must use patched().
 * Only written when UPDATE_HISTORIES=1, so a normal run never rewrites the fixtures.
 */
export async function exportHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // The same JSON as `temporal workflow show --output json`; the file name carries the workflow id.
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
