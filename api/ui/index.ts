import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express, { type Request, type Response, type Router } from 'express';
import type { ApiDeps } from '../deps';

const STATIC_DIR = path.join(__dirname, 'static');

// The UI's pages run only this origin's scripts and styles: no inline code, no third party.
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Paths the UI never answers: the API, the queue board and the demo mail catcher own them.
const NOT_UI = /^\/(api|admin\/queues|dev)(\/|$)/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  mtimeMs: number;
  type: string;
  etag: string;
  body: Buffer;
  gzip: Buffer;
}

/**
 * Assets are small and few: kept in memory already gzipped (a slow school network gets about a
 * third of the bytes), re-read when a file changes on disk.
 */
class Assets {
  private cache = new Map<string, Asset>();

  get(urlPath: string): Asset | undefined {
    const file = path.join(STATIC_DIR, path.normalize(urlPath));
    if (!file.startsWith(STATIC_DIR + path.sep) || !TYPES[path.extname(file)]) return undefined;
    let mtimeMs: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = readFileSync(file);
    const asset = { mtimeMs, type: TYPES[path.extname(file)], etag: `"${createHash('sha1').update(body).digest('base64url')}"`, body, gzip: gzipSync(body, { level: 9 }) };
    this.cache.set(file, asset);
    return asset;
  }
}

function sendAsset(req: Request, res: Response, asset: Asset): void {
  res.setHeader('Content-Type', asset.type);
  res.setHeader('ETag', asset.etag);
  // Not content-hashed (no build step): a short cache, then a cheap 304 revalidation.
  res.setHeader('Cache-Control', 'public, max-age=600');
  res.setHeader('Vary', 'Accept-Encoding');
  if (req.get('if-none-match') === asset.etag) {
    res.status(304).end();
    return;
  }
  const gzip = req.acceptsEncodings('gzip') === 'gzip';
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const body = gzip ? asset.gzip : asset.body;
  res.setHeader('Content-Length', String(body.length));
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/** What the browser needs to know about this deployment, embedded in the page (no extra request). */
function shellHtml(deps: ApiDeps): string {
  const config = {
    demo: deps.config.APP_MODE === 'demo',
    temporalUiUrl: deps.config.TEMPORAL_UI_URL,
    queueBoardUrl: '/admin/queues',
    mailCatcherUrl: deps.config.APP_MODE === 'demo' ? '/dev/mail' : null,
  };
  // JSON inside an attribute: escape what could close it or start markup.
  const attr = JSON.stringify(config).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return readFileSync(path.join(__dirname, 'index.html'), 'utf8').replace('%UI_CONFIG%', attr);
}

function wantsPage(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['html', 'json']) === 'html';
}

/**
 * The web UI: a static shell, ES modules and one stylesheet under /ui/, and the shell for
 * every other page path so that the client router can take over (deep links, reloads).
 */
export function ui(deps: ApiDeps): Router {
  const router = express.Router();
  const shell = shellHtml(deps);
  const assets = new Assets();

  router.use((req, res, next) => {
    if (NOT_UI.test(req.path)) return next('router');
    res.setHeader('Content-Security-Policy', UI_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  router.get('/ui/{*asset}', (req, res) => {
    const asset = assets.get(req.path.slice('/ui'.length));
    if (!asset) {
      res.status(404).type('text').send('not found');
      return;
    }
    sendAsset(req, res, asset);
  });

  router.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(shell);
  });
  return router;
}
