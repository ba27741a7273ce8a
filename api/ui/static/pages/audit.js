// 审计: find an entrant, read its lifecycle from the workflow history (when, who, what, why),
// replay that history on today's code for a verdict, and export the history itself.
import { api, badge, field, fmtTime, h, statusLine, table, errorText } from '../lib.js';
import { categoryLabel, stateLabel, t } from '../i18n.js';

export async function render(ctx) {
  if (ctx.state.me?.role !== 'auditor') return [h('h1', {}, t('nav.audit')), h('p', {}, t('forbidden'))];
  const id = ctx.query.get('entrant');
  const q = ctx.query.get('q') ?? '';
  const c = ctx.state.campaign;
  const search = h('form', { class: 'filters', role: 'search', 'aria-label': t('audit.find'), onsubmit: (e) => {
      e.preventDefault();
      const v = String(new FormData(search).get('q') ?? '').trim();
      ctx.go(/^[0-9a-f-]{36}$/i.test(v) ? `/audit?entrant=${v}` : `/audit?q=${encodeURIComponent(v)}`);
    } },
    field(t('audit.query'), { type: 'search', name: 'q', value: id ?? q, maxlength: 50 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('showcase.search'))));
  const out = [h('h1', {}, t('nav.audit')), search];
  if (id) out.push(await timeline(id));
  else if (q && c) {
    const list = await api('GET', `/api/entrants?${new URLSearchParams({ campaignId: c.id, q, pageSize: '50' })}`);
    out.push(list.items.length
      ? table([t('name'), t('category'), t('school'), t('state')], list.items.map((e) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `/audit?entrant=${e.id}` }, e.name)), h('td', {}, categoryLabel(e.category)), h('td', {}, `${e.city} · ${e.school}`), h('td', {}, stateLabel(e.state)))), t('audit.results'))
      : h('p', {}, t('showcase.empty')));
  }
  return out;
}

async function timeline(id) {
  const tl = await api('GET', `/api/audit/entrants/${encodeURIComponent(id)}/timeline`);
  const verdict = statusLine();
  const replay = h('button', { type: 'button', onclick: async () => {
      replay.disabled = true;
      verdict.ok(t('audit.replaying'));
      try {
        const v = await api('POST', `/api/audit/entrants/${encodeURIComponent(id)}/replay`);
        if (v.match) verdict.ok(t('audit.match', { events: v.events }));
        else verdict.fail(t('audit.diverge', { event: v.divergence?.eventId ?? '?', message: v.divergence?.message ?? '' }));
      } catch (err) {
        verdict.fail(errorText(err));
      } finally {
        replay.disabled = false;
      }
    } }, t('audit.replay'));
  return h('section', { 'aria-labelledby': 'tl-h' },
    h('h2', { id: 'tl-h' }, t('audit.timeline'), ' ', badge(stateLabel(tl.state), tl.state)),
    h('p', { class: 'muted' }, tl.workflowId),
    h('p', { class: 'actions' }, replay, ' ', h('a', { class: 'button secondary', href: `/api/audit/entrants/${encodeURIComponent(id)}/history`, download: '' }, t('audit.export'))),
    verdict.el,
    table([t('when'), t('audit.what'), t('who'), t('why')],
      tl.steps.map((s) => h('tr', {},
        h('td', {}, fmtTime(s.at)),
        h('td', {}, badge(t(`audit.kind.${s.kind}`)), ' ', s.what),
        h('td', {}, s.who ? [s.who.name, s.who.role ? t(`role.${s.who.role}`) : null].filter(Boolean).join(' · ') : '—'),
        h('td', {}, s.why ?? '—'))),
      t('audit.timeline')));
}
