// 异议 (SPEC §8 [ours]): filed by any logged-in account on a published entrant during the notice
// period, settled by an auditor. A settlement's effect on the entrant goes to its lifecycle as a
// message carrying the auditor and the reason (disqualify update, score correction, review
// reopened); its effect on the published result is applied by the publication workflow, which
// the settlement signals.
import { randomUUID } from 'node:crypto';
import busboy from 'busboy';
import type { Request } from 'express';
import { z } from 'zod';
import { inTransaction } from '../../db/transaction';
import { parseCampaignConfig } from '../../lib/campaign-config';
import { AppError } from '../../lib/errors';
import { publicationWorkflowId } from '../../lib/ids';
import { maxTotal, rubricFor } from '../../lib/rules/scoring';
import type { Principal } from '../../lib/rules/scope';
import { disqualifyUpdate, objectionFiledSignal, objectionSettledSignal, reviewReopenedSignal, scoreCorrectedSignal, type ObjectionSettlement } from '../../workflows';
import type { ApiDeps } from '../deps';
import { LocalEvidenceStore, type StoredEvidence } from '../evidence-store';
import { zodDetails } from '../errors';
import { reason } from '../schemas';
import { actorOf } from './entrants';

export const objectionBody = z.object({ entrantId: z.uuid({ message: 'not an entrant id' }), reason });

export const settleBody = z
  .object({
    decision: z.enum(['dismiss', 'uphold']),
    action: z.enum(['disqualify', 'rereview', 'correct']).optional(),
    finalScore: z.number().finite().optional(),
    reason,
  })
  .superRefine((b, ctx) => {
    if (b.decision === 'uphold' && !b.action) ctx.addIssue({ code: 'custom', path: ['action'], message: 'an upheld objection needs an action: disqualify, rereview or correct' });
    if (b.decision === 'dismiss' && b.action) ctx.addIssue({ code: 'custom', path: ['action'], message: 'a dismissed objection takes no action' });
    if (b.action === 'correct' && b.finalScore === undefined) ctx.addIssue({ code: 'custom', path: ['finalScore'], message: 'a score correction needs the corrected final score' });
    if (b.action !== 'correct' && b.finalScore !== undefined) ctx.addIssue({ code: 'custom', path: ['finalScore'], message: 'finalScore goes only with action correct' });
    if (b.finalScore !== undefined && Math.abs(b.finalScore * 100 - Math.round(b.finalScore * 100)) > 1e-6) ctx.addIssue({ code: 'custom', path: ['finalScore'], message: 'a final score has at most two decimals' });
  });
export type SettleBody = z.infer<typeof settleBody>;

/** Accounts that see every objection; others see the ones they filed. */
const OVERSEERS = ['auditor', 'province_admin'];

export interface ObjectionUpload {
  fields: Record<string, string>;
  evidence?: StoredEvidence & { name: string | null };
}

/**
 * An objection's body: JSON, or multipart/form-data with the fields and at most one `evidence`
 * file, streamed into the evidence store (its type judged by its content, its size capped).
 */
export function readObjectionUpload(req: Request, store: LocalEvidenceStore, maxBytes: number): Promise<ObjectionUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) return Promise.resolve({ fields: (req.body ?? {}) as Record<string, string> });
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 8 * 1024 } });
    } catch (err) {
      return reject(new AppError('ValidationFailed', `unreadable multipart body: ${(err as Error).message}`));
    }
    const fields: Record<string, string> = {};
    let stored: Promise<ObjectionUpload['evidence']> | undefined;
    let failed: AppError | undefined;
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (field, stream, info) => {
      if (field !== 'evidence') {
        failed = new AppError('ValidationFailed', 'the file part must be named evidence', [{ path: `body.${field}`, message: 'unexpected file' }]);
        stream.resume();
        return;
      }
      stored = store.put(stream, maxBytes).then((s) => ({ ...s, name: info.filename ? info.filename.slice(0, 200) : null }));
      stored.catch(() => undefined); // awaited on close
    });
    bb.on('filesLimit', () => (failed = new AppError('ValidationFailed', 'one evidence file at most')));
    bb.on('error', (err) => reject(new AppError('ValidationFailed', `unreadable multipart body: ${(err as Error).message}`)));
    bb.on('close', async () => {
      try {
        const evidence = await stored;
        if (failed) throw failed;
        resolve({ fields, evidence });
      } catch (err) {
        reject(err);
      }
    });
    req.pipe(bb);
  });
}

export interface ObjectionRow {
  id: string;
  campaign_id: string;
  entrant_id: string;
  entrant_name: string;
  filed_by: string;
  filer_name: string;
  filer_role: string;
  reason: string;
  evidence_sha256: string | null;
  evidence_type: string | null;
  evidence_bytes: string | null;
  evidence_name: string | null;
  filed_at: Date;
  state: 'open' | 'dismissed' | 'upheld';
  action: 'disqualify' | 'rereview' | 'correct' | null;
  previous_score: string | null;
  corrected_score: string | null;
  settled_by: string | null;
  settler_name: string | null;
  settler_role: string | null;
  settlement_reason: string | null;
  settled_at: Date | null;
  applied_at: Date | null;
}

const OBJECTION_SELECT = `
  select o.*, e.name as entrant_name, f.display_name as filer_name, s.display_name as settler_name
    from objection o join entrant e on e.id = o.entrant_id join account f on f.id = o.filed_by left join account s on s.id = o.settled_by`;

export function describeObjection(o: ObjectionRow) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: o.id,
    campaignId: o.campaign_id,
    entrant: { id: o.entrant_id, name: o.entrant_name },
    filedBy: { accountId: o.filed_by, name: o.filer_name, role: o.filer_role },
    reason: o.reason,
    evidence: o.evidence_sha256 ? { sha256: o.evidence_sha256, type: o.evidence_type, bytes: Number(o.evidence_bytes), name: o.evidence_name, url: `/api/objections/${o.id}/evidence` } : null,
    filedAt: iso(o.filed_at),
    state: o.state,
    settlement:
      o.state === 'open'
        ? null
        : {
            decision: o.state === 'upheld' ? 'uphold' : 'dismiss',
            action: o.action,
            previousScore: o.previous_score === null ? null : Number(o.previous_score),
            correctedScore: o.corrected_score === null ? null : Number(o.corrected_score),
            by: { accountId: o.settled_by, name: o.settler_name, role: o.settler_role },
            reason: o.settlement_reason,
            at: iso(o.settled_at),
            /** The publication workflow has applied it to the result. */
            applied: o.applied_at !== null,
          },
  };
}

export async function loadObjection(deps: ApiDeps, id: string): Promise<ObjectionRow> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`${OBJECTION_SELECT} where o.id = ?`, [id]);
  if (!row) throw new AppError('NotFound', `no objection ${id}`);
  return row as ObjectionRow;
}

/** The filer and the overseers see an objection; anyone else is told it does not exist. */
export function requireMayRead(p: Principal, o: ObjectionRow): void {
  if (!OVERSEERS.includes(p.role) && o.filed_by !== p.accountId) throw new AppError('NotFound', `no objection ${o.id}`);
}

async function signalPublication(deps: ApiDeps, campaignId: string, send: (h: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<void>): Promise<void> {
  try {
    await send(deps.temporal.workflow.getHandle(publicationWorkflowId(campaignId)));
  } catch (err) {
    // The row is the record; the workflow reads every unprocessed objection on its next wake.
    deps.log(`could not signal ${publicationWorkflowId(campaignId)}`, err);
  }
}

/** 提出异议: only during the notice period of the results the entrant was published in. */
export async function fileObjection(deps: ApiDeps, p: Principal, upload: ObjectionUpload) {
  const parsed = objectionBody.safeParse(upload.fields);
  if (!parsed.success) {
    throw new AppError('ValidationFailed', 'the objection is not valid', zodDetails(parsed.error).map((d) => ({ ...d, path: `body.${d.path}` })));
  }
  const { entrantId, reason: why } = parsed.data;
  const now = new Date(deps.clock());
  const id = randomUUID();
  const campaignId = await inTransaction(deps.orm, async (run) => {
    // Shares the publication row's lock with the finalisation, which closes filing: an
    // objection is either in before the notice ends or refused.
    const [pub] = await run(
      `select p.campaign_id, p.state, p.notice_ends_at from result r join publication p on p.campaign_id = r.campaign_id where r.entrant_id = ? for share of p`,
      [entrantId],
    );
    if (!pub) throw new AppError('NotFound', `entrant ${entrantId} is not in any published results`);
    if (pub.state !== 'notice' || now.getTime() >= new Date(pub.notice_ends_at).getTime()) {
      throw new AppError('WindowClosed', `objections are taken during the notice period (公示期) only; it ended at ${new Date(pub.notice_ends_at).toISOString()}`);
    }
    const e = upload.evidence;
    const inserted = await run(
      `insert into objection (id, campaign_id, entrant_id, filed_by, filer_role, reason, evidence_sha256, evidence_type, evidence_bytes, evidence_name, filed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (entrant_id, filed_by) where state = 'open' do nothing returning id`,
      [id, pub.campaign_id, entrantId, p.accountId, p.role, why, e?.sha256 ?? null, e?.type ?? null, e?.bytes ?? null, e?.name ?? null, now.toISOString()],
    );
    if (inserted.length === 0) throw new AppError('Conflict', 'you already have an open objection on this entrant; it must be settled before you file another');
    return pub.campaign_id as string;
  });
  await signalPublication(deps, campaignId, (h) => h.signal(objectionFiledSignal, { objectionId: id, entrantId, actor: actorOf(p), reason: why }));
  return describeObjection(await loadObjection(deps, id));
}

export async function listObjections(deps: ApiDeps, p: Principal, q: { campaignId?: string; state?: string; entrantId?: string; page: number; pageSize: number }) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (!OVERSEERS.includes(p.role)) (where.push('o.filed_by = ?'), args.push(p.accountId));
  if (q.campaignId) (where.push('o.campaign_id = ?'), args.push(q.campaignId));
  if (q.state) (where.push('o.state = ?'), args.push(q.state));
  if (q.entrantId) (where.push('o.entrant_id = ?'), args.push(q.entrantId));
  const filter = where.length ? `where ${where.join(' and ')}` : '';
  const conn = deps.orm.em.fork().getConnection();
  const [{ total }] = await conn.execute(`select count(*)::int as total from objection o ${filter}`, args);
  const rows = await conn.execute(`${OBJECTION_SELECT} ${filter} order by o.filed_at desc, o.id limit ? offset ?`, [...args, q.pageSize, (q.page - 1) * q.pageSize]);
  return { total, page: q.page, pageSize: q.pageSize, items: (rows as ObjectionRow[]).map(describeObjection) };
}

/**
 * 异议处理: dismissed (recorded), or upheld with its action sent to the entrant's lifecycle
 * with the auditor and the reason. The objection row is locked while the lifecycle is told, so
 * two auditors cannot settle it twice; a lifecycle refusal leaves it open.
 */
export async function settleObjection(deps: ApiDeps, p: Principal, id: string, body: SettleBody) {
  const actor = actorOf(p);
  const now = new Date(deps.clock()).toISOString();
  const settled = await inTransaction(deps.orm, async (run) => {
    const [o] = await run(
      `select o.id, o.state, o.campaign_id, o.entrant_id, e.workflow_id, e.state as entrant_state, e.category, r.final, r.final_score, c.config
         from objection o join entrant e on e.id = o.entrant_id join result r on r.entrant_id = o.entrant_id join campaign c on c.id = o.campaign_id
        where o.id = ? for update of o`,
      [id],
    );
    if (!o) throw new AppError('NotFound', `no objection ${id}`);
    if (o.state !== 'open') throw new AppError('Conflict', `objection ${id} was already settled (${o.state})`);
    const lifecycle = deps.temporal.workflow.getHandle(o.workflow_id);
    const because = `异议成立（异议 ${id}）：${body.reason}`;
    if (body.decision === 'uphold') {
      if (o.final) throw new AppError('Conflict', 'this entrant’s result is already final');
      if (body.action !== 'disqualify' && !['published', 'reviewed'].includes(o.entrant_state)) {
        throw new AppError('InvalidTransition', `cannot ${body.action === 'correct' ? 'correct the score of' : 'reopen the review of'} an entrant that is ${o.entrant_state}; the objection can be dismissed`);
      }
      if (body.action === 'disqualify') {
        await lifecycle.executeUpdate(disqualifyUpdate, { args: [{ actor, reason: because, evidence: `objection:${id}` }] });
      } else if (body.action === 'correct') {
        const top = maxTotal(rubricFor(parseCampaignConfig(o.config).rubric, o.category)) + 5;
        if (body.finalScore! < -5 || body.finalScore! > top) {
          throw new AppError('ValidationFailed', 'the corrected score is out of range', [{ path: 'body.finalScore', message: `a final score lies from -5 to ${top} (the rubric's maximum plus the largest bonus)` }]);
        }
        await lifecycle.signal(scoreCorrectedSignal, { finalScore: body.finalScore!, actor, reason: because });
      } else {
        // The lifecycle goes back to in_review with no experts; applying the settlement, the
        // publication workflow draws new ones for a new round (activities/review.ts drawReReview).
        await lifecycle.signal(reviewReopenedSignal, { actor, reason: because });
      }
    }
    await run(
      `update objection set state = ?, action = ?, previous_score = ?, corrected_score = ?, settled_by = ?, settler_role = ?, settlement_reason = ?, settled_at = ?
        where id = ?`,
      [body.decision === 'uphold' ? 'upheld' : 'dismissed', body.action ?? null, o.final_score, body.action === 'correct' ? body.finalScore : null, p.accountId, p.role, body.reason, now, id],
    );
    return { campaignId: o.campaign_id as string, entrantId: o.entrant_id as string };
  });
  const news: ObjectionSettlement = { objectionId: id, entrantId: settled.entrantId, decision: body.decision, action: body.action, actor, reason: body.reason };
  await signalPublication(deps, settled.campaignId, (h) => h.signal(objectionSettledSignal, news));
  return describeObjection(await loadObjection(deps, id));
}
