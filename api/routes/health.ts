import type { ApiDeps } from '../deps';
import type { Routes } from '../route';

async function probe(check: () => Promise<unknown>, ms = 2000): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
    return 'ok';
  } catch (err) {
    return `failing: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add({ method: 'get', path: '/api/health', summary: 'PostgreSQL, Redis and Temporal, each ok or failing (503 when one fails)', tags: ['ops'], access: 'public', responses: { 200: 'all ok', 503: 'a dependency fails' } }, async (_i, _req, res) => {
    const [postgres, redis, temporal] = await Promise.all([
      probe(() => deps.orm.em.fork().getConnection().execute('select 1')),
      probe(() => deps.redis.ping()),
      probe(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const checks = { postgres, redis, temporal };
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'failing', checks });
  });

  routes.add({ method: 'get', path: '/api/openapi.json', summary: 'This OpenAPI document', tags: ['ops'], access: 'public' }, async () => routes.openapi());
}
