import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { orderFourthReviewUpdate, runAssignmentUpdate } from '../../workflows';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { campaignIdParam, pageQuery, reason } from '../schemas';
import { actorOf } from '../services/entrants';
import { campaignUpdate, getAssignment, listAssignments, listFlags, listRuns, listSpaces, loadFlag, stepDown, submitScore } from '../services/review';

const entrantParam = z.object({ entrantId: z.uuid({ message: 'not an entrant id' }) });
const campaignQuery = z.object({ campaignId: campaignIdParam.shape.id });
// Values are checked against the space's rubric by lib/rules/scoring, all refusals at once.
const scoreBody = z.object({
  items: z.record(z.string(), z.unknown()),
  adjustment: z.unknown().optional(),
});
const REVIEW_ADMINS = ['province_admin', 'auditor'] as const;

export function reviewRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/api/review/assignments',
      summary: '专家评审: my assigned spaces with their scoring guide, bonus/penalty range, browse credentials and my scores',
      tags: ['review'],
      access: ['expert'],
      query: z.object({ campaignId: campaignIdParam.shape.id.optional() }),
    },
    async ({ query }, req) => ({ items: await listAssignments(deps, requirePrincipal(req), query.campaignId) }),
  );

  routes.add(
    { method: 'get', path: '/api/review/assignments/:entrantId', summary: 'One of my assigned spaces (404 when it is not assigned to me)', tags: ['review'], access: ['expert'], params: entrantParam },
    async ({ params }, req) => getAssignment(deps, requirePrincipal(req), params.entrantId),
  );

  routes.add(
    {
      method: 'put',
      path: '/api/review/assignments/:entrantId/score',
      summary: '评分: give or edit my score of an assigned space until my deadline (items by rubric key, and the bonus/penalty)',
      tags: ['review'],
      access: ['expert'],
      params: entrantParam,
      body: scoreBody,
    },
    async ({ params, body }, req) => submitScore(deps, requirePrincipal(req), params.entrantId, body),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/review/assignments/:entrantId/conflict',
      summary: '回避: declare a conflict of interest with an assigned space; another expert is drawn',
      tags: ['review'],
      access: ['expert'],
      params: entrantParam,
      body: z.object({ reason }),
    },
    async ({ params, body }, req) => stepDown(deps, requirePrincipal(req), params.entrantId, 'conflict', body.reason),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/review/assignments/:entrantId/decline',
      summary: 'Decline an assigned space before scoring it; another expert is drawn',
      tags: ['review'],
      access: ['expert'],
      params: entrantParam,
      body: z.object({ reason }),
    },
    async ({ params, body }, req) => stepDown(deps, requirePrincipal(req), params.entrantId, 'declined', body.reason),
  );

  routes.add(
    { method: 'get', path: '/api/review/runs', summary: 'Every draw of a campaign with its seed and report (what could not be met, when infeasible)', tags: ['review'], access: REVIEW_ADMINS, query: campaignQuery },
    async ({ query }) => ({ items: await listRuns(deps, query.campaignId) }),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/review/assign',
      summary: 'Run the draw again after fixing what made it infeasible (spaces without experts, vacancies)',
      tags: ['review'],
      access: ['province_admin'],
      body: z.object({ campaignId: campaignIdParam.shape.id, reason }),
    },
    async ({ body }, req) =>
      campaignUpdate(deps, body.campaignId, (h) => h.executeUpdate(runAssignmentUpdate, { args: [{ actor: actorOf(requirePrincipal(req)), reason: body.reason }] })),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/review/spaces',
      summary: 'The spaces in review with their experts (replacements kept) and totals',
      tags: ['review'],
      access: REVIEW_ADMINS,
      query: z.object({ campaignId: campaignIdParam.shape.id, ...pageQuery }),
    },
    async ({ query }) => listSpaces(deps, query.campaignId, query.page, query.pageSize),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/review/flags',
      summary: 'Spaces whose expert totals differ by more than the campaign’s threshold',
      tags: ['review'],
      access: REVIEW_ADMINS,
      query: z.object({ campaignId: campaignIdParam.shape.id, state: z.enum(['open', 'cleared', 'fourth_review']).optional() }),
    },
    async ({ query }) => ({ items: await listFlags(deps, query.campaignId, query.state) }),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/review/flags/:id/fourth-review',
      summary: 'Order a fourth review of a flagged space: one more expert is drawn; the total farthest from the median is then dropped',
      tags: ['review'],
      access: ['province_admin'],
      params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'not a flag id') }),
      body: z.object({ reason }),
    },
    async ({ params, body }, req) => {
      const flag = await loadFlag(deps, params.id);
      if (flag.state !== 'open') throw new AppError('Conflict', `this flag is ${flag.state}; only an open flag takes a fourth review`);
      const result = await campaignUpdate(deps, flag.campaign_id, (h) =>
        h.executeUpdate(orderFourthReviewUpdate, { args: [{ flagId: flag.id, actor: actorOf(requirePrincipal(req)), reason: body.reason }] }),
      );
      if (result.status === 'infeasible') throw new AppError('Conflict', result.message ?? 'no eligible expert is left for a fourth review', result.problems);
      return result;
    },
  );
}
