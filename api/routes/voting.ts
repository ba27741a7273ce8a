// Public voting, receipts, rankings, student boosts and vote-brushing flags (SPEC §4).
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { normaliseIp } from '../../lib/rules/vote-limit';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';
import { category, pageQuery, reason, optionalReason, stage, uuidParam } from '../schemas';
import { acceptBoost, createBoost, describeBoost, listBoosts, loadBoost, maySeeUnaccepted, rejectBoost } from '../services/boosts';
import { confirmFlag, dismissFlag, listFlags } from '../services/brushing';
import { rankingPage } from '../services/rankings';
import { castVote, loadReceipt } from '../services/votes';
import { LocalVideoStore, parseRange, type VideoStore } from '../video-store';

const rankingsQuery = z.object({
  campaignId: z.string().min(1).optional(),
  category: category.optional(),
  stage: stage.optional(),
  cityId: z.coerce.number().int().positive().optional(),
  countyId: z.coerce.number().int().positive().optional(),
  schoolId: z.coerce.number().int().positive().optional(),
  city: z.string().regex(/^\d{4}$/, 'a city code has 4 digits').optional(),
  county: z.string().regex(/^\d{6}$/, 'a county code has 6 digits').optional(),
  ...pageQuery,
});

const boostsQuery = z.object({
  campaignId: z.string().min(1).optional(),
  entrantId: z.uuid().optional(),
  state: z.enum(['pending', 'accepted', 'rejected']).optional(),
  ...pageQuery,
});

const flagsQuery = z.object({
  campaignId: z.string().min(1).optional(),
  entrantId: z.uuid().optional(),
  state: z.enum(['open', 'dismissed', 'confirmed']).optional(),
  ...pageQuery,
});

export function votingRoutes(routes: Routes, deps: ApiDeps, store: VideoStore = new LocalVideoStore(path.resolve(deps.config.DATA_DIR, 'uploads'))): void {
  routes.add(
    {
      method: 'post',
      path: '/api/entrants/:id/votes',
      summary: '投票: one vote for an entrant (once per IP and/or account per entrant per Asia/Shanghai day, by the campaign’s policy); answers the receipt',
      tags: ['voting'],
      access: 'authenticated',
      params: uuidParam,
      responses: { 201: 'counted; the receipt id looks the vote up later' },
    },
    async ({ params }, req, res) => {
      const p = requirePrincipal(req);
      // The socket's address unless the peer is a configured proxy (TRUST_PROXY): a client's own X-Forwarded-For is ignored.
      const ip = normaliseIp(req.ip ?? req.socket.remoteAddress);
      if (!ip || !isIP(ip)) throw new AppError('ValidationFailed', 'cannot tell the address this vote comes from');
      const counted = await castVote(deps.orm, { entrantId: params.id, accountId: p.accountId, ip, now: deps.clock() });
      // Sent directly rather than through res.json: no ETag hashing of a body no cache will reuse.
      res.status(201).setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(counted));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/votes/:receipt',
      summary: 'A vote of mine by its receipt (投票凭证); another account’s receipt is 404',
      tags: ['voting'],
      access: 'authenticated',
      params: z.object({ receipt: z.uuid({ message: 'not a receipt id' }) }),
    },
    async ({ params }, req) => loadReceipt(deps.orm, params.receipt, requirePrincipal(req).accountId),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/rankings',
      summary: '排行: entrants by score = votes + w × accepted boosts (ties: more votes, earlier registration, id); public, paginated',
      tags: ['voting'],
      access: 'public',
      query: rankingsQuery,
    },
    async ({ query }) => rankingPage(deps, query),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/entrants/:id/boosts',
      summary: '学生助力: a student uploads a video for a teacher (multipart/form-data, file field "video"; MP4/MOV/WebM/MKV/AVI/FLV/MPEG-TS)',
      tags: ['boosts'],
      access: ['student'],
      params: uuidParam,
      responses: { 201: 'uploaded; waits for the school admin’s moderation' },
    },
    async ({ params }, req) => describeBoost(await createBoost(deps, store, requirePrincipal(req), params.id, req)),
  );

  routes.add(
    { method: 'get', path: '/api/boosts', summary: 'Boosts: admins their subtree, students their own, anyone an entrant’s accepted boosts (entrantId)', tags: ['boosts'], access: 'public', query: boostsQuery },
    async ({ query }, req) => listBoosts(deps, req.principal, query),
  );

  routes.add(
    { method: 'get', path: '/api/boosts/:id', summary: 'One boost (public once accepted)', tags: ['boosts'], access: 'public', params: uuidParam },
    async ({ params }, req) => {
      const b = await loadBoost(deps.orm.em.fork().getConnection(), params.id);
      if (b.state !== 'accepted' && !maySeeUnaccepted(b, req.principal)) throw new AppError('NotFound', `no boost ${params.id}`);
      return describeBoost(b);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/boosts/:id/video',
      summary: 'The boost’s video, with HTTP Range support (public once accepted; before, its student and the admins above the school)',
      tags: ['boosts'],
      access: 'public',
      params: uuidParam,
      responses: { 200: 'the whole video', 206: 'the requested byte range', 416: 'the range lies outside the video' },
    },
    async ({ params }, req, res) => {
      const b = await loadBoost(deps.orm.em.fork().getConnection(), params.id);
      if (b.state !== 'accepted' && !maySeeUnaccepted(b, req.principal)) throw new AppError('NotFound', `no boost ${params.id}`);
      const size = await store.size(b.video_sha256);
      if (size === undefined) throw new AppError('NotFound', 'the video file is missing');
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Content-Type', b.video_type);
      res.setHeader('ETag', `"${b.video_sha256}"`);
      res.setHeader('Cache-Control', b.state === 'accepted' ? 'public, max-age=86400' : 'private, no-store');
      const range = parseRange(req.get('range'), size);
      if (range === 'unsatisfiable') {
        res.status(416).setHeader('Content-Range', `bytes */${size}`);
        res.end();
        return;
      }
      if (range) {
        res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
        res.setHeader('Content-Length', String(range.end - range.start + 1));
      } else {
        res.status(200).setHeader('Content-Length', String(size));
      }
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = store.open(b.video_sha256, range);
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        res.on('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(res);
      });
    },
  );

  routes.add(
    { method: 'post', path: '/api/boosts/:id/accept', summary: 'The teacher’s school admin accepts a boost; it then counts toward the ranking', tags: ['boosts'], access: ['school_admin'], params: uuidParam, body: z.object({ reason: optionalReason }) },
    async ({ params, body }, req) => describeBoost(await acceptBoost(deps, requirePrincipal(req), params.id, body.reason)),
  );

  routes.add(
    { method: 'post', path: '/api/boosts/:id/reject', summary: 'The teacher’s school admin rejects a boost, with a reason', tags: ['boosts'], access: ['school_admin'], params: uuidParam, body: z.object({ reason }) },
    async ({ params, body }, req) => describeBoost(await rejectBoost(deps, requirePrincipal(req), params.id, body.reason)),
  );

  routes.add(
    { method: 'get', path: '/api/brushing-flags', summary: '刷票: suspected vote brushing, with evidence', tags: ['voting'], access: ['province_admin', 'auditor'], query: flagsQuery },
    async ({ query }) => listFlags(deps, query),
  );

  routes.add(
    { method: 'post', path: '/api/brushing-flags/:id/dismiss', summary: 'Dismiss a brushing flag, with a reason', tags: ['voting'], access: ['province_admin'], params: uuidParam, body: z.object({ reason }) },
    async ({ params, body }, req) => dismissFlag(deps, requirePrincipal(req), params.id, body.reason),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/brushing-flags/:id/confirm',
      summary: 'Confirm vote brushing: the entrant is disqualified (取消资格) with the flag as evidence',
      tags: ['voting'],
      access: ['province_admin'],
      params: uuidParam,
      body: z.object({ reason }),
    },
    async ({ params, body }, req) => confirmFlag(deps, requirePrincipal(req), params.id, body.reason),
  );
}
