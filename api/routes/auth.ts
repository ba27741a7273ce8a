import type { Response } from 'express';
import { z } from 'zod';
import { ensureAccount } from '../../db/seed';
import { AppError } from '../../lib/errors';
import { requirePrincipal, tokenFrom } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';

const credentials = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });

const signup = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.@-]{3,64}$/, '3–64 letters, digits or _ . @ -'),
  password: z.string().min(10, 'at least 10 characters').max(200),
  displayName: z.string().trim().min(1).max(50),
  email: z.email().optional(),
  /** Personal roles only; admin, expert and auditor accounts are issued, not signed up for. */
  role: z.enum(['voter', 'teacher', 'student', 'education_worker']),
});

// Failed logins per username+IP; a real province sees password guessing.
const FAILURES_LIMIT = 10;
const FAILURES_WINDOW_MS = 15 * 60_000;
const failures = new Map<string, { count: number; since: number }>();

function setSessionCookies(res: Response, token: string, csrfToken: string, expiresAt: Date, secure: boolean): void {
  res.cookie('sid', token, { httpOnly: true, sameSite: 'lax', secure, expires: expiresAt, path: '/' });
  res.cookie('csrf', csrfToken, { httpOnly: false, sameSite: 'lax', secure, expires: expiresAt, path: '/' });
}

export function authRoutes(routes: Routes, deps: ApiDeps): void {
  const secure = deps.config.publicUrl.startsWith('https://');

  routes.add(
    { method: 'post', path: '/api/auth/login', summary: 'Log in: sets the session cookie and returns a bearer token', tags: ['auth'], access: 'public', body: credentials },
    async ({ body }, req, res) => {
      const key = `${body.username}|${req.ip}`;
      const f = failures.get(key);
      if (f && f.count >= FAILURES_LIMIT && Date.now() - f.since < FAILURES_WINDOW_MS) {
        throw new AppError('Forbidden', 'too many failed logins; wait 15 minutes and try again');
      }
      try {
        const s = await deps.sessions.login(body.username, body.password);
        failures.delete(key);
        setSessionCookies(res, s.token, s.csrfToken, s.expiresAt, secure);
        return { token: s.token, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(), account: s.principal };
      } catch (err) {
        if (err instanceof AppError && err.kind === 'Unauthenticated') {
          const prior = failures.get(key);
          failures.set(key, prior && Date.now() - prior.since < FAILURES_WINDOW_MS ? { count: prior.count + 1, since: prior.since } : { count: 1, since: Date.now() });
        }
        throw err;
      }
    },
  );

  routes.add({ method: 'post', path: '/api/auth/logout', summary: 'Log out: ends the session', tags: ['auth'], access: 'authenticated' }, async (_i, req, res) => {
    const found = tokenFrom(req);
    if (found) await deps.sessions.logout(found.token);
    res.clearCookie('sid', { path: '/' });
    res.clearCookie('csrf', { path: '/' });
    return undefined;
  });

  routes.add({ method: 'get', path: '/api/auth/me', summary: 'The logged-in account', tags: ['auth'], access: 'authenticated' }, async (_i, req) => requirePrincipal(req));

  routes.add(
    { method: 'post', path: '/api/accounts', summary: 'Sign up as a voter, teacher, student or education worker', tags: ['auth'], access: 'public', body: signup, responses: { 201: 'account created' } },
    async ({ body }) => {
      const em = deps.orm.em.fork();
      const created = await ensureAccount(em, { ...body });
      if (!created.password) throw new AppError('Conflict', `the username ${body.username} is taken`);
      return { id: created.id, username: body.username, role: body.role };
    },
  );
}
