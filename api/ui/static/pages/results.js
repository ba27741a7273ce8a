// 评审结果公示: the published results for everyone (no login) — the awards per category and
// tier, the special awards, 团体类奖 and 组织类奖, the notice period (公示期) with a countdown — and,
// during the notice period, the objection form (异议) for logged-in accounts.
import { api, ApiError, badge, countdown, errorText, field, fmtTime, h, options, showFieldErrors, statusLine, table, upload } from '../lib.js';
import { stageLabel, t } from '../i18n.js';

const PAGE_SIZE = 200;
const TIERS = ['first', 'second', 'third', 'excellence'];
const SPECIALS = ['popularity', 'sharing', 'talent'];

export const awardLabel = (key, serverLabel) => (t(`award.${key}`) === `award.${key}` ? serverLabel ?? key : t(`award.${key}`));

/** 'teacher' or 'student:primary' (when the campaign ranks per stage) in words. */
export function rankingKeyLabel(key) {
  const [group, stage] = key.split(':');
  return [t(`results.group.${group}`), stage ? stageLabel(stage) : null].filter(Boolean).join(' · ');
}

/** Teachers' awards first, as the notice lists them; then by stage and rank. */
export const byKeyThenRank = (a, b) => keyOrder(a.rankingKey) - keyOrder(b.rankingKey) || a.rankingKey.localeCompare(b.rankingKey) || a.rank - b.rank;
const keyOrder = (key) => (key.startsWith('teacher') ? 0 : 1);

export const score = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(2).replace(/\.?0+$/, ''));

export async function render(ctx) {
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('results.title')), h('p', {}, t('home.none'))];
  const q = ctx.query;
  const page = Math.max(1, Number(q.get('page')) || 1);
  const params = new URLSearchParams({ campaignId: c.id, page: String(page), pageSize: String(PAGE_SIZE) });
  for (const k of ['category', 'stage']) if (q.get(k)) params.set(k, q.get(k));
  let results;
  const [campaign] = await Promise.all([
    api('GET', `/api/campaigns/${encodeURIComponent(c.id)}`),
    api('GET', `/api/results?${params}`).then(
      (r) => (results = r),
      (err) => {
        // Not published yet is a state of the campaign, not an error.
        if (!(err instanceof ApiError && err.status === 404 && err.code === 'NotFound')) throw err;
      },
    ),
  ]);
  if (!results) {
    return [
      h('h1', {}, t('results.title')),
      h('p', { class: 'muted' }, campaign.name),
      h('p', { class: 'panel', role: 'status', id: 'results-state' }, t('results.notYet')),
    ];
  }
  const pub = results.publication;
  const form = pub.objectionsOpen ? objectionForm(ctx, results) : null;
  return [
    h('h1', {}, t('results.title')),
    h('p', { class: 'muted' }, results.campaign.name),
    noticePanel(ctx, pub, campaign.schedule.now),
    filters(ctx, q),
    h('p', { class: 'muted', role: 'status' }, t('results.count', { n: results.total })),
    awardSections(results.items, form),
    specialSections(results.items),
    groupSections(results.groupAwards),
    pager(q, page, results.total),
    form ? form.section : h('p', { class: 'muted', id: 'objection-closed' }, t('objection.closed')),
  ];
}

/** 公示期: its state, its end with a live countdown, its extensions and, at the end, "final". */
function noticePanel(ctx, pub, serverNow) {
  const facts = [
    h('dt', {}, t('results.publishedAt')), h('dd', {}, fmtTime(pub.publishedAt)),
    h('dt', {}, t('results.noticeEnds')), h('dd', {}, fmtTime(pub.noticeEndsAt), ' ', h('span', { class: 'muted' }, t('results.noticeDays', { d: pub.noticeDays }))),
  ];
  let status;
  if (pub.state === 'final') status = h('p', { class: 'status ok', role: 'status' }, t('results.final', { at: fmtTime(pub.finalisedAt) }));
  else if (pub.objectionsOpen) status = h('p', { class: 'next', id: 'notice-countdown' }, t('results.noticeLeft'), ' ', countdown(ctx, pub.noticeEndsAt, serverNow));
  else status = h('p', { class: 'status', role: 'status' }, t('results.finalising'));
  return h('section', { class: 'hero', 'aria-labelledby': 'notice-h' },
    h('h2', { id: 'notice-h' }, t('results.notice'), ' ', badge(t(`results.state.${pub.state}`), pub.state === 'final' ? 'approved' : 'open')),
    h('dl', { class: 'facts' }, facts),
    status,
    pub.extensions.length
      ? h('ul', { class: 'plain' }, pub.extensions.map((x) => h('li', { class: 'muted' }, t('results.extended', { until: fmtTime(x.until), reason: x.reason ?? '—' }))))
      : null,
  );
}

function filters(ctx, q) {
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('filter'), onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) next.set(k, String(v));
      ctx.go(`/results${next.size ? '?' + next : ''}`);
    } },
    field(t('category'), h('select', { name: 'category' }, options(['teacher', 'student'].map((g) => [g, t(`results.group.${g}`)]), q.get('category'), t('all')))),
    field(t('stage'), h('select', { name: 'stage' }, options(['primary', 'junior', 'senior'].map((s) => [s, stageLabel(s)]), q.get('stage'), t('all')))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filter'))));
  return form;
}

function pager(q, page, total) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return null;
  const link = (n, label) => {
    const p = new URLSearchParams(q);
    p.set('page', String(n));
    return h('a', { href: `/results?${p}`, class: 'button secondary' }, label);
  };
  return h('nav', { class: 'pager', 'aria-label': t('pager') },
    page > 1 ? link(page - 1, t('prev')) : null, ' ', h('span', {}, t('pageOf', { page, pages })), ' ', page < pages ? link(page + 1, t('next')) : null);
}

/** What happened to a result since it was published (a settled objection). */
export function remarks(r) {
  const out = [];
  if (r.outcome === 'disqualified') out.push(badge(t('state.disqualified'), 'disqualified'));
  else if (r.corrected) out.push(badge(t('results.corrected', { score: score(r.published.finalScore) })));
  if (r.final && r.outcome !== 'disqualified') out.push(badge(t('results.finalBadge'), 'approved'));
  return out.length ? [' ', ...out] : null;
}

function entrantRow(r, form) {
  return h('tr', {},
    h('td', {}, String(r.rank)),
    h('th', { scope: 'row' }, h('a', { href: `/spaces/${r.entrantId}` }, r.name), remarks(r)),
    h('td', {}, `${r.city} · ${r.school}`),
    h('td', {}, score(r.finalScore)),
    h('td', {}, r.specialAwards.map((s, i) => awardLabel(s, r.specialAwardLabels[i])).join('、') || '—'),
    form?.buttonFor ? h('td', {}, form.buttonFor(r)) : null);
}

function head(form) {
  return [t('rank.rank'), t('name'), t('school'), t('results.score'), t('results.specials'), form?.buttonFor ? t('actions') : null].filter(Boolean);
}

/** Per ranking key (教师空间 / 学生空间, per stage when configured), one table per tier. */
function awardSections(items, form) {
  const keys = [...new Set([...items].sort(byKeyThenRank).map((r) => r.rankingKey))];
  if (!keys.length) return h('p', {}, t('results.empty'));
  return keys.map((key) => {
    const rows = items.filter((r) => r.rankingKey === key).sort((a, b) => a.rank - b.rank);
    const id = `key-${key.replace(/[^a-z]/g, '-')}`;
    const others = rows.filter((r) => !TIERS.includes(r.award));
    return h('section', { 'aria-labelledby': id },
      h('h2', { id }, rankingKeyLabel(key)),
      TIERS.map((tier) => {
        const inTier = rows.filter((r) => r.award === tier);
        if (!inTier.length) return null;
        const label = awardLabel(tier, inTier[0].awardLabel);
        return h('div', { class: 'tier', dataset: { tier } },
          h('h3', {}, label, ' ', badge(t('results.people', { n: inTier.length }))),
          table(head(form), inTier.map((r) => entrantRow(r, form)), `${rankingKeyLabel(key)} · ${label}`));
      }),
      others.length
        ? h('details', {}, h('summary', {}, t('results.others', { n: others.length })),
            table(head(form), others.map((r) => entrantRow(r, form)), `${rankingKeyLabel(key)} · ${t('results.othersTitle')}`))
        : null);
  });
}

/** 最佳人气奖, 教学成果分享奖, 才艺达人奖: the winners on this page, per award. */
function specialSections(items) {
  const lists = SPECIALS.map((s) => [s, items.filter((r) => r.specialAwards.includes(s)).sort(byKeyThenRank)]).filter(([, l]) => l.length);
  if (!lists.length) return null;
  return h('section', { 'aria-labelledby': 'specials-h' },
    h('h2', { id: 'specials-h' }, t('results.specials')),
    lists.map(([s, list]) => h('div', { class: 'special', dataset: { award: s } },
      h('h3', {}, awardLabel(s), ' ', badge(t('results.people', { n: list.length }))),
      table([t('name'), t('category'), t('school'), t('results.score'), t('results.award')],
        list.map((r) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `/spaces/${r.entrantId}` }, r.name), remarks(r)),
          h('td', {}, rankingKeyLabel(r.rankingKey)),
          h('td', {}, `${r.city} · ${r.school}`),
          h('td', {}, score(r.finalScore)),
          h('td', {}, r.award ? awardLabel(r.award, r.awardLabel) : '—'))),
        awardLabel(s)))));
}

/** 组织类奖 (cities) and 团体类奖 (counties, schools), in rank order. */
export function groupSections(groups, { figures = false } = {}) {
  if (!groups.length) return null;
  const levels = ['city', 'county', 'school'].map((l) => [l, groups.filter((g) => g.level === l).sort((a, b) => a.rank - b.rank)]).filter(([, l]) => l.length);
  return h('section', { 'aria-labelledby': 'groups-h' },
    h('h2', { id: 'groups-h' }, t('results.groupAwards')),
    levels.map(([level, list]) => h('div', {},
      h('h3', {}, t(`results.groupLevel.${level}`)),
      table([t('rank.rank'), t(`report.unit.${level}`), t('results.unitScore'), figures ? t('results.prizePoints') : null].filter(Boolean),
        list.map((g) => h('tr', {},
          h('td', {}, String(g.rank)),
          h('th', { scope: 'row' }, g.unit?.name ?? g.name),
          h('td', {}, String(g.score)),
          figures ? h('td', {}, String(g.figures?.prizePoints ?? '—')) : null)),
        t(`results.groupLevel.${level}`)))));
}

/**
 * 提出异议: one form below the lists; each listed entrant's button picks it there. Anonymous
 * visitors are sent to log in first; the form is offered only while the notice period runs.
 */
function objectionForm(ctx, results) {
  const me = ctx.state.me;
  const here = location.pathname + location.search;
  const section = h('section', { class: 'panel', id: 'objection', 'aria-labelledby': 'objection-h' },
    h('h2', { id: 'objection-h' }, t('objection.title')),
    h('p', { class: 'muted' }, t('objection.what')));
  const loginLink = () => h('a', { href: `/login?next=${encodeURIComponent(here)}` }, t('login'));
  if (!me) {
    section.append(h('p', { class: 'status', role: 'note', id: 'objection-login' }, t('objection.loginFirst'), ' ', loginLink()));
    return { section, buttonFor: null };
  }
  const status = statusLine();
  // ?entrant=<id> (the link on an entrant's page) picks it in advance.
  const entrant = h('select', { name: 'entrantId', required: true }, options(results.items.map((r) => [r.entrantId, `${r.name}（${r.city} · ${r.school}）`]), ctx.query.get('entrant') ?? '', t('objection.pick')));
  const reason = h('textarea', { name: 'reason', rows: 4, required: true, maxlength: 2000 });
  const file = h('input', { type: 'file', name: 'evidence', accept: 'application/pdf,image/jpeg,image/png' });
  const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': t('objection.progress') });
  const submit = h('button', { type: 'submit' }, t('objection.submit'));
  const form = h('form', { class: 'narrow', 'aria-labelledby': 'objection-h', onsubmit: async (ev) => {
      ev.preventDefault();
      status.clear();
      showFieldErrors(form, null);
      const data = new FormData();
      data.append('entrantId', entrant.value);
      data.append('reason', reason.value.trim());
      const f = file.files?.[0];
      if (f) data.append('evidence', f, f.name);
      submit.disabled = true;
      bar.hidden = !f;
      bar.value = 0;
      try {
        const o = await upload('/api/objections', data, (p) => {
          bar.value = Math.round(p * 100);
          if (f) status.ok(t('objection.uploading', { p: bar.value }));
        });
        bar.value = 100;
        status.ok(t('objection.done', { name: o.entrant.name }));
        status.el.append(' ', h('a', { href: `/objections/${o.id}` }, t('objection.see')));
        form.reset();
      } catch (err) {
        bar.hidden = true;
        status.fail(objectionRefusal(err));
        if (err instanceof ApiError && err.status === 401) status.el.append(' ', loginLink());
        showFieldErrors(form, err);
      } finally {
        submit.disabled = false;
      }
    } },
    field(t('objection.entrant'), entrant),
    field(t('objection.reason'), reason, t('objection.reasonHint')),
    field(t('objection.evidence'), file, t('objection.evidenceHint')),
    bar,
    submit,
    status.el);
  section.append(form, h('p', {}, h('a', { href: '/objections' }, t('objection.mine'))));
  return {
    section,
    buttonFor: (r) => h('button', { type: 'button', class: 'secondary', 'aria-label': t('objection.for', { name: r.name }), onclick: () => {
        entrant.value = r.entrantId;
        status.clear();
        section.scrollIntoView({ block: 'start' });
        reason.focus();
      } }, t('objection.button')),
  };
}

function objectionRefusal(err) {
  if (!(err instanceof ApiError)) return errorText(err);
  if (err.status === 401) return t('objection.loginFirst');
  if (err.code === 'WindowClosed') return t('objection.closed');
  if (err.code === 'Conflict') return t('objection.duplicate');
  if (err.code === 'ValidationFailed' && Array.isArray(err.details) && err.details.length) return t('objection.invalid');
  return errorText(err);
}
