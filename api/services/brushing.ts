// Vote-brushing flags (刷票) for the province admin: list, dismiss, or confirm — a confirmation
// disqualifies the entrant through its lifecycle (取消资格), the flag and its evidence recorded
// in the workflow's history and in the entrant's transitions.
import { AppError } from '../../lib/errors';
import type { Principal } from '../../lib/rules/scope';
import { disqualifyUpdate } from '../../workflows';
import type { ApiDeps } from '../deps';
import { fromTemporal } from '../errors';
import { actorOf, loadEntrant } from './entrants';

interface FlagRow {
  id: string;
  campaign_id: string;
  entrant_id: string;
  kind: string;
  window_start: Date;
  window_end: Date;
  evidence: Record<string, unknown>;
  state: 'open' | 'dismissed' | 'confirmed';
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  created_at: Date;
  entrant_name?: string;
  entrant_state?: string;
  category?: string;
}

const FLAG_SELECT = `select f.*, e.name as entrant_name, e.state as entrant_state, e.category from brushing_flag f join entrant e on e.id = f.entrant_id`;

function describeFlag(f: FlagRow) {
  return {
    id: f.id,
    campaignId: f.campaign_id,
    entrant: { id: f.entrant_id, name: f.entrant_name, state: f.entrant_state, category: f.category },
    kind: f.kind,
    window: { from: new Date(f.window_start).toISOString(), to: new Date(f.window_end).toISOString() },
    evidence: f.evidence,
    state: f.state,
    reason: f.reason,
    decidedAt: f.decided_at ? new Date(f.decided_at).toISOString() : null,
    createdAt: new Date(f.created_at).toISOString(),
  };
}

export async function listFlags(deps: ApiDeps, q: { campaignId?: string; state?: string; entrantId?: string; page: number; pageSize: number }) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.campaignId) (where.push('f.campaign_id = ?'), args.push(q.campaignId));
  if (q.state) (where.push('f.state = ?'), args.push(q.state));
  if (q.entrantId) (where.push('f.entrant_id = ?'), args.push(q.entrantId));
  const clause = where.length ? `where ${where.join(' and ')}` : '';
  const conn = deps.orm.em.fork().getConnection();
  const [{ total }] = await conn.execute(`select count(*)::int as total from brushing_flag f ${clause}`, args);
  const rows = await conn.execute(`${FLAG_SELECT} ${clause} order by f.created_at desc, f.id limit ? offset ?`, [...args, q.pageSize, (q.page - 1) * q.pageSize]);
  return { total, page: q.page, pageSize: q.pageSize, items: (rows as FlagRow[]).map(describeFlag) };
}

async function loadOpenFlag(deps: ApiDeps, id: string): Promise<FlagRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`${FLAG_SELECT} where f.id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no brushing flag ${id}`);
  if (row.state !== 'open') throw new AppError('Conflict', `this flag was already ${row.state}`);
  return row as FlagRow;
}

async function decide(deps: ApiDeps, p: Principal, id: string, state: 'dismissed' | 'confirmed', reason: string) {
  const conn = deps.orm.em.fork().getConnection();
  const rows = await conn.execute(`update brushing_flag set state = ?, reason = ?, decided_by = ?, decided_at = ? where id = ? and state = 'open' returning id`, [
    state, reason, p.accountId, new Date(deps.clock()), id,
  ]);
  if (rows.length === 0) throw new AppError('Conflict', 'this flag was decided meanwhile');
  const [row] = await conn.execute(`${FLAG_SELECT} where f.id = ?`, [id]);
  return describeFlag(row as FlagRow);
}

export async function dismissFlag(deps: ApiDeps, p: Principal, id: string, reason: string) {
  await loadOpenFlag(deps, id);
  return decide(deps, p, id, 'dismissed', reason);
}

/**
 * Confirms brushing: the entrant's lifecycle disqualifies it (its validator refuses an entrant
 * that has already ended), then the flag is marked confirmed. A retry after a crash between the
 * two finds the entrant disqualified already and only marks the flag.
 */
export async function confirmFlag(deps: ApiDeps, p: Principal, id: string, reason: string) {
  const flag = await loadOpenFlag(deps, id);
  const entrant = await loadEntrant(deps, flag.entrant_id);
  if (entrant.state !== 'disqualified') {
    const evidence = JSON.stringify({
      brushingFlagId: flag.id,
      kind: flag.kind,
      window: { from: new Date(flag.window_start).toISOString(), to: new Date(flag.window_end).toISOString() },
      evidence: flag.evidence,
    });
    try {
      await deps.temporal.workflow.getHandle(entrant.workflow_id).executeUpdate(disqualifyUpdate, {
        args: [{ actor: actorOf(p), reason: `刷票 (vote brushing, flag ${flag.id}): ${reason}`, evidence }],
      });
    } catch (err) {
      throw fromTemporal(err) ?? err;
    }
  }
  return decide(deps, p, id, 'confirmed', reason);
}
