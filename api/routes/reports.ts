import type { Response } from 'express';
import { z } from 'zod';
import { INSTANT_OR_DAY, parseRegion, resolveAsOf } from '../../lib/rules/registration-report';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { exportName, reportCsv, reportSvg, reportXlsx } from '../services/report-exports';
import { campaignDashboard, loadCampaign, regionInScope, registrationReport, type ReportRequest } from '../services/reports';
import { importRoster, listRosters, readUpload } from '../services/rosters';

const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'not a campaign id');
const region = z
  .string()
  .refine((v) => parseRegion(v) !== undefined, 'province, city:<city code> or county:<county code>')
  .transform((v) => parseRegion(v)!);
const instantOrDay = z
  .string()
  .regex(INSTANT_OR_DAY, 'a day (2017-06-18, meaning its end in Asia/Shanghai) or an ISO instant with offset')
  .refine((v) => {
    if (!INSTANT_OR_DAY.test(v)) return true; // the regex has said it
    // Date.parse rolls 2017-02-30 over to March 2nd; a real day survives the round trip.
    const day = v.slice(0, 10);
    const ms = Date.parse(`${day}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day && !Number.isNaN(Date.parse(v));
  }, 'not a real date');

const reportQuery = z.object({
  campaignId: campaignId.optional(),
  region: region.optional(),
  asOf: instantOrDay.optional(),
  compareTo: instantOrDay.optional(),
  by: z.enum(['child', 'school']).default('child'),
  format: z.enum(['json', 'csv', 'xlsx', 'svg']).default('json'),
});

// 分级管理: admins see their subtree; school admins approve entrants but get no report.
const REPORT_ROLES = ['province_admin', 'city_admin', 'county_admin', 'auditor'] as const;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function reportRoutes(routes: Routes, deps: ApiDeps): void {
  const build = (q: z.infer<typeof reportQuery>, p: ReturnType<typeof requirePrincipal>) => {
    const req: ReportRequest = {
      campaignId: q.campaignId,
      region: q.region,
      asOf: resolveAsOf(q.asOf ?? new Date(deps.clock()).toISOString()),
      compareTo: q.compareTo ? resolveAsOf(q.compareTo) : undefined,
      by: q.by,
    };
    return registrationReport(deps, p, req);
  };

  const send = async (format: 'json' | 'csv' | 'xlsx' | 'svg', q: z.infer<typeof reportQuery>, p: ReturnType<typeof requirePrincipal>, res: Response) => {
    const report = await build(q, p);
    res.setHeader('Cache-Control', 'private, no-store');
    switch (format) {
      case 'json':
        return report;
      case 'csv':
        res.attachment(exportName(report, 'csv')).type('text/csv; charset=utf-8').send(reportCsv(report));
        return undefined;
      case 'xlsx':
        res.attachment(exportName(report, 'xlsx')).type(XLSX_TYPE).send(await reportXlsx(report));
        return undefined;
      case 'svg':
        res.type('image/svg+xml; charset=utf-8').send(reportSvg(report));
        return undefined;
    }
  };

  const doc = 'region=province|city:<code>|county:<code>; asOf/compareTo: a day (its end, Asia/Shanghai) or an instant; counts are of what happened before the bound';
  routes.add(
    { method: 'get', path: '/api/reports/registration', summary: `报名情况通报: registered and approved per unit, change, rates against targets and platform spaces (${doc})`, tags: ['reports'], access: REPORT_ROLES, query: reportQuery },
    async ({ query }, req, res) => send(query.format, query, requirePrincipal(req), res),
  );
  for (const format of ['csv', 'xlsx', 'svg'] as const) {
    routes.add(
      {
        method: 'get',
        path: `/api/reports/registration.${format}`,
        summary: format === 'svg' ? 'The progress report as a bar chart (SVG)' : `The progress report as ${format.toUpperCase()} (Chinese headers, one row per unit and 合计)`,
        tags: ['reports'],
        access: REPORT_ROLES,
        query: reportQuery,
        responses: { 200: format === 'svg' ? 'image/svg+xml' : `an attachment (${format})` },
      },
      async ({ query }, req, res) => send(format, query, requirePrincipal(req), res),
    );
  }

  routes.add(
    {
      method: 'get',
      path: '/api/reports/dashboard',
      summary: 'Campaign dashboard: registrations per day, approvals pending per school, recommendations against quota, review progress',
      tags: ['reports'],
      access: ['province_admin', 'city_admin', 'auditor'],
      query: z.object({ campaignId: campaignId.optional(), region: region.optional() }),
    },
    async ({ query }, req) => campaignDashboard(deps, requirePrincipal(req), query),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/rosters/import',
      summary: 'Import school rosters (学校代码, 教师数, 学生数, 平台空间数) from CSV or XLSX: all rows or none; the same file again changes nothing',
      tags: ['reports'],
      access: ['province_admin', 'city_admin', 'county_admin'],
      query: z.object({ campaignId, dryRun: z.enum(['true', 'false']).default('false') }),
      responses: { 200: 'imported, unchanged, or (dryRun) valid' },
    },
    async ({ query }, req) => {
      const p = requirePrincipal(req);
      const file = await readUpload(req);
      return importRoster(deps, p, query.campaignId, file, query.dryRun === 'true');
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/rosters',
      summary: 'Schools of a region with their roster numbers (null where none was imported)',
      tags: ['reports'],
      access: REPORT_ROLES,
      query: z.object({ campaignId, region: region.optional() }),
    },
    async ({ query }, req) => {
      const p = requirePrincipal(req);
      const conn = deps.orm.em.fork().getConnection();
      const campaign = await loadCampaign(conn, query.campaignId);
      const r = await regionInScope(conn, p, query.region);
      return { campaignId: campaign.id, region: { level: r.level, code: r.code, name: r.name }, items: await listRosters(deps, campaign.id, r.countyIds) };
    },
  );
}
