import { z } from 'zod';
import { EXPERT_CRITERIA, EXPERT_CRITERIA_KEYS, NOMINATION_STATES, type ExpertCriterion } from '../../lib/rules/quota';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { optionalReason, reason, stage } from '../schemas';
import { requireOwnCity } from '../services/recommendations';
import { activate, decide, decline, describeNomination, expertPool, listNominations, loadNomination, nominate } from '../services/nominations';

const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'not a campaign id');
const idParam = z.object({ id: z.uuid({ message: 'not a nomination id' }) });
const statement = z.string().trim().min(2, 'a statement against this criterion is required').max(1000);
// One statement per SPEC §6 criterion (推荐标准), named by its key.
const criteria = z.object(Object.fromEntries(EXPERT_CRITERIA_KEYS.map((k) => [k, statement.describe(EXPERT_CRITERIA[k])])) as Record<ExpertCriterion, typeof statement>);

const nominationBody = z.object({
  campaignId,
  /** Defaults to the city admin's own city; another city is refused. */
  cityId: z.number().int().positive().optional(),
  name: z.string().trim().min(1, 'name is required').max(50),
  email: z.email({ message: 'not an email address' }).max(200),
  title: z.string().trim().min(1, 'the professional title (职称) is required').max(100),
  speciality: z.string().trim().min(1, 'speciality is required').max(200),
  stages: z
    .array(stage)
    .min(1, 'at least one stage (primary, junior, senior)')
    .refine((s) => new Set(s).size === s.length, 'a stage is listed twice'),
  experience: z.string().trim().min(10, 'describe the nominee’s experience (at least 10 characters)').max(4000),
  criteria,
});

const token = z.string().trim().min(20, 'not an activation token').max(200);

export function nominationRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'post',
      path: '/api/nominations',
      summary: '市州推荐省级评审专家: a city admin nominates an expert for its city, in the nomination window, within its quota',
      tags: ['experts'],
      access: ['city_admin'],
      body: nominationBody,
      responses: { 201: 'nominated: the nomination and the city’s quota use' },
    },
    ({ body }, req) => nominate(deps, requirePrincipal(req), body),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/nominations',
      summary: 'Nominations with per-city quota use (city admin: its city; province: all or one city)',
      tags: ['experts'],
      access: ['city_admin', 'province_admin', 'auditor'],
      query: z.object({ campaignId, cityId: z.coerce.number().int().positive().optional(), state: z.enum(NOMINATION_STATES).optional() }),
    },
    ({ query }, req) => listNominations(deps, requirePrincipal(req), query),
  );

  routes.add(
    { method: 'get', path: '/api/nominations/:id', summary: 'One nomination with its trail', tags: ['experts'], access: ['city_admin', 'province_admin', 'auditor'], params: idParam },
    async ({ params }, req) => {
      const row = await loadNomination(deps, params.id);
      requireOwnCity(requirePrincipal(req), row.city_id, 'see this nomination');
      const trail = await deps.orm.em.fork().getConnection().execute(
        `select at, from_state, to_state, event_key, actor_role, reason, details->>'actorName' as actor_name from expert_nomination_transition where nomination_id = ? order by at, id`,
        [params.id],
      );
      return {
        ...describeNomination(row),
        decisions: trail.map((d: Record<string, unknown>) => ({
          at: new Date(d.at as string).toISOString(),
          from: d.from_state,
          to: d.to_state,
          event: String(d.event_key).split(':').slice(1).join(':'),
          by: { role: d.actor_role, name: d.actor_name ?? null },
          reason: d.reason ?? null,
        })),
      };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/nominations/:id/select',
      summary: '遴选: the province selects a nominee; the workflow mails a one-time activation link',
      tags: ['experts'],
      access: ['province_admin'],
      params: idParam,
      body: z.object({ reason: optionalReason }),
    },
    ({ params, body }, req) => decide(deps, requirePrincipal(req), params.id, 'select', body.reason),
  );

  routes.add(
    { method: 'post', path: '/api/nominations/:id/reject', summary: 'The province does not select a nominee, with a reason (frees the city’s place)', tags: ['experts'], access: ['province_admin'], params: idParam, body: z.object({ reason }) },
    ({ params, body }, req) => decide(deps, requirePrincipal(req), params.id, 'reject', body.reason),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/experts/activate',
      summary: '激活评审账号: the invited expert sets its password with the one-time link’s token (single use; expired → 409)',
      tags: ['experts'],
      access: 'public',
      body: z.object({ token, password: z.string().min(10, 'at least 10 characters').max(200) }),
    },
    ({ body }) => activate(deps, body.token, body.password),
  );

  routes.add(
    { method: 'post', path: '/api/experts/decline', summary: 'The invited expert declines (frees the city’s place)', tags: ['experts'], access: 'public', body: z.object({ token, reason: optionalReason }) },
    ({ body }) => decline(deps, body.token, body.reason),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/experts/pool',
      summary: '专家库: the selected pool of a campaign — selected, invited and active experts, per city',
      tags: ['experts'],
      access: ['province_admin', 'auditor'],
      query: z.object({ campaignId, cityId: z.coerce.number().int().positive().optional() }),
    },
    ({ query }) => expertPool(deps, query),
  );
}
