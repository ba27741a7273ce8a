// Offline verification of an exported history, for an auditor handed a file in a dispute:
//   npx tsx scripts/replay-history.ts <history.json> [workflowId]
// The file is what GET /api/audit/entrants/:id/history or `temporal workflow show --output json`
// writes. Prints the verdict as JSON; exits 0 on a match, 1 on a divergence, 2 on bad input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseHistoryJson, replay } from '../api/services/audit';

async function main(): Promise<number> {
  // The verdict alone goes to stdout; the SDK's own warnings about the divergence go to stderr.
  Runtime.install({
    logger: new DefaultLogger('ERROR', (e) => process.stderr.write(`${e.level} ${e.message}\n`)),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const [file, id] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx scripts/replay-history.ts <history.json> [workflowId]');
    return 2;
  }
  let history;
  try {
    history = parseHistoryJson(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    console.error(`not a workflow history: ${(err as Error).message}`);
    return 2;
  }
  const verdict = await replay(history, id ?? path.basename(file, '.json'));
  console.log(JSON.stringify(verdict, null, 2));
  return verdict.match ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
