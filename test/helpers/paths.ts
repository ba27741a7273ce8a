import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

function tool(name: string): string {
  const local = path.join(ROOT, '.tools', 'venv', 'bin', name);
  if (existsSync(local)) return local;
  throw new Error(`${name} not found at ${local}: run \`bash scripts/ensure-tools.sh\``);
}

export const temporalCli = () => tool('temporal');
export const temporalTestServer = () => tool('temporal-test-server');
