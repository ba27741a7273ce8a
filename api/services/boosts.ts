// 学生助力 (SPEC §4): a student uploads a video for a teacher; the teacher's school admin
// accepts or rejects it; accepted boosts count toward the teacher's ranking.
//
// [ours] One live boost per student per teacher: a pending or accepted boost blocks another
// (unique index); after a rejection the student may upload a new video. Uploads and acceptances
// happen only while the teacher can receive votes (approved, voting window open) — after the
// deadline the ranking is final, as it is for votes. Rejection is possible at any time.
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import busboy from 'busboy';
import { AppError } from '../../lib/errors';
import { isOpen, windowKeyFor, type Category, type Schedule } from '../../lib/rules/schedule';
import { inScope, type Principal } from '../../lib/rules/scope';
import type { ApiDeps } from '../deps';
import { formatBytes, type StoredVideo, type VideoStore } from '../video-store';
import { loadEntrant, loadSchedule, type EntrantRow } from './entrants';

type Conn = ReturnType<ReturnType<ApiDeps['orm']['em']['fork']>['getConnection']>;

export const BOOSTABLE: readonly Category[] = ['teacher', 'education_worker'];

export interface BoostRow {
  id: string;
  campaign_id: string;
  entrant_id: string;
  student_account_id: string;
  school_id: number;
  video_sha256: string;
  video_type: string;
  video_bytes: string | number;
  original_name: string | null;
  state: 'pending' | 'accepted' | 'rejected';
  reason: string | null;
  moderated_by: string | null;
  moderated_at: Date | null;
  created_at: Date;
  entrant_name?: string;
  student_name?: string;
  county_id?: number;
  city_id?: number;
}

export function describeBoost(b: BoostRow) {
  return {
    id: b.id,
    campaignId: b.campaign_id,
    entrant: { id: b.entrant_id, name: b.entrant_name ?? null },
    student: { id: b.student_account_id, name: b.student_name ?? null },
    state: b.state,
    reason: b.reason,
    video: { url: `/api/boosts/${b.id}/video`, type: b.video_type, bytes: Number(b.video_bytes), sha256: b.video_sha256, originalName: b.original_name },
    moderatedAt: b.moderated_at ? new Date(b.moderated_at).toISOString() : null,
    createdAt: new Date(b.created_at).toISOString(),
  };
}

const BOOST_SELECT = `
  select b.*, e.name as entrant_name, e.county_id, e.city_id, a.display_name as student_name
  from boost b join entrant e on e.id = b.entrant_id join account a on a.id = b.student_account_id`;

export async function loadBoost(conn: Conn, id: string): Promise<BoostRow> {
  const [row] = await conn.execute(`${BOOST_SELECT} where b.id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no boost ${id}`);
  return row as BoostRow;
}

/** Who may see a boost's video before it is accepted: its student and the admins above the teacher's school. */
export function maySeeUnaccepted(b: BoostRow, p: Principal | undefined): boolean {
  if (!p) return false;
  if (p.accountId === b.student_account_id) return true;
  if (!['school_admin', 'county_admin', 'city_admin', 'province_admin', 'auditor'].includes(p.role)) return false;
  return inScope(p, { schoolId: b.school_id, countyId: b.county_id!, cityId: b.city_id! });
}

function requireBoostable(row: EntrantRow, schedule: Schedule, now: number): void {
  if (!BOOSTABLE.includes(row.category)) throw new AppError('Conflict', `students boost teachers (学生助力); ${row.name} is registered as ${row.category}`);
  const window = schedule.windows[windowKeyFor(row.category, 'voting')];
  if (!isOpen(window, now)) throw new AppError('WindowClosed', `boosts are accepted while voting is open (${window.opensAt} – ${window.closesAt})`);
  if (row.state !== 'approved') throw new AppError('Conflict', `${row.name} cannot receive boosts: only approved entrants in their voting window can (current state: ${row.state})`);
}

/** Multipart overhead allowed above the video itself before Content-Length alone refuses a request. */
const MULTIPART_SLACK = 1024 * 1024;

/**
 * Reads the multipart body: one file part named `video`, streamed to the store (never held in
 * memory whole). Other parts are ignored; their text fields are capped small.
 */
export function receiveVideo(req: Request, store: VideoStore, maxBytes: number): Promise<StoredVideo & { originalName: string | null }> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_SLACK) {
    return Promise.reject(new AppError('PayloadTooLarge', `the video is larger than the limit of ${formatBytes(maxBytes)}`, { maxBytes }));
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 4096, parts: 20 } });
  } catch {
    return Promise.reject(new AppError('UnsupportedMediaType', 'send the video as multipart/form-data with a file field named "video"'));
  }
  return new Promise((resolve, reject) => {
    let stored: Promise<StoredVideo> | undefined;
    let originalName: string | null = null;
    bb.on('file', (name, file, info) => {
      if (name !== 'video' || stored) {
        file.resume();
        return;
      }
      originalName = info.filename ? info.filename.slice(0, 200) : null;
      stored = store.put(file, maxBytes);
      // The store drains the part even when it refuses it; report the refusal at once.
      stored.catch(reject);
    });
    bb.on('error', (err) => reject(new AppError('ValidationFailed', `the upload is not valid multipart: ${(err as Error).message}`)));
    bb.on('close', () => {
      if (!stored) return reject(new AppError('ValidationFailed', 'no video in the upload', [{ path: 'body.video', message: 'a file field named "video" is required' }]));
      stored.then((v) => resolve({ ...v, originalName }), reject);
    });
    req.on('aborted', () => reject(new AppError('ValidationFailed', 'the upload was interrupted')));
    req.pipe(bb);
  });
}

export async function createBoost(deps: ApiDeps, store: VideoStore, p: Principal, entrantId: string, req: Request): Promise<BoostRow> {
  const conn = deps.orm.em.fork().getConnection();
  const row = await loadEntrant(deps, entrantId);
  requireBoostable(row, await loadSchedule(deps, row.campaign_id), deps.clock());
  const [live] = await conn.execute(`select id, state from boost where entrant_id = ? and student_account_id = ? and state <> 'rejected'`, [entrantId, p.accountId]);
  if (live) throw new AppError('Conflict', `you have already boosted ${row.name} (boost ${live.id}, ${live.state}); one boost per student per teacher`);

  const video = await receiveVideo(req, store, deps.config.UPLOAD_MAX_BYTES);
  // The window may have closed while the video streamed in: judge again at the end.
  requireBoostable(await loadEntrant(deps, entrantId), await loadSchedule(deps, row.campaign_id), deps.clock());
  const id = randomUUID();
  const inserted = await conn.execute(
    `insert into boost (id, campaign_id, entrant_id, student_account_id, school_id, video_sha256, video_type, video_bytes, original_name, state, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
     on conflict do nothing returning id`,
    [id, row.campaign_id, entrantId, p.accountId, row.school_id, video.sha256, video.type, video.bytes, video.originalName, new Date(deps.clock())],
  );
  // A concurrent upload by the same student won; the stored file may be shared (content-addressed), so it stays.
  if (inserted.length === 0) throw new AppError('Conflict', `you have already boosted ${row.name}; one boost per student per teacher`);
  return loadBoost(conn, id);
}

/**
 * The teacher's school admin accepts: the boost turns accepted and the teacher's tally gains one
 * accepted boost in the same statement, only while the teacher can still receive votes.
 */
export async function acceptBoost(deps: ApiDeps, p: Principal, id: string, reason: string | undefined): Promise<BoostRow> {
  const conn = deps.orm.em.fork().getConnection();
  const boost = await loadBoost(conn, id);
  requireModerator(boost, p);
  const now = new Date(deps.clock());
  const rows = await conn.execute(
    `with b as (
       update boost b set state = 'accepted', reason = ?, moderated_by = ?, moderated_at = ?
       from entrant e join campaign c on c.id = e.campaign_id
       where b.id = ? and b.state = 'pending' and e.id = b.entrant_id and e.state = 'approved'
         and ?::timestamptz >= (c.schedule->'windows'->(case when e.category = 'student' then 'student.voting' else 'teacher.voting' end)->>'opensAt')::timestamptz
         and ?::timestamptz < (c.schedule->'windows'->(case when e.category = 'student' then 'student.voting' else 'teacher.voting' end)->>'closesAt')::timestamptz
       returning b.entrant_id, b.campaign_id
     )
     insert into entrant_tally as t (entrant_id, campaign_id, accepted_boosts)
     select entrant_id, campaign_id, 1 from b
     on conflict (entrant_id) do update set accepted_boosts = t.accepted_boosts + 1, updated_at = now()
     returning accepted_boosts`,
    [reason ?? null, p.accountId, now, id, now, now],
  );
  if (rows.length === 0) {
    if (boost.state !== 'pending') throw new AppError('Conflict', `this boost was already ${boost.state}`);
    requireBoostable(await loadEntrant(deps, boost.entrant_id), await loadSchedule(deps, boost.campaign_id), now.getTime());
    throw new AppError('Conflict', 'this boost changed meanwhile; reload it');
  }
  return loadBoost(conn, id);
}

export async function rejectBoost(deps: ApiDeps, p: Principal, id: string, reason: string): Promise<BoostRow> {
  const conn = deps.orm.em.fork().getConnection();
  const boost = await loadBoost(conn, id);
  requireModerator(boost, p);
  const rows = await conn.execute(
    `update boost set state = 'rejected', reason = ?, moderated_by = ?, moderated_at = ? where id = ? and state = 'pending' returning id`,
    [reason, p.accountId, new Date(deps.clock()), id],
  );
  if (rows.length === 0) throw new AppError('Conflict', `this boost was already ${boost.state}`);
  return loadBoost(conn, id);
}

function requireModerator(b: BoostRow, p: Principal): void {
  if (p.role !== 'school_admin' || p.schoolId !== b.school_id) throw new AppError('Forbidden', 'only the school admin of the teacher’s school moderates its boosts');
}

export interface BoostListQuery {
  campaignId?: string;
  entrantId?: string;
  state?: 'pending' | 'accepted' | 'rejected';
  page: number;
  pageSize: number;
}

/**
 * Boosts a principal may list: admins their subtree, students their own, anyone the accepted
 * boosts of one entrant (entrantId given).
 */
export async function listBoosts(deps: ApiDeps, p: Principal | undefined, q: BoostListQuery) {
  const where: string[] = [];
  const args: unknown[] = [];
  const admin = p && ['school_admin', 'county_admin', 'city_admin', 'province_admin', 'auditor'].includes(p.role);
  if (admin) {
    if (p.role === 'school_admin') (where.push('b.school_id = ?'), args.push(p.schoolId));
    if (p.role === 'county_admin') (where.push('e.county_id = ?'), args.push(p.countyId));
    if (p.role === 'city_admin') (where.push('e.city_id = ?'), args.push(p.cityId));
  } else if (q.entrantId) {
    if (p) (where.push(`(b.state = 'accepted' or b.student_account_id = ?)`), args.push(p.accountId));
    else where.push(`b.state = 'accepted'`);
  } else if (p) {
    where.push('b.student_account_id = ?');
    args.push(p.accountId);
  } else {
    throw new AppError('Unauthenticated', 'log in to list boosts, or name an entrant (entrantId) to see its accepted boosts');
  }
  if (q.campaignId) (where.push('b.campaign_id = ?'), args.push(q.campaignId));
  if (q.entrantId) (where.push('b.entrant_id = ?'), args.push(q.entrantId));
  if (q.state) (where.push('b.state = ?'), args.push(q.state));
  const conn = deps.orm.em.fork().getConnection();
  const clause = where.length ? `where ${where.join(' and ')}` : '';
  const [{ total }] = await conn.execute(`select count(*)::int as total from boost b join entrant e on e.id = b.entrant_id ${clause}`, args);
  const rows = await conn.execute(`${BOOST_SELECT} ${clause} order by b.created_at, b.id limit ? offset ?`, [...args, q.pageSize, (q.page - 1) * q.pageSize]);
  return { total, page: q.page, pageSize: q.pageSize, items: (rows as BoostRow[]).map(describeBoost) };
}
