// 省组委会: phase control (提前 / 延期, each with a confirmation that states its effect), the
// record of every schedule change, the campaign dashboard and links to the operators' tools.
import { api, badge, confirmDialog, errorText, field, fmtTime, h, shanghaiInstant, shanghaiLocal, statusLine, table, toast } from '../lib.js';
import { stateLabel, t, windowLabel } from '../i18n.js';

export async function render(ctx) {
  const me = ctx.state.me;
  const c = ctx.state.campaign;
  if (me?.role !== 'province_admin') return [h('h1', {}, t('nav.province')), h('p', {}, t('forbidden'))];
  if (!c) return [h('h1', {}, t('nav.province')), h('p', {}, t('home.none'))];
  const [campaign, changes, dashboard] = await Promise.all([
    api('GET', `/api/campaigns/${encodeURIComponent(c.id)}`),
    api('GET', `/api/campaigns/${encodeURIComponent(c.id)}/changes`),
    api('GET', `/api/reports/dashboard?campaignId=${encodeURIComponent(c.id)}`).catch(() => null),
  ]);
  const sections = [
    h('h1', {}, t('nav.province')),
    h('p', { class: 'muted' }, campaign.name),
    phaseControl(ctx, campaign),
    changeLog(changes.items),
    dashboard ? dashboardSection(dashboard) : null,
  ];
  for (const extra of await extraSections(ctx)) sections.push(extra);
  sections.push(toolLinks(ctx.state.config));
  return sections;
}

/** Sections for APIs that land later register themselves here (see province-extra.js). */
async function extraSections(ctx) {
  try {
    const mod = await import('./province-extra.js');
    return await mod.sections(ctx);
  } catch (err) {
    return [h('p', { class: 'status fail', role: 'alert' }, errorText(err))];
  }
}

function phaseControl(ctx, campaign) {
  const s = campaign.schedule;
  const rows = s.windows.map((w) => {
    const label = windowLabel(w.key);
    const advance = w.phase !== 'closed'
      ? h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('phase.advance')} · ${label}`, onclick: () => advanceWindow(ctx, campaign, w) }, t(w.phase === 'upcoming' ? 'phase.openNow' : 'phase.closeNow'))
      : null;
    const extend = h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('phase.extend')} · ${label}`, onclick: () => extendWindow(ctx, campaign, w) }, t('phase.extend'));
    return h('tr', {},
      h('th', { scope: 'row' }, label),
      h('td', {}, fmtTime(w.opensAt)),
      h('td', {}, fmtTime(w.closesAt)),
      h('td', {}, badge(t(`phase.${w.phase}`), w.phase)),
      h('td', { class: 'actions' }, advance, ' ', extend));
  });
  return h('section', { 'aria-labelledby': 'phases-h' },
    h('h2', { id: 'phases-h' }, t('phase.control')),
    table([t('home.window'), t('home.opens'), t('home.closes'), t('home.phase'), t('actions')], rows, t('phase.control')),
    h('p', { class: 'muted' }, t('home.tz')));
}

function reasonField() {
  const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
  return { reason, el: field(t('phase.reason'), reason, t('phase.reasonHint')) };
}

async function advanceWindow(ctx, campaign, w) {
  const label = windowLabel(w.key);
  const effect = w.phase === 'upcoming'
    ? t('phase.effectOpen', { label, at: fmtTime(w.opensAt) })
    : t('phase.effectClose', { label, at: fmtTime(w.closesAt) });
  const consequences = w.phase === 'open' ? t(`phase.consequence.${w.key}`) : '';
  const { reason, el } = reasonField();
  await confirmLoop(t('phase.advance'), [effect, consequences].filter((x) => x && !x.startsWith('phase.')), t('phase.confirmAdvance'), el, reason, async () => {
    await api('POST', `/api/campaigns/${encodeURIComponent(campaign.id)}/windows/${w.key}/advance`, { reason: reason.value.trim() });
    toast(t('phase.done', { label }));
    ctx.refresh();
  });
}

async function extendWindow(ctx, campaign, w) {
  const label = windowLabel(w.key);
  const until = h('input', { type: 'datetime-local', required: true, value: shanghaiLocal(new Date(Date.parse(w.closesAt) + 86400_000).toISOString()) });
  const reopen = h('input', { type: 'checkbox', id: 'reopen' });
  const effect = h('p', { 'aria-live': 'polite' });
  const describe = () => {
    const at = until.value ? fmtTime(shanghaiInstant(until.value)) : '—';
    effect.textContent = t('phase.effectExtend', { label, from: fmtTime(w.closesAt), to: at }) + (w.phase === 'closed' ? ' ' + t('phase.effectReopen') : '');
  };
  until.addEventListener('input', describe);
  describe();
  const { reason, el } = reasonField();
  const extra = h('div', {},
    field(t('phase.newDeadline'), until, t('phase.tzHint')),
    w.phase === 'closed' ? h('p', {}, reopen, ' ', h('label', { for: 'reopen' }, t('phase.reopen'))) : null,
    el);
  await confirmLoop(t('phase.extend'), [effect], t('phase.confirmExtend'), extra, reason, async () => {
    await api('POST', `/api/campaigns/${encodeURIComponent(campaign.id)}/windows/${w.key}/extend`, {
      closesAt: shanghaiInstant(until.value),
      reason: reason.value.trim(),
      ...(w.phase === 'closed' ? { reopen: reopen.checked } : {}),
    });
    toast(t('phase.done', { label }));
    ctx.refresh();
  });
}

/** Asks until the admin cancels or the act succeeds; a refusal is shown and the dialog reopens. */
async function confirmLoop(title, body, confirmLabel, extra, reason, act) {
  const status = statusLine();
  const box = h('div', {}, extra, status.el);
  for (;;) {
    if (!(await confirmDialog(title, body, confirmLabel, box))) return;
    if (!reason.value.trim()) {
      status.fail(t('phase.reasonRequired'));
      continue;
    }
    try {
      await act();
      return;
    } catch (err) {
      status.fail(errorText(err));
    }
  }
}

function changeLog(items) {
  return h('section', { 'aria-labelledby': 'changes-h' },
    h('h2', { id: 'changes-h' }, t('phase.changes')),
    items.length
      ? table(
          [t('when'), t('home.window'), t('phase.kind'), t('who'), t('why')],
          items.slice().reverse().map((ch) => h('tr', {},
            h('td', {}, fmtTime(ch.at)),
            h('td', {}, windowLabel(ch.window)),
            h('td', {}, `${t(`change.${ch.kind}`)}${ch.after ? ` → ${fmtTime(ch.after.closesAt)}` : ''}`),
            h('td', {}, ch.actor ? [ch.actor.name, t(`role.${ch.actor.role}`)].filter(Boolean).join(' · ') : t('change.system')),
            h('td', {}, ch.reason ?? '—'))),
          t('phase.changes'))
      : h('p', { class: 'muted' }, t('phase.noChanges')));
}

function dashboardSection(d) {
  const states = Object.entries(d.states ?? {}).sort((a, b) => b[1] - a[1]);
  return h('section', { 'aria-labelledby': 'dash-h' },
    h('h2', { id: 'dash-h' }, t('dash.title')),
    h('ul', { class: 'stats' }, states.map(([s, n]) => h('li', {}, h('span', { class: 'big' }, String(n)), ' ', stateLabel(s)))),
    d.approvalsPendingPerSchool?.length
      ? table([t('school'), t('county'), t('dash.pending'), t('dash.oldest')],
          d.approvalsPendingPerSchool.slice(0, 20).map((r) => h('tr', {}, h('td', {}, r.name), h('td', {}, r.county), h('td', {}, r.total), h('td', {}, fmtTime(r.oldestRegisteredAt)))),
          t('dash.pendingTitle'))
      : null,
    h('p', { class: 'cta' }, h('a', { href: '/console/dashboard' }, t('nav.dashboard')), ' ', h('a', { href: '/console/report' }, t('nav.report'))));
}

function toolLinks(config) {
  return h('section', { 'aria-labelledby': 'tools-h' },
    h('h2', { id: 'tools-h' }, t('tools.title')),
    h('ul', {},
      config.temporalUiUrl ? h('li', {}, h('a', { href: config.temporalUiUrl, target: '_blank', rel: 'noopener' }, t('tools.temporal'))) : null,
      h('li', {}, h('a', { href: config.queueBoardUrl ?? '/admin/queues', target: '_blank', rel: 'noopener' }, t('tools.queues'))),
      config.mailCatcherUrl ? h('li', {}, h('a', { href: config.mailCatcherUrl, target: '_blank', rel: 'noopener' }, t('tools.mail'))) : null,
      h('li', {}, h('a', { href: '/api/openapi.json', target: '_blank', rel: 'noopener' }, 'OpenAPI'))));
}
