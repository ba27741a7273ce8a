import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';

// Histories recorded by earlier code must replay on today's code: this is what keeps old
// campaigns auditable. A failure here means a workflow change needs patched().
describe('stored histories', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

  test('when the fixtures are listed, then there are histories of every workflow type to replay', () => {
    const types = new Set(files.map((f) => f.split('-').slice(0, 2).join('-')));
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect([...types]).toEqual(expect.arrayContaining(['entrant-lifecycle', 'campaign-schedule']));
  });

  test('when every stored history is replayed on the current workflow code, then none diverges', async () => {
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
