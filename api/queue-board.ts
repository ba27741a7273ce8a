import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../lib/errors';
import { QUEUES } from '../lib/queues';
import { tokenFrom } from './auth';
import type { ApiDeps } from './deps';

export const QUEUE_BOARD_PATH = '/admin/queues';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The board's own page sends no X-CSRF-Token, so a cookie session's state-changing request
 * (retry, clean, remove) must come from this origin instead.
 */
function sameOrigin(req: Request): boolean {
  if (req.get('sec-fetch-site') === 'same-origin') return true;
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/** One-time activation links are credentials: the board shows that there was one, not what. */
function hideSecrets(data: unknown): unknown {
  const job = data as { template?: string; params?: Record<string, unknown> } | null;
  if (job?.template === 'expert_selected' && job.params) return { ...job, params: { ...job.params, link: '[one-time activation link hidden]' } };
  return data;
}

/**
 * bull-board at /admin/queues: province admins get the full board, auditors the same
 * queues read-only (no retry, clean, pause or remove); anyone else 401/403 as JSON.
 * Mounted before the app's `authenticate`, whose CSRF header the board cannot send.
 */
export function queueBoard(deps: ApiDeps): RequestHandler {
  // skipMetasUpdate: looking at a queue writes nothing to Redis; its producers own the meta.
  const queues = QUEUES.map((name) => new Queue(name, { connection: { url: deps.config.REDIS_URL }, prefix: deps.config.REDIS_PREFIX, skipMetasUpdate: true }));
  for (const q of queues) q.on('error', () => undefined); // the board page shows Redis trouble itself
  // The board's connections end with the API's Redis client (server stop, test teardown).
  deps.redis.once('end', () => void Promise.allSettled(queues.map((q) => q.close())));

  const board = (readOnlyMode: boolean): RequestHandler => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => {
        const adapter = new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode });
        adapter.setFormatter('data', hideSecrets);
        return adapter;
      }),
      // @bull-board/express 9.10.1 types against its own copy of @bull-board/api (9.10.1); the
      // adapter uses none of it at run time, and the two declare the same interface.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: readOnlyMode ? '队列 (read-only)' : '队列 · queues' } },
    });
    return serverAdapter.getRouter() as RequestHandler;
  };
  const full = board(false);
  const readOnly = board(true);

  return async (req, res, next) => {
    try {
      const found = tokenFrom(req);
      if (!found) throw new AppError('Unauthenticated', 'log in as a province admin (or an auditor, read-only) first');
      if (found.viaCookie && !SAFE_METHODS.has(req.method) && !sameOrigin(req)) throw new AppError('Forbidden', 'a cross-site change to the queues is refused');
      const principal = await deps.sessions.resolve(found.token);
      if (!principal) throw new AppError('Unauthenticated', 'the session has expired; log in again');
      if (principal.role === 'province_admin') return full(req, res, next);
      if (principal.role === 'auditor') return readOnly(req, res, next);
      throw new AppError('Forbidden', 'the queue board is for province admins (auditors: read-only)');
    } catch (err) {
      next(err);
    }
  };
}
