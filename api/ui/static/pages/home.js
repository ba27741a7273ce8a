// 首页: the campaign, where it stands now, and a countdown to the next deadline.
import { api, countdown, fmtTime, h, table, badge } from '../lib.js';
import { t, windowLabel } from '../i18n.js';

export async function render(ctx) {
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('brand')), h('p', {}, t('home.none'))];
  const campaign = await api('GET', `/api/campaigns/${encodeURIComponent(c.id)}`);
  const s = campaign.schedule;
  const open = s.windows.filter((w) => w.phase === 'open');
  const next = s.next;
  return [
    h('h1', {}, campaign.name),
    h('section', { class: 'hero', 'aria-labelledby': 'phase-h' },
      h('h2', { id: 'phase-h' }, t('home.now')),
      open.length
        ? h('ul', { class: 'phases' }, open.map((w) => h('li', {}, badge(t('phase.open'), 'open'), ' ', windowLabel(w.key), ' ', h('span', { class: 'muted' }, t('home.until', { at: fmtTime(w.closesAt) })))))
        : h('p', {}, t('home.noneOpen')),
      next
        ? h('p', { class: 'next', id: 'next-deadline' },
            t(next.edge === 'closed' ? 'home.nextClose' : 'home.nextOpen', { label: windowLabel(next.window) }), ' ',
            countdown(ctx, next.at, s.now), ' ',
            h('span', { class: 'muted' }, `(${fmtTime(next.at)})`))
        : h('p', {}, t('home.allDone')),
      h('p', { class: 'cta' },
        h('a', { class: 'button', href: '/me/register' }, t('home.register')), ' ',
        h('a', { class: 'button secondary', href: '/spaces' }, t('home.vote')), ' ',
        h('a', { class: 'button secondary', href: '/rankings' }, t('nav.rankings'))),
    ),
    h('section', { 'aria-labelledby': 'tl-h' },
      h('h2', { id: 'tl-h' }, t('home.timeline')),
      table(
        [t('home.window'), t('home.opens'), t('home.closes'), t('home.phase')],
        s.windows.map((w) => h('tr', {}, h('td', {}, windowLabel(w.key)), h('td', {}, fmtTime(w.opensAt)), h('td', {}, fmtTime(w.closesAt)), h('td', {}, badge(t(`phase.${w.phase}`), w.phase)))),
        t('home.timeline'),
      ),
      h('p', { class: 'muted' }, t('home.tz')),
    ),
    h('section', { 'aria-labelledby': 'flow-h' },
      h('h2', { id: 'flow-h' }, t('home.flow')),
      h('ol', { class: 'flow' }, ['flow.register', 'flow.approve', 'flow.vote', 'flow.recommend', 'flow.review', 'flow.notice', 'flow.award'].map((k) => h('li', {}, t(k))))),
  ];
}
