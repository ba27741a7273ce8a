import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { optionalReason, reason } from '../schemas';
import { describeWindow, loadCampaignConfig, recommend, requireOwnCity, summaries, withdrawRecommendation } from '../services/recommendations';

const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'not a campaign id');
const group = z.enum(['teacher', 'student']);

export function recommendationRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'post',
      path: '/api/recommendations',
      summary: '市州推优: a city admin recommends an approved entrant of its city, within the quota of its group (teachers incl. education workers / students)',
      tags: ['recommendations'],
      access: ['city_admin'],
      body: z.object({ entrantId: z.uuid({ message: 'not an entrant id' }), reason: optionalReason }),
      responses: { 201: 'recommended: the recommendation, with quota use, stage mix and stage warnings of the city' },
    },
    ({ body }, req) => recommend(deps, requirePrincipal(req), body),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/recommendations/:id/withdraw',
      summary: '撤回推优: withdraw a recommendation of one’s city until the window closes (frees the place)',
      tags: ['recommendations'],
      access: ['city_admin'],
      params: z.object({ id: z.uuid({ message: 'not a recommendation id' }) }),
      body: z.object({ reason }),
    },
    ({ params, body }, req) => withdrawRecommendation(deps, requirePrincipal(req), params.id, body.reason),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/recommendations',
      summary: 'Recommendations per city and group with quota use, stage mix (小学/初中/高中) and missing-stage warnings (city admin: its city; province: all or one city)',
      tags: ['recommendations'],
      access: ['city_admin', 'province_admin', 'auditor'],
      query: z.object({
        campaignId,
        category: group.optional(),
        cityId: z.coerce.number().int().positive().optional(),
        withdrawn: z.enum(['true', 'false']).optional(),
      }),
    },
    async ({ query }, req) => {
      const p = requirePrincipal(req);
      if (query.cityId !== undefined) requireOwnCity(p, query.cityId, 'see the recommendations of this city');
      const cityId = p.role === 'city_admin' ? p.cityId! : query.cityId;
      const campaign = await loadCampaignConfig(deps, query.campaignId);
      const items = await summaries(deps, campaign, { cityId, category: query.category, withWithdrawn: query.withdrawn === 'true' });
      if (cityId !== undefined && items.length === 0) throw new AppError('NotFound', `no city ${cityId}`);
      return { campaignId: campaign.id, window: describeWindow(campaign.schedule.windows.recommendation, deps.clock()), items };
    },
  );
}
