import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { verifyPassword } from '../lib/passwords';
import type { Orm } from '../db/orm';
import { AppError } from '../lib/errors';
import type { Principal } from '../lib/rules/scope';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CACHE_MS = 10_000;
const CACHE_MAX = 50_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sessions are opaque random tokens stored hashed in PostgreSQL. Browsers carry them in an
 * httpOnly cookie with a double-submit CSRF token; API clients send `Authorization: Bearer`.
 * A token is looked up at most every 10 s per API process (logout takes effect within that).
 */
export class Sessions {
  private cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly orm: Orm,
    private readonly ttlHours: number,
  ) {}

  async login(username: string, password: string): Promise<{ token: string; csrfToken: string; expiresAt: Date; principal: Principal }> {
    const conn = this.orm.em.fork().getConnection();
    const [row] = await conn.execute(
      `select id, password_hash, role, display_name, city_id, county_id, school_id, disabled from account where username = ?`,
      [username],
    );
    // Verify against a dummy hash when the user is unknown so timing does not reveal it.
    const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
    if (!row || !ok || row.disabled) throw new AppError('Unauthenticated', 'wrong username or password');
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlHours * 3600_000);
    await conn.execute(`insert into session (token_hash, account_id, expires_at) values (?, ?, ?)`, [hashToken(token), row.id, expiresAt]);
    await conn.execute(`delete from session where account_id = ? and expires_at < now()`, [row.id]);
    return { token, csrfToken: randomBytes(24).toString('base64url'), expiresAt, principal: toPrincipal(row) };
  }

  async logout(token: string): Promise<void> {
    this.cache.delete(hashToken(token));
    await this.orm.em.fork().getConnection().execute(`delete from session where token_hash = ?`, [hashToken(token)]);
  }

  async resolve(token: string): Promise<Principal | null> {
    const key = hashToken(token);
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const [row] = await this.orm.em.fork().getConnection().execute(
      `select a.id, a.role, a.display_name, a.city_id, a.county_id, a.school_id
       from session s join account a on a.id = s.account_id
       where s.token_hash = ? and s.expires_at > now() and not a.disabled`,
      [key],
    );
    const principal = row ? toPrincipal(row) : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, { principal, until: now + CACHE_MS });
    return principal;
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$FKu6IuUvj1vJhQEVwcjbIQ$l3XoppCQN+E8/nY1Ra6GjEQP2MvyPniOMGEwFRwHNkk';

function toPrincipal(row: Record<string, unknown>): Principal {
  return {
    accountId: String(row.id),
    role: String(row.role),
    displayName: String(row.display_name),
    cityId: (row.city_id as number | null) ?? null,
    countyId: (row.county_id as number | null) ?? null,
    schoolId: (row.school_id as number | null) ?? null,
  };
}

export function tokenFrom(req: Request): { token: string; viaCookie: boolean } | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), viaCookie: false };
  const cookie = req.cookies?.sid;
  if (typeof cookie === 'string' && cookie) return { token: cookie, viaCookie: true };
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Resolves the caller (if any) for every request; routes then demand what they need. */
export function authenticate(sessions: Sessions): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const found = tokenFrom(req);
    if (!found) return next();
    if (found.viaCookie && !SAFE_METHODS.has(req.method)) {
      const header = req.get('x-csrf-token') ?? '';
      const cookie = typeof req.cookies?.csrf === 'string' ? req.cookies.csrf : '';
      if (!header || !cookie || !sameSecret(header, cookie)) {
        return next(new AppError('Forbidden', 'missing or wrong CSRF token (send the csrf cookie back in X-CSRF-Token)'));
      }
    }
    const principal = await sessions.resolve(found.token);
    if (!principal) {
      // A stale cookie must not lock a browser out of public pages and the login itself.
      if (found.viaCookie) {
        _res.clearCookie('sid', { path: '/' });
        _res.clearCookie('csrf', { path: '/' });
        return next();
      }
      return next(new AppError('Unauthenticated', 'the session has expired; log in again'));
    }
    req.principal = principal;
    next();
  };
}

export type Access = 'public' | 'authenticated' | readonly string[];

/** The one check every route declares: public, any logged-in account, or a list of roles. */
export function checkAccess(req: Request, access: Access): void {
  if (access === 'public') return;
  if (!req.principal) throw new AppError('Unauthenticated', 'log in first');
  if (access === 'authenticated') return;
  if (!access.includes(req.principal.role)) throw new AppError('Forbidden', `this needs one of the roles: ${access.join(', ')}`);
}

export function requirePrincipal(req: Request): Principal {
  if (!req.principal) throw new AppError('Unauthenticated', 'log in first');
  return req.principal;
}
