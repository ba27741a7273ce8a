import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';

// Workflow code must stay deterministic: it may import @temporalio/workflow, types from
// activities/, and the pure modules of lib/ — never db/, api/, an ORM, a server or Node.
const FORBIDDEN = /^(node:|fs$|path$|crypto$|child_process$|http$|os$|@mikro-orm\/|express$|bullmq$|ioredis$|nodemailer$|pg$|argon2$|zod$|@temporalio\/(client|worker|activity)$)/;

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const src = readFileSync(file, 'utf8');
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[3], typeOnly: Boolean(m[2]) });
  for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find(existsSync);
}

test('when the workflow bundle’s imports are followed, then none reaches a non-deterministic module', () => {
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { spec, typeOnly } of importsOf(file)) {
      if (typeOnly) continue;
      const rel = path.relative(ROOT, file);
      if (!spec.startsWith('.')) {
        if (FORBIDDEN.test(spec)) problems.push(`${rel} imports ${spec}`);
        continue;
      }
      const target = resolveLocal(file, spec);
      if (!target) continue;
      const top = path.relative(ROOT, target).split(path.sep)[0];
      if (['db', 'api', 'activities', 'worker', 'scripts'].includes(top)) problems.push(`${rel} imports ${spec} (${top}/ — only types may come from there)`);
      else visit(target);
    }
  };
  visit(path.join(ROOT, 'workflows', 'index.ts'));
  expect(seen.size).toBeGreaterThan(3);
  expect(problems).toEqual([]);
});
