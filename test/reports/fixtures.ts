import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../../db/orm';
import type { Category } from '../../lib/rules/schedule';
import { uniqueId } from '../helpers/db';

/** The report path never touches Temporal: an API whose workflow client is never called. */
export const noTemporal = { client: {} } as unknown as TestWorkflowEnvironment;

export interface EntrantBatch {
  /** School code, e.g. 420205-01. */
  school: string;
  category: Category;
  count: number;
  registeredAt: string;
  approvedAt?: string;
  state?: string;
  recommended?: boolean;
  /** The entrant left (withdrew or was disqualified) at this instant. */
  left?: { state: 'withdrawn' | 'disqualified'; at: string };
}

/**
 * Entrant rows straight into the tables, one account each, as the lifecycle's activities
 * would have left them: fixtures for reports, without running a workflow per entrant.
 */
export async function loadEntrants(orm: Orm, campaignId: string, batches: EntrantBatch[]): Promise<void> {
  const conn = orm.em.fork().getConnection();
  for (const b of batches) {
    const prefix = uniqueId('r');
    const state = b.left?.state ?? b.state ?? (b.approvedAt ? 'approved' : 'pending_approval');
    const rows = await conn.execute(
      `with acc as (
         insert into account (id, username, password_hash, display_name, role)
         select gen_random_uuid(), ? || '-' || g, 'x', '参赛者' || g, ? from generate_series(1, ?) g
         returning id
       ), ids as (select id as account_id, gen_random_uuid() as id from acc)
       insert into entrant (id, campaign_id, account_id, category, name, school_id, county_id, city_id, subject, stage, space_url, platform,
                            state, workflow_id, registered_at, approved_at, recommended)
       select ids.id, ?, ids.account_id, ?, '参赛者', s.id, s.county_id, s.city_id, '数学', 'primary', 'https://space.example.edu/u', '湖北教育云',
              ?, 'entrant-' || ? || '-' || ids.id, ?::timestamptz, ?::timestamptz, ?
         from ids, school s where s.code = ?
       returning id, workflow_id`,
      [prefix, b.category === 'student' ? 'student' : 'teacher', b.count, campaignId, b.category, state, campaignId, b.registeredAt, b.approvedAt ?? null, b.recommended ?? false, b.school],
    );
    if (rows.length !== b.count) throw new Error(`school ${b.school} not found`);
    if (b.left) {
      await conn.execute(
        `insert into entrant_transition (entrant_id, workflow_id, event_key, from_state, to_state, actor_role, reason, at)
         select id, workflow_id, '9:left', ?, ?, 'teacher', 'fixture', ?::timestamptz from entrant where id = any(?::uuid[])`,
        [b.approvedAt ? 'approved' : 'pending_approval', b.left.state, b.left.at, `{${rows.map((r) => String(r.id)).join(',')}}`],
      );
    }
  }
}
