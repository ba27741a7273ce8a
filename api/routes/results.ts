import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { AWARD_LABELS } from '../../activities/mail/templates';
import { AppError } from '../../lib/errors';
import { publicationWorkflowId, TASK_QUEUE } from '../../lib/ids';
import { extendNoticeUpdate, publication } from '../../workflows';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import { LocalEvidenceStore } from '../evidence-store';
import type { Routes } from '../route';
import { pageQuery, reason, stage } from '../schemas';
import { actorOf } from '../services/entrants';
import { describeObjection, fileObjection, listObjections, loadObjection, readObjectionUpload, requireMayRead, settleBody, settleObjection } from '../services/objections';
import { computeResults } from '../services/results';

const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'not a campaign id');
const objectionId = z.object({ id: z.uuid({ message: 'not an objection id' }) });
const label = (key: string | null) => (key ? (AWARD_LABELS[key]?.['zh-CN'] ?? key) : null);

// 评审结果、奖项、公示与异议 (SPEC §8).
export function resultRoutes(routes: Routes, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();
  const evidence = LocalEvidenceStore.under(deps.config.DATA_DIR);

  const loadPublication = async (id: string) => {
    const [p] = await conn().execute(`select * from publication where campaign_id = ?`, [id]);
    return p as Record<string, any> | undefined;
  };

  routes.add(
    {
      method: 'get',
      path: '/api/results/proposal',
      summary: 'The results and awards as they would be published now: final ranking, tiers, special and group awards (before publishing)',
      tags: ['results'],
      access: ['province_admin'],
      query: z.object({ campaignId }),
    },
    async ({ query }) => {
      const r = await computeResults(deps.orm, query.campaignId, new Date(deps.clock()));
      const published = await loadPublication(query.campaignId);
      return {
        ...r,
        published: published ? { at: new Date(published.published_at).toISOString(), state: published.state } : null,
        entrants: r.entrants.map((e) => ({ ...e, awardLabel: label(e.award), specialAwardLabels: e.specialAwards.map(label) })),
      };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/results/publish',
      summary: '公示: publish the results (snapshot, every entrant told), then the notice period runs; objections may be filed until it ends',
      tags: ['results'],
      access: ['province_admin'],
      body: z.object({ campaignId, reason, allowPending: z.boolean().default(false) }),
      responses: { 201: 'publication started' },
    },
    async ({ body }, req) => {
      const [campaign] = await conn().execute(`select id from campaign where id = ?`, [body.campaignId]);
      if (!campaign) throw new AppError('NotFound', `no campaign ${body.campaignId}`);
      const existing = await loadPublication(body.campaignId);
      if (existing) throw new AppError('Conflict', `the results of ${body.campaignId} were published at ${new Date(existing.published_at).toISOString()}`);
      const [n] = await conn().execute(
        `select count(*) filter (where state = 'reviewed')::int as reviewed, count(*) filter (where state = 'in_review')::int as in_review from entrant where campaign_id = ?`,
        [body.campaignId],
      );
      if (n.reviewed === 0) throw new AppError('Conflict', 'there is no reviewed entrant to publish');
      if (n.in_review > 0 && !body.allowPending) {
        throw new AppError('Conflict', `${n.in_review} entrants are still in review; wait for them, or publish without them (allowPending: true)`, { inReview: n.in_review });
      }
      const workflowId = publicationWorkflowId(body.campaignId);
      try {
        await deps.temporal.workflow.start(publication, { taskQueue: TASK_QUEUE, workflowId, args: [{ campaignId: body.campaignId, actor: actorOf(requirePrincipal(req)), reason: body.reason }] });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AppError('Conflict', `the results of ${body.campaignId} are already being published`);
        throw err;
      }
      return { campaignId: body.campaignId, workflowId, phase: 'publishing', entrants: n.reviewed };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/results/notice/extend',
      summary: 'Extend the notice period (公示期) to a later end, with a reason',
      tags: ['results'],
      access: ['province_admin'],
      body: z.object({ campaignId, until: z.iso.datetime({ offset: true }), reason }),
    },
    async ({ body }, req) => {
      if (!(await loadPublication(body.campaignId))) throw new AppError('NotFound', `the results of ${body.campaignId} are not published`);
      return deps.temporal.workflow
        .getHandle(publicationWorkflowId(body.campaignId))
        .executeUpdate(extendNoticeUpdate, { args: [{ until: new Date(body.until).toISOString(), actor: actorOf(requirePrincipal(req)), reason: body.reason }] });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/results/achievement-sharing',
      summary: '教学成果分享奖: mark (or unmark) a teacher as serving rural, remote, poor or ethnic-minority areas, before publication',
      tags: ['results'],
      access: ['province_admin'],
      body: z.object({ entrantId: z.uuid({ message: 'not an entrant id' }), reason, marked: z.boolean().default(true) }),
      responses: { 201: 'recorded' },
    },
    async ({ body }, req) => {
      const p = requirePrincipal(req);
      const [e] = await conn().execute(`select id, campaign_id, category, state, name from entrant where id = ?`, [body.entrantId]);
      if (!e) throw new AppError('NotFound', `no entrant ${body.entrantId}`);
      if (e.category === 'student') throw new AppError('ValidationFailed', 'the teaching achievement sharing award is for teachers', [{ path: 'body.entrantId', message: 'a student entrant' }]);
      if (await loadPublication(e.campaign_id)) throw new AppError('Conflict', 'the results are already published; the award list is fixed');
      if (!['in_review', 'reviewed'].includes(e.state)) throw new AppError('InvalidTransition', `only an entrant in review or reviewed can be marked; this one is ${e.state}`);
      const [row] = await conn().execute(
        `insert into entrant_flag (campaign_id, entrant_id, kind, marked, actor_account_id, actor_role, reason, at) values (?, ?, 'achievement_sharing', ?, ?, ?, ?, ?) returning id, at`,
        [e.campaign_id, e.id, body.marked, p.accountId, p.role, body.reason, new Date(deps.clock()).toISOString()],
      );
      return { entrantId: e.id, name: e.name, marked: body.marked, reason: body.reason, by: { accountId: p.accountId, name: p.displayName }, at: new Date(row.at).toISOString() };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/results/achievement-sharing',
      summary: 'Teachers currently marked for the teaching achievement sharing award, with who marked them and why',
      tags: ['results'],
      access: ['province_admin', 'auditor'],
      query: z.object({ campaignId }),
    },
    async ({ query }) => {
      const rows = await conn().execute(
        `select * from (select distinct on (f.entrant_id) f.entrant_id, f.marked, f.reason, f.at, e.name, a.display_name as by_name, f.actor_account_id
                          from entrant_flag f join entrant e on e.id = f.entrant_id join account a on a.id = f.actor_account_id
                         where f.campaign_id = ? and f.kind = 'achievement_sharing' order by f.entrant_id, f.id desc) latest
          where marked order by at`,
        [query.campaignId],
      );
      return { items: rows.map((r: Record<string, any>) => ({ entrantId: r.entrant_id, name: r.name, reason: r.reason, by: { accountId: r.actor_account_id, name: r.by_name }, at: new Date(r.at).toISOString() })) };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/results',
      summary: 'Published results (no login): ranks, final scores, awards per category and stage, group and organisation awards, the notice period',
      tags: ['results'],
      access: 'public',
      query: z.object({ campaignId, category: z.enum(['teacher', 'student', 'education_worker']).optional(), stage: stage.optional(), ...pageQuery }),
    },
    async ({ query }) => {
      const pub = await loadPublication(query.campaignId);
      if (!pub) throw new AppError('NotFound', `the results of ${query.campaignId} are not published`);
      const where = ['r.campaign_id = ?'];
      const args: unknown[] = [query.campaignId];
      // teacher / student: the award group (teachers rank with education workers); education_worker: those within it.
      if (query.category === 'education_worker') (where.push(`r.category = 'education_worker'`));
      else if (query.category) (where.push('r.ranking_group = ?'), args.push(query.category));
      if (query.stage) (where.push('r.stage = ?'), args.push(query.stage));
      const c = conn();
      const [{ total }] = await c.execute(`select count(*)::int as total from result r where ${where.join(' and ')}`, args);
      const rows = await c.execute(
        `select r.*, e.name, s.name as school, co.name as county, ci.name as city
           from result r join entrant e on e.id = r.entrant_id join school s on s.id = r.school_id join county co on co.id = r.county_id join city ci on ci.id = r.city_id
          where ${where.join(' and ')} order by r.ranking_key, r.published_rank limit ? offset ?`,
        [...args, query.pageSize, (query.page - 1) * query.pageSize],
      );
      const [groups, extensions, [camp]] = await Promise.all([
        c.execute(`select * from award_group where campaign_id = ? order by level, rank`, [query.campaignId]),
        c.execute(`select reason, details, at from publication_event where campaign_id = ? and kind = 'notice_extended' order by at`, [query.campaignId]),
        c.execute(`select id, name from campaign where id = ?`, [query.campaignId]),
      ]);
      const now = deps.clock();
      const endsAt = new Date(pub.notice_ends_at);
      return {
        campaign: { id: camp.id, name: camp.name },
        publication: {
          state: pub.state,
          publishedAt: new Date(pub.published_at).toISOString(),
          noticeDays: pub.notice_days,
          noticeEndsAt: endsAt.toISOString(),
          objectionsOpen: pub.state === 'notice' && now < endsAt.getTime(),
          finalisedAt: pub.finalised_at ? new Date(pub.finalised_at).toISOString() : null,
          extensions: extensions.map((x: Record<string, any>) => ({ until: x.details?.until, reason: x.reason, at: new Date(x.at).toISOString() })),
        },
        total,
        page: query.page,
        pageSize: query.pageSize,
        items: rows.map((r: Record<string, any>) => ({
          entrantId: r.entrant_id,
          name: r.name,
          category: r.category,
          group: r.ranking_group,
          stage: r.stage,
          rankingKey: r.ranking_key,
          school: r.school,
          county: r.county,
          city: r.city,
          rank: r.rank,
          finalScore: Number(r.final_score),
          award: r.award,
          awardLabel: label(r.award),
          specialAwards: r.special_awards,
          specialAwardLabels: (r.special_awards as string[]).map(label),
          votes: r.votes,
          rankingScore: Number(r.ranking_score),
          published: { rank: r.published_rank, finalScore: Number(r.published_score), award: r.published_award },
          /** Changed by a settled objection since publication. */
          corrected: Number(r.final_score) !== Number(r.published_score) || r.award !== r.published_award || r.outcome === 'disqualified',
          outcome: r.outcome,
          final: r.final,
        })),
        groupAwards: groups.map((g: Record<string, any>) => ({
          level: g.level,
          award: g.award,
          awardLabel: g.award === 'organisation' ? '组织类奖' : '团体类奖',
          rank: g.rank,
          unit: { id: g.unit_id, code: g.unit_code, name: g.unit_name },
          score: Number(g.score),
          figures: g.figures,
        })),
      };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/objections',
      summary: '异议: object to a published entrant during the notice period (JSON {entrantId, reason}, or multipart with an optional PDF/JPEG/PNG `evidence` file)',
      tags: ['results'],
      access: 'authenticated',
      responses: { 201: 'filed' },
    },
    async (_input, req, res) => {
      const upload = await readObjectionUpload(req, evidence, deps.config.EVIDENCE_MAX_BYTES);
      res.status(201).json(await fileObjection(deps, requirePrincipal(req), upload));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/objections',
      summary: 'Objections: all for auditors and the province admin, one’s own for anyone else',
      tags: ['results'],
      access: 'authenticated',
      query: z.object({ campaignId: campaignId.optional(), state: z.enum(['open', 'dismissed', 'upheld']).optional(), entrantId: z.uuid().optional(), ...pageQuery }),
    },
    async ({ query }, req) => listObjections(deps, requirePrincipal(req), query),
  );

  routes.add(
    { method: 'get', path: '/api/objections/:id', summary: 'One objection with its settlement', tags: ['results'], access: 'authenticated', params: objectionId },
    async ({ params }, req) => {
      const o = await loadObjection(deps, params.id);
      requireMayRead(requirePrincipal(req), o);
      return describeObjection(o);
    },
  );

  routes.add(
    { method: 'get', path: '/api/objections/:id/evidence', summary: 'The evidence file of an objection', tags: ['results'], access: 'authenticated', params: objectionId },
    async ({ params }, req, res) => {
      const o = await loadObjection(deps, params.id);
      requireMayRead(requirePrincipal(req), o);
      if (!o.evidence_sha256 || !(await evidence.size(o.evidence_sha256))) throw new AppError('NotFound', 'this objection has no evidence file');
      res.type(o.evidence_type ?? 'application/octet-stream').attachment(`objection-${o.id}.${o.evidence_type === 'application/pdf' ? 'pdf' : o.evidence_type === 'image/png' ? 'png' : 'jpg'}`);
      await new Promise<void>((resolve, reject) => evidence.open(o.evidence_sha256!).on('error', reject).pipe(res).on('finish', resolve).on('error', reject));
      return undefined;
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/objections/:id/settle',
      summary: '异议处理: dismiss, or uphold with disqualification, a re-review by new experts, or a score correction — recorded with who and why',
      tags: ['results'],
      access: ['auditor'],
      params: objectionId,
      body: settleBody,
    },
    async ({ params, body }, req) => settleObjection(deps, requirePrincipal(req), params.id, body),
  );
}
