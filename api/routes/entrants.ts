import type { UpdateDefinition } from '@temporalio/common';
import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { ENTRANT_STATES } from '../../lib/rules/entrant-state';
import { scopeFilter, type Principal } from '../../lib/rules/scope';
import { approveUpdate, disqualifyUpdate, rejectUpdate, resubmitUpdate, withdrawUpdate, type EntrantEdits, type EntrantView } from '../../workflows';
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
  requireRegistrationOpen,
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
  subject: z.string().trim().min(1).max(50).optional(),
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
      const { row, created, view } = await register(deps, requirePrincipal(req), body, key);
      res.status(created ? 201 : 200).json(view ?? (await describeEntrant(deps, row, 'full')));
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
      for (const [key, column] of [['state', 'state'], ['category', 'category'], ['stage', 'stage'], ['subject', 'subject'], ['cityId', 'city_id'], ['countyId', 'county_id'], ['schoolId', 'school_id']] as const) {
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

  /**
   * A decision on an entrant: who may take it (the check), then the lifecycle update whose
   * validator has the last word (409 with its reason); answers the entrant as it now stands.
   */
  const decide = <A>(check: (row: EntrantRow, p: Principal) => void | Promise<void>, update: UpdateDefinition<EntrantView, [A]>, args: (p: Principal) => A) =>
    async (id: string, req: Request) => {
      const p = requirePrincipal(req);
      const row = await loadEntrant(deps, id);
      await check(row, p);
      requireOpen(row);
      await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(update, { args: [args(p)] });
      return fresh(row);
    };

  routes.add(
    { method: 'post', path: '/api/entrants/:id/approve', summary: '资格审核: the entrant’s school admin approves', tags: ['entrants'], access: ['school_admin'], params: uuidParam, body: z.object({ reason: optionalReason }) },
    ({ params, body }, req) => decide(async (row, p) => {
      requireInScope(row, p, 'approve');
      await requireRegistrationOpen(deps, row, 'approve');
    }, approveUpdate, (p) => ({ actor: actorOf(p), reason: body.reason }))(params.id, req),
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/reject', summary: '资格审核: the entrant’s school admin rejects, with a reason', tags: ['entrants'], access: ['school_admin'], params: uuidParam, body: z.object({ reason }) },
    ({ params, body }, req) => decide(async (row, p) => {
      requireInScope(row, p, 'reject');
      await requireRegistrationOpen(deps, row, 'reject');
    }, rejectUpdate, (p) => ({ actor: actorOf(p), reason: body.reason }))(params.id, req),
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/resubmit', summary: 'After a rejection: correct the entry and submit it again before registration closes', tags: ['entrants'], access: 'authenticated', params: uuidParam, body: resubmitBody },
    ({ params, body }, req) => {
      const { reason: why, browseCredentials, ...rest } = body;
      const edits: EntrantEdits = { ...rest };
      if (browseCredentials) edits.browseCredentials = sealCredentials(deps.config.credentialsKey, browseCredentials);
      return decide(async (row, p) => {
      requireOwner(row, p, 'resubmit');
      await requireRegistrationOpen(deps, row, 'resubmit');
    }, resubmitUpdate, (p) => ({ actor: actorOf(p), reason: why, edits }))(params.id, req);
    },
  );

  routes.add(
    { method: 'post', path: '/api/entrants/:id/withdraw', summary: 'The entrant withdraws before review', tags: ['entrants'], access: 'authenticated', params: uuidParam, body: z.object({ reason: optionalReason }) },
    ({ params, body }, req) => decide((row, p) => requireOwner(row, p, 'withdraw'), withdrawUpdate, (p) => ({ actor: actorOf(p), reason: body.reason }))(params.id, req),
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
    // Province-wide: the role check of the route is the whole scope check.
    ({ params, body }, req) => decide(() => undefined, disqualifyUpdate, (p) => ({ actor: actorOf(p), reason: body.reason, evidence: body.evidence }))(params.id, req),
  );
}
