import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { ENTRANT_STATES } from '../../lib/rules/entrant-state';
import { scopeFilter } from '../../lib/rules/scope';
import { approveUpdate, disqualifyUpdate, rejectUpdate, resubmitUpdate, withdrawUpdate, type EntrantEdits } from '../../workflows';
import { requirePrincipal } from '../auth';
import { sealCredentials } from '../credentials';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { category, entrantFields, optionalReason, pageQuery, reason, stage, uuidParam } from '../schemas';
import {
  actorOf,
  describeEntrant,
  loadEntrant,
  PUBLIC_STATES,
  register,
  requireInScope,
  requireOpen,
  requireOwner,
  visibility,
  type EntrantRow,
} from '../services/entrants';

const registrationBody = z.object({
  campaignId: z.string().min(1),
  category,
  schoolId: z.number().int().positive(),
  ...entrantFields,
});

const listQuery = z.object({
  campaignId: z.string().min(1),
  state: z.enum(ENTRANT_STATES).optional(),
  category: category.optional(),
  stage: stage.optional(),
  cityId: z.coerce.number().int().positive().optional(),
  countyId: z.coerce.number().int().positive().optional(),
  schoolId: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(50).optional(),
  ...pageQuery,
});

const resubmitBody = z.object({
  name: entrantFields.name.optional(),
  subject: entrantFields.subject.optional(),
  stage: stage.optional(),
  spaceUrl: entrantFields.spaceUrl.optional(),
  platform: entrantFields.platform.optional(),
  browseCredentials: entrantFields.browseCredentials,
  reason: optionalReason,
});

export function entrantRoutes(routes: Routes, deps: ApiDeps): void {
  const fresh = async (row: EntrantRow) => describeEntrant(deps, await loadEntrant(deps, row.id), 'full');

  routes.add(
    {
      method: 'post',
      path: '/api/entrants',
      summary: '我要报名: register a space in a campaign (Idempotency-Key header makes retries safe)',
      tags: ['entrants'],
      access: ['teacher', 'education_worker', 'student'],
      body: registrationBody,
      responses: { 201: 'registered', 200: 'the same registration, retried' },
    },
    async ({ body }, req, res) => {
      const key = req.get('idempotency-key');
      if (key !== undefined && !/^[\w.:-]{8,100}$/.test(key)) {
        throw new AppError('ValidationFailed', 'Idempotency-Key must be 8–100 letters, digits or . _ : -', [{ path: 'header.Idempotency-Key', message: 'malformed' }]);
      }
      const { row, created } = await register(deps, requirePrincipal(req), body, key);
      res.status(created ? 201 : 200).json(await describeEntrant(deps, row, 'full'));
    },
  );

  routes.add(
    { method: 'get', path: '/api/entrants/:id', summary: 'One entrant: public fields, or state, deadlines and decisions for its owner and admins', tags: ['entrants'], access: 'public', params: uuidParam },
    async ({ params }, req) => {
      const row = await loadEntrant(deps, params.id);
      const level = visibility(row, req.principal);
      if (level === 'none') throw new AppError('NotFound', `no entrant ${params.id}`);
      return describeEntrant(deps, row, level);
    },
  );

  routes.add(
    { method: 'get', path: '/api/entrants', summary: 'List entrants (admins: their subtree; public: approved spaces)', tags: ['entrants'], access: 'public', query: listQuery },
    async ({ query }, req) => {
      const where: string[] = ['e.campaign_id = ?'];
      const args: unknown[] = [query.campaignId];
      const p = req.principal;
      const admin = p && (['school_admin', 'county_admin', 'city_admin', 'province_admin', 'auditor'] as string[]).includes(p.role);
      if (admin) {
        const scope = scopeFilter(p);
        if (scope) {
          where.push(`e.${scope.column} = ?`);
          args.push(scope.id);
        }
      } else {
        where.push(`e.state = any(?::text[])`);
        args.push(`{${PUBLIC_STATES.join(',')}}`);
      }
      for (const [key, column] of [['state', 'state'], ['category', 'category'], ['stage', 'stage'], ['cityId', 'city_id'], ['countyId', 'county_id'], ['schoolId', 'school_id']] as const) {
        if (query[key] !== undefined) {
          where.push(`e.${column} = ?`);
          args.push(query[key]);
        }
      }
      if (query.q) {
        where.push(`(e.name ilike ? or e.subject ilike ?)`);
        args.push(`%${query.q}%`, `%${query.q}%`);
      }
      const conn = deps.orm.em.fork().getConnection();
      const sql = `from entrant e join school s on s.id = e.school_id join county c on c.id = e.county_id join city ci on ci.id = e.city_id where ${where.join(' and ')}`;
      const [{ total }] = await conn.execute(`select count(*)::int as total ${sql}`, args);
      const rows = await conn.execute(
        `select e.id, e.category, e.name, e.subject, e.stage, e.state, e.registered_at, e.recommended, s.name as school, c.name as county, ci.name as city
         ${sql} order by e.registered_at, e.id limit ? offset ?`,
        [...args, query.pageSize, (query.page - 1) * query.pageSize],
      );
      return {
        total,
        page: query.page,
        pageSize: query.pageSize,
        items: rows.map((r: Record<string, unknown>) => ({ ...r, registered_at: undefined, registeredAt: new Date(r.registered_at as string).toISOString() })),
      };
    },
  );

  routes.add(
    { method: 'get', path: '/api/me/entrants', summary: 'My registrations with their states and decisions', tags: ['entrants'], access: 'authenticated' },
    async (_input, req) => {
      const p = requirePrincipal(req);
      const rows = await deps.orm.em.fork().getConnection().execute(`select * from entrant where account_id = ? order by registered_at`, [p.accountId]);
      return { items: await Promise.all((rows as EntrantRow[]).map((r) => describeEntrant(deps, r, 'full'))) };
    },
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/approve', summary: '资格审核: the entrant’s school admin approves', tags: ['entrants'], access: ['school_admin'], params: uuidParam, body: z.object({ reason: optionalReason }) },
    async ({ params, body }, req) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, params.id);
      requireInScope(row, p, 'approve');
      requireOpen(row);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(approveUpdate, { args: [{ actor: actorOf(p), reason: body.reason }] });
      return fresh(row);
    },
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/reject', summary: '资格审核: the entrant’s school admin rejects, with a reason', tags: ['entrants'], access: ['school_admin'], params: uuidParam, body: z.object({ reason }) },
    async ({ params, body }, req) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, params.id);
      requireInScope(row, p, 'reject');
      requireOpen(row);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(rejectUpdate, { args: [{ actor: actorOf(p), reason: body.reason }] });
      return fresh(row);
    },
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/resubmit', summary: 'After a rejection: correct the entry and submit it again before registration closes', tags: ['entrants'], access: 'authenticated', params: uuidParam, body: resubmitBody },
    async ({ params, body }, req) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, params.id);
      requireOwner(row, p, 'resubmit');
      requireOpen(row);
      const { reason: why, browseCredentials, ...rest } = body;
      const edits: EntrantEdits = { ...rest };
      if (browseCredentials) edits.browseCredentials = sealCredentials(deps.config.credentialsKey, browseCredentials);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(resubmitUpdate, { args: [{ actor: actorOf(p), reason: why, edits }] });
      return fresh(row);
    },
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/withdraw', summary: 'The entrant withdraws before review', tags: ['entrants'], access: 'authenticated', params: uuidParam, body: z.object({ reason: optionalReason }) },
    async ({ params, body }, req) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, params.id);
      requireOwner(row, p, 'withdraw');
      requireOpen(row);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(withdrawUpdate, { args: [{ actor: actorOf(p), reason: body.reason }] });
      return fresh(row);
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/entrants/:id/disqualify',
      summary: '取消资格: the province disqualifies, with reason and evidence (content, copyright, 刷票)',
      tags: ['entrants'],
      access: ['province_admin'],
      params: uuidParam,
      body: z.object({ reason, evidence: z.string().trim().max(4000).optional() }),
    },
    async ({ params, body }, req) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, params.id);
      requireOpen(row);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(disqualifyUpdate, { args: [{ actor: actorOf(p), reason: body.reason, evidence: body.evidence }] });
      return fresh(row);
    },
  );
}
