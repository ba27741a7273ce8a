import { z } from 'zod';
import { escapeHtml } from '../../activities/mail/templates';
import { caughtMailDir, listCaughtMail, readCaughtMail } from '../../lib/caught-mail';
import { AppError } from '../../lib/errors';
import { requirePrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';

// .strict(): asking to turn essential mail off is an error, not silently ignored.
const preferencesBody = z.object({ reminders: z.boolean() }).strict();

function preferences(reminders: boolean) {
  return {
    reminders,
    // Decisions about the account (审核, 遴选, 评审任务, 结果, 奖项) are always mailed.
    essential: true as const,
  };
}

export function mailRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    { method: 'get', path: '/api/me/mail-preferences', summary: 'My mail settings: reminders on or off (decisions are always mailed)', tags: ['mail'], access: 'authenticated' },
    async (_i, req) => {
      const p = requirePrincipal(req);
      const [row] = await deps.orm.em.fork().getConnection().execute(`select mail_reminders from account where id = ?`, [p.accountId]);
      if (!row) throw new AppError('NotFound', 'no such account');
      return preferences(row.mail_reminders);
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/me/mail-preferences',
      summary: 'Turn reminder mails on or off; essential mails (decisions about me) cannot be turned off',
      tags: ['mail'],
      access: 'authenticated',
      body: preferencesBody,
    },
    async ({ body }, req) => {
      const p = requirePrincipal(req);
      const rows = await deps.orm.em.fork().getConnection().execute(
        `update account set mail_reminders = ?, updated_at = now() where id = ? returning mail_reminders`,
        [body.reminders, p.accountId],
      );
      if (!rows[0]) throw new AppError('NotFound', 'no such account');
      return preferences(rows[0].mail_reminders);
    },
  );

  // The embedded mail catcher's inbox: demo mode only (it holds every mail, links included).
  if (deps.config.APP_MODE !== 'demo') return;
  const dir = caughtMailDir(deps.config.DATA_DIR);
  const idParam = z.object({ id: z.string().regex(/^\d{13}-[0-9a-f]{8}$/) });
  const found = (id: string) => {
    const mail = readCaughtMail(dir, id);
    if (!mail) throw new AppError('NotFound', `no caught mail ${id}`);
    return mail;
  };

  routes.add(
    { method: 'get', path: '/api/dev/mail', summary: 'Demo only: mail caught by the embedded mail catcher, newest first', tags: ['dev'], access: 'public' },
    async () => ({ items: listCaughtMail(dir).map(({ text: _t, html: _h, ...head }) => head) }),
  );

  routes.add(
    { method: 'get', path: '/api/dev/mail/:id', summary: 'Demo only: one caught mail with its text and HTML parts', tags: ['dev'], access: 'public', params: idParam },
    async ({ params }) => found(params.id),
  );

  routes.add(
    { method: 'get', path: '/api/dev/mail/:id/html', summary: 'Demo only: the HTML part of a caught mail, sandboxed', tags: ['dev'], access: 'public', params: idParam },
    async ({ params }, _req, res) => {
      const mail = found(params.id);
      // Mail HTML is foreign content: no scripts, no same-origin access.
      res.setHeader('Content-Security-Policy', 'sandbox; default-src none; img-src data:; style-src unsafe-inline');
      res.type('html').send(mail.html ?? `<pre>${escapeHtml(mail.text)}</pre>`);
    },
  );

  routes.add({ method: 'get', path: '/dev/mail', summary: 'Demo only: a page listing the caught mail', tags: ['dev'], access: 'public' }, async (_i, _req, res) => {
    const rows = listCaughtMail(dir)
      .map(
        (m) =>
          `<tr><td>${escapeHtml(new Date(m.receivedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }))}</td><td>${escapeHtml(m.envelope.to.join(', '))}</td>` +
          `<td><a href="/api/dev/mail/${m.id}/html" target="_blank" rel="noopener">${escapeHtml(m.subject)}</a></td><td><a href="/api/dev/mail/${m.id}">JSON</a></td></tr>`,
      )
      .join('\n');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Caught mail (demo)</title>` +
        `<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}</style></head>` +
        `<body><h1>Caught mail</h1><p>Demo mode: mail is not delivered; the embedded mail catcher keeps it under ${escapeHtml(dir)}.</p>` +
        `<table><tr><th>received (Asia/Shanghai)</th><th>to</th><th>subject</th><th></th></tr>${rows || '<tr><td colspan="4">none yet</td></tr>'}</table></body></html>`,
    );
  });
}
