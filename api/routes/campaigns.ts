import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { insertCampaign } from '../../db/seed';
import { campaignConfigSchema } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import { campaignWorkflowId } from '../../lib/ids';
import type { Schedule } from '../../lib/rules/schedule';
import { advanceWindowUpdate, extendWindowUpdate } from '../../workflows';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { campaignIdParam, reason, windowKey } from '../schemas';
import { actorOf } from '../services/entrants';
import { describeSchedule, startCampaignWorkflow } from '../services/campaigns';

const windowParams = z.object({ id: campaignIdParam.shape.id, window: windowKey });

export function campaignRoutes(routes: Routes, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  /** An update on a campaign's clock (its workflow): 404 for no such campaign, 409 when its clock has stopped. */
  const onClock = async <T>(id: string, update: (clock: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<T>): Promise<T> => {
    const [campaign] = await conn().execute(`select id from campaign where id = ?`, [id]);
    if (!campaign) throw new AppError('NotFound', `no campaign ${id}`);
    try {
      return await update(deps.temporal.workflow.getHandle(campaignWorkflowId(id)));
    } catch (err) {
      // gRPC NOT_FOUND (5): the workflow has completed.
      if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) throw new AppError('Conflict', `the clock of campaign ${id} is not running, so its schedule cannot change`);
      throw err;
    }
  };

  routes.add({ method: 'get', path: '/api/campaigns', summary: 'Campaigns with their current phases', tags: ['campaigns'], access: 'public' }, async () => {
    const rows = await conn().execute(`select id, name, year, schedule, demo from campaign order by created_at desc`);
    return { items: rows.map((r: Record<string, unknown>) => ({ id: r.id, name: r.name, year: r.year, demo: r.demo, schedule: describeSchedule(r.schedule as Schedule, deps.clock()) })) };
  });

  routes.add({ method: 'get', path: '/api/campaigns/:id', summary: 'A campaign: schedule with phases and the next deadline, quotas, rubric', tags: ['campaigns'], access: 'public', params: campaignIdParam }, async ({ params }) => {
    const [r] = await conn().execute(`select id, name, year, schedule, config, demo from campaign where id = ?`, [params.id]);
    if (!r) throw new AppError('NotFound', `no campaign ${params.id}`);
    const { windows: _w, ...config } = r.config;
    return { id: r.id, name: r.name, year: r.year, demo: r.demo, schedule: describeSchedule(r.schedule as Schedule, deps.clock()), config };
  });

  routes.add(
    {
      method: 'post',
      path: '/api/campaigns',
      summary: 'Create a campaign with its whole configuration (validated) and start its clock',
      tags: ['campaigns'],
      access: ['province_admin'],
      body: z.object({ id: campaignIdParam.shape.id, name: z.string().trim().min(1).max(100), year: z.number().int().min(2000).max(2100), config: campaignConfigSchema }),
      responses: { 201: 'created' },
    },
    async ({ body }) => {
      const created = await insertCampaign(deps.orm, body);
      if (!created) throw new AppError('Conflict', `campaign ${body.id} already exists`);
      await startCampaignWorkflow(deps.temporal, body.id, body.config.windows);
      return { id: body.id, schedule: describeSchedule({ version: 1, windows: body.config.windows }, deps.clock()) };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/campaigns/:id/windows/:window/advance',
      summary: '提前: open an upcoming window now, or close an open one now',
      tags: ['campaigns'],
      access: ['province_admin'],
      params: windowParams,
      body: z.object({ reason }),
    },
    async ({ params, body }, req) => {
      const schedule = await onClock(params.id, (clock) =>
        clock.executeUpdate(advanceWindowUpdate, { args: [{ window: params.window, actor: actorOf(requirePrincipal(req)), reason: body.reason }] }),
      );
      return describeSchedule(schedule, deps.clock());
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/campaigns/:id/windows/:window/extend',
      summary: '延期: move a window’s deadline later; a closed window reopens only with reopen: true',
      tags: ['campaigns'],
      access: ['province_admin'],
      params: windowParams,
      body: z.object({ closesAt: z.iso.datetime({ offset: true }), reopen: z.boolean().optional(), reason }),
    },
    async ({ params, body }, req) => {
      const schedule = await onClock(params.id, (clock) =>
        clock.executeUpdate(extendWindowUpdate, {
          args: [{ window: params.window, closesAt: new Date(body.closesAt).toISOString(), reopen: body.reopen, actor: actorOf(requirePrincipal(req)), reason: body.reason }],
        }),
      );
      return describeSchedule(schedule, deps.clock());
    },
  );

  routes.add(
    { method: 'get', path: '/api/campaigns/:id/changes', summary: 'Every change of the schedule: who, when, why', tags: ['campaigns'], access: ['province_admin', 'city_admin', 'county_admin', 'school_admin', 'auditor'], params: campaignIdParam },
    async ({ params }) => ({ items: (await conn().execute(`select change from campaign_event where campaign_id = ? order by seq`, [params.id])).map((r) => r.change) }),
  );
}
