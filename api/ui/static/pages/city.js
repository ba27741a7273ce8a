// 市州推优: the city admin recommends approved spaces of its city within the quota of each
// group (教师空间 / 学生空间), sees the stage mix (尽量兼顾各学段) and may withdraw a pick while
// the window is open. Expert nominations (市州推荐省级评审专家) follow on the same page.
import { api, ApiError, badge, confirmDialog, errorText, field, fmtTime, h, options, statusLine, table, toast } from '../lib.js';
import { categoryLabel, stageLabel, t, windowLabel } from '../i18n.js';

const GROUPS = ['teacher', 'student'];
const STAGES = ['primary', 'junior', 'senior'];

export async function render(ctx) {
  const me = ctx.state.me;
  const c = ctx.state.campaign;
  if (me?.role !== 'city_admin') return [h('h1', {}, t('nav.city')), h('p', {}, t('forbidden'))];
  if (!c) return [h('h1', {}, t('nav.city')), h('p', {}, t('home.none'))];
  const q = ctx.query;
  const group = GROUPS.includes(q.get('group')) ? q.get('group') : 'teacher';
  const base = new URLSearchParams({ campaignId: c.id, pageSize: '200' });
  if (q.get('stage')) base.set('stage', q.get('stage'));
  if (q.get('q')) base.set('q', q.get('q'));
  const lists = (state, category) => api('GET', `/api/entrants?${new URLSearchParams([...base, ['state', state], ['category', category]])}`);
  const categories = group === 'student' ? ['student'] : ['teacher', 'education_worker'];
  const [recs, ...candidateLists] = await Promise.all([
    api('GET', `/api/recommendations?campaignId=${encodeURIComponent(c.id)}`),
    ...categories.flatMap((cat) => ['approved', 'awaiting_selection'].map((s) => lists(s, cat))),
  ]);
  const candidates = candidateLists.flatMap((l) => l.items);
  const summaries = Object.fromEntries(recs.items.map((s) => [s.category, s]));
  const open = recs.window.phase === 'open';

  const counters = {};
  const summaryBox = (g) => {
    const box = h('section', { class: 'panel', 'aria-labelledby': `q-${g}` });
    counters[g] = box;
    fillSummary(ctx, box, summaries[g], g, open);
    return box;
  };

  const filter = h('form', { class: 'filters', role: 'search', 'aria-label': t('filter'), onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(filter)) if (v) next.set(k, String(v));
      ctx.go(`/console/city?${next}`);
    } },
    field(t('city.group'), h('select', { name: 'group' }, options(GROUPS.map((g) => [g, t(`city.group.${g}`)]), group))),
    field(t('stage'), h('select', { name: 'stage' }, options(STAGES.map((s) => [s, stageLabel(s)]), q.get('stage'), t('all')))),
    field(t('showcase.q'), { type: 'search', name: 'q', value: q.get('q') ?? '', maxlength: 50 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filter'))),
  );

  const rows = candidates.map((e) => {
    const status = statusLine();
    const cell = h('td', { class: 'actions' });
    if (e.recommended) cell.append(badge(t('recommended'), 'open'));
    else if (open) {
      const btn = h('button', { type: 'button', 'aria-label': t('city.recommendWho', { name: e.name }), onclick: async () => {
          btn.disabled = true;
          status.clear();
          try {
            const r = await api('POST', '/api/recommendations', { entrantId: e.id });
            cell.replaceChildren(badge(t('recommended'), 'open'), status.el);
            status.ok(t('city.recommended', { name: e.name }));
            fillSummary(ctx, counters[r.summary.category], r.summary, r.summary.category, open);
          } catch (err) {
            btn.disabled = false;
            status.fail(err instanceof ApiError && err.code === 'QuotaExceeded' ? t('city.quotaFull', { used: err.details?.used ?? '', limit: err.details?.limit ?? '' }) : errorText(err));
          }
        } }, t('city.recommend'));
      cell.append(btn, status.el);
    }
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `/spaces/${e.id}` }, e.name)),
      h('td', {}, categoryLabel(e.category)),
      h('td', {}, stageLabel(e.stage)),
      h('td', {}, e.subject),
      h('td', {}, `${e.county} · ${e.school}`),
      cell);
  });

  return [
    h('h1', {}, t('nav.city')),
    h('p', { class: 'muted' }, t('city.what')),
    h('p', {}, windowLabel('recommendation'), ' ', badge(t(`phase.${recs.window.phase}`), recs.window.phase), ' ', h('span', { class: 'muted' }, `${fmtTime(recs.window.opensAt)} – ${fmtTime(recs.window.closesAt)}`)),
    GROUPS.map(summaryBox),
    h('section', { 'aria-labelledby': 'cand-h' },
      h('h2', { id: 'cand-h' }, t('city.candidates')),
      filter,
      rows.length ? table([t('name'), t('category'), t('stage'), t('subject'), t('school'), t('actions')], rows, t('city.candidates')) : h('p', {}, t('city.noCandidates'))),
    await nominationSection(ctx),
  ];
}

function fillSummary(ctx, box, s, g, open) {
  if (!s) return box.replaceChildren(h('h2', { id: `q-${g}` }, t(`city.group.${g}`)), h('p', {}, '—'));
  const live = s.recommendations.filter((r) => r.state !== 'withdrawn');
  box.replaceChildren(
    h('h2', { id: `q-${g}` }, t(`city.group.${g}`)),
    h('p', { class: 'quota' },
      h('span', { id: `quota-${g}` }, t('city.quotaUse', { used: s.quota.used, limit: s.quota.limit, remaining: s.quota.remaining })),
      h('meter', { min: 0, max: Math.max(1, s.quota.limit), value: s.quota.used, 'aria-labelledby': `quota-${g}` })),
    h('p', {}, t('city.stageMix'), ' ', STAGES.map((st) => [badge(`${stageLabel(st)} ${s.stageMix[st]}`), ' '])),
    s.warnings.map((w) => h('p', { class: 'warn', role: 'note' }, t('city.stageMissing', { stage: stageLabel(w.stage) }))),
    live.length
      ? table([t('name'), t('stage'), t('school'), t('when'), t('actions')], live.map((r) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `/spaces/${r.entrant.id}` }, r.entrant.name), r.released ? [' ', badge(t('city.released'))] : null),
          h('td', {}, stageLabel(r.entrant.stage)),
          h('td', {}, r.entrant.school),
          h('td', {}, fmtTime(r.createdAt)),
          h('td', {}, open && r.state === 'active' ? h('button', { type: 'button', class: 'danger', 'aria-label': t('city.withdrawWho', { name: r.entrant.name }), onclick: () => withdraw(ctx, r) }, t('city.withdraw')) : r.state === 'pending' ? t('city.pending') : null))),
          t(`city.group.${g}`))
      : h('p', { class: 'muted' }, t('city.none')),
  );
}

async function withdraw(ctx, r) {
  const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
  const ok = await confirmDialog(t('city.withdraw'), [t('city.withdrawEffect', { name: r.entrant.name })], t('city.withdraw'), field(t('why'), reason));
  if (!ok) return;
  try {
    await api('POST', `/api/recommendations/${r.id}/withdraw`, { reason: reason.value.trim() || '—' });
    toast(t('city.withdrawn', { name: r.entrant.name }));
    ctx.refresh();
  } catch (err) {
    toast(errorText(err), 'fail');
  }
}

/** Expert nominations: loaded from their own module so the page works before that API lands. */
async function nominationSection(ctx) {
  try {
    const mod = await import('./nominations.js');
    return await mod.section(ctx);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    return h('p', { class: 'status fail', role: 'alert' }, errorText(err));
  }
}

