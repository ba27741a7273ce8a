// 排行榜: entrants by score = votes + w × accepted boosts (系统根据网络投票、学生助力情况自动排名).
import { api, field, h, options, table } from '../lib.js';
import { categoryLabel, stageLabel, t } from '../i18n.js';
import { regionSelects } from './spaces.js';

const PAGE_SIZE = 50;

export async function render(ctx) {
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('rank.title')), h('p', {}, t('home.none'))];
  const q = ctx.query;
  const page = Math.max(1, Number(q.get('page')) || 1);
  const params = new URLSearchParams({ campaignId: c.id, page: String(page), pageSize: String(PAGE_SIZE) });
  for (const k of ['category', 'stage', 'cityId', 'countyId']) if (q.get(k)) params.set(k, q.get(k));
  const [ranking, regions] = await Promise.all([api('GET', `/api/rankings?${params}`), regionSelects(q.get('cityId'), q.get('countyId'))]);

  const form = h('form', { class: 'filters', 'aria-label': t('filter'), onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) next.set(k, String(v));
      ctx.go(`/rankings?${next}`);
    } },
    field(t('category'), h('select', { name: 'category' }, options(['teacher', 'student', 'education_worker'].map((x) => [x, categoryLabel(x)]), q.get('category'), t('all')))),
    field(t('stage'), h('select', { name: 'stage' }, options(['primary', 'junior', 'senior'].map((x) => [x, stageLabel(x)]), q.get('stage'), t('all')))),
    field(t('city'), regions.city),
    field(t('county'), regions.county),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filter'))),
  );

  const pages = Math.max(1, Math.ceil(ranking.total / PAGE_SIZE));
  const link = (n, label) => {
    const p = new URLSearchParams(q);
    p.set('page', String(n));
    return h('a', { class: 'button secondary', href: `/rankings?${p}` }, label);
  };
  return [
    h('h1', {}, t('rank.title')),
    h('p', { class: 'muted' }, t('rank.rule', { w: ranking.boostWeight })),
    form,
    ranking.items.length
      ? table(
          [t('rank.rank'), t('name'), t('category'), t('school'), t('rank.votes'), t('rank.boosts'), t('rank.score')],
          ranking.items.map((r) => h('tr', {},
            h('td', {}, r.rank),
            h('th', { scope: 'row' }, h('a', { href: `/spaces/${r.id}` }, r.name)),
            h('td', {}, `${categoryLabel(r.category)} · ${stageLabel(r.stage)}`),
            h('td', {}, `${r.city.name ?? ''} · ${r.county.name ?? ''} · ${r.school.name ?? ''}`),
            h('td', {}, r.votes),
            h('td', {}, r.acceptedBoosts),
            h('td', {}, r.score))),
          t('rank.title'))
      : h('p', {}, t('rank.empty')),
    pages > 1 ? h('nav', { class: 'pager', 'aria-label': t('pager') }, page > 1 ? link(page - 1, t('prev')) : null, ' ', t('pageOf', { page, pages }), ' ', page < pages ? link(page + 1, t('next')) : null) : null,
  ];
}
