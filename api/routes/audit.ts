import type { Request } from 'express';
import { AppError } from '../../lib/errors';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { uuidParam } from '../schemas';
import { fetchHistory, historyJson, replay, timelineOf } from '../services/audit';
import { loadEntrant } from '../services/entrants';

// 审计: read-only views of an entrant's workflow history, for auditors settling a dispute.
export function auditRoutes(routes: Routes, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  /** Every audit request is itself logged, whatever its outcome. */
  const logged = async <T>(req: Request, action: string, entrantId: string, run: () => Promise<T>): Promise<T> => {
    const p = requirePrincipal(req);
    let outcome = 'ok';
    try {
      return await run();
    } catch (err) {
      outcome = err instanceof AppError ? err.kind : 'error';
      throw err;
    } finally {
      await conn().execute(`insert into audit_log (account_id, action, target, ip, outcome) values (?, ?, ?, ?, ?)`, [p.accountId, action, `entrant:${entrantId}`, req.ip ?? null, outcome]);
    }
  };

  const historyOf = async (id: string) => {
    const row = await loadEntrant(deps, id);
    return { row, history: await fetchHistory(deps.temporal, row.workflow_id) };
  };

  routes.add(
    { method: 'get', path: '/api/audit/entrants/:id/timeline', summary: 'The entrant’s lifecycle as a readable timeline from its workflow history: when, who, what, why', tags: ['audit'], access: ['auditor'], params: uuidParam },
    ({ params }, req) =>
      logged(req, 'timeline', params.id, async () => {
        const { row, history } = await historyOf(params.id);
        return { entrantId: row.id, workflowId: row.workflow_id, state: row.state, steps: timelineOf(history) };
      }),
  );

  routes.add(
    { method: 'get', path: '/api/audit/entrants/:id/history', summary: 'The raw workflow history as `temporal workflow show --output json` writes it', tags: ['audit'], access: ['auditor'], params: uuidParam },
    ({ params }, req, res) =>
      logged(req, 'history', params.id, async () => {
        const { row, history } = await historyOf(params.id);
        res.type('application/json').attachment(`${row.workflow_id}.json`).send(historyJson(history));
        return undefined;
      }),
  );

  routes.add(
    { method: 'post', path: '/api/audit/entrants/:id/replay', summary: 'Replays the stored history with the current workflow code: a match, or where they diverge', tags: ['audit'], access: ['auditor'], params: uuidParam },
    ({ params }, req) =>
      logged(req, 'replay', params.id, async () => {
        const { row, history } = await historyOf(params.id);
        return replay(history, row.workflow_id);
      }),
  );

  routes.add(
    { method: 'get', path: '/api/audit/log', summary: 'Who asked the audit endpoints what, and when', tags: ['audit'], access: ['auditor', 'province_admin'] },
    async () => ({
      items: await conn().execute(`select l.at, l.action, l.target, l.outcome, a.username from audit_log l join account a on a.id = l.account_id order by l.at desc limit 500`),
    }),
  );
}
