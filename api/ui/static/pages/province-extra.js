// Province sections over the voting, expert and review APIs: vote-brushing flags (刷票) with
// their evidence, expert nominations to select (遴选), the expert pool (专家库) and the review
// assignment report.
import { api, ApiError, badge, confirmDialog, errorText, field, fmtTime, h, pct, statusLine, table, toast } from '../lib.js';
import { stageLabel, t } from '../i18n.js';

/** A section whose API is missing (404) is left out; any other failure is shown. */
async function optional(build) {
  try {
    return await build();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && /no route/.test(err.message)) return null;
    return h('p', { class: 'status fail', role: 'alert' }, errorText(err));
  }
}

export async function sections(ctx) {
  const c = ctx.state.campaign;
  const all = await Promise.all([optional(() => flagsSection(ctx, c)), optional(() => nominationsSection(ctx, c)), optional(() => poolSection(c)), optional(() => assignmentSection(ctx, c))]);
  return all.filter(Boolean);
}

/** Evidence as people read it: the figures first, samples folded away. */
function evidenceView(ev) {
  const scalars = Object.entries(ev).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(ev).filter(([, v]) => v !== null && typeof v === 'object');
  return h('div', {},
    h('dl', { class: 'facts' }, scalars.map(([k, v]) => [h('dt', {}, t(`evidence.${k}`) === `evidence.${k}` ? k : t(`evidence.${k}`)), h('dd', {}, k === 'share' && typeof v === 'number' ? pct(v) : String(v))])),
    nested.map(([k, v]) => h('details', {}, h('summary', {}, t(`evidence.${k}`) === `evidence.${k}` ? k : t(`evidence.${k}`)), h('pre', { class: 'evidence' }, JSON.stringify(v, null, 1)))));
}

async function flagsSection(ctx, c) {
  const flags = await api('GET', `/api/brushing-flags?${new URLSearchParams({ campaignId: c.id, state: 'open', pageSize: '50' })}`);
  const rows = flags.items.map((f) => {
    const status = statusLine();
    const cell = h('td', { class: 'actions' });
    const act = (verdict) => async () => {
      const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
      const body = verdict === 'confirm' ? [t('flags.confirmEffect', { name: f.entrant.name })] : [t('flags.dismissEffect', { name: f.entrant.name })];
      if (!(await confirmDialog(t(`flags.${verdict}`), body, t(`flags.${verdict}`), field(t('why'), reason)))) return;
      try {
        const r = await api('POST', `/api/brushing-flags/${f.id}/${verdict}`, { reason: reason.value.trim() });
        cell.replaceChildren(badge(t(`flags.state.${r.state ?? (verdict === 'confirm' ? 'confirmed' : 'dismissed')}`)), status.el);
        toast(t(`flags.${verdict}ed`, { name: f.entrant.name }));
      } catch (err) {
        status.fail(errorText(err));
      }
    };
    cell.append(h('button', { type: 'button', class: 'danger', onclick: act('confirm') }, t('flags.confirm')), ' ', h('button', { type: 'button', class: 'secondary', onclick: act('dismiss') }, t('flags.dismiss')), status.el);
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `/spaces/${f.entrant.id}` }, f.entrant.name)),
      h('td', {}, t(`flags.kind.${f.kind}`)),
      h('td', {}, `${fmtTime(f.window.from)} – ${fmtTime(f.window.to)}`),
      h('td', {}, evidenceView(f.evidence)),
      cell);
  });
  return h('section', { 'aria-labelledby': 'flags-h' },
    h('h2', { id: 'flags-h' }, t('flags.title'), ' ', badge(String(flags.total))),
    rows.length ? table([t('name'), t('flags.kind'), t('flags.window'), t('flags.evidence'), t('actions')], rows, t('flags.title')) : h('p', { class: 'muted' }, t('flags.none')));
}

const nominationLabel = (s) => t(`nomination.${s}`);
/** A code in words, or the code itself when the dictionary does not know it yet. */
const label = (prefix, code) => (t(`${prefix}.${code}`) === `${prefix}.${code}` ? code : t(`${prefix}.${code}`));

async function nominationsSection(ctx, c) {
  const list = await api('GET', `/api/nominations?${new URLSearchParams({ campaignId: c.id, state: 'nominated' })}`);
  const rows = list.items.map((n) => {
    const status = statusLine();
    const cell = h('td', { class: 'actions' });
    const decide = (verdict) => async () => {
      const reason = h('textarea', { rows: 2, required: verdict === 'reject', maxlength: 2000 });
      const effect = verdict === 'select' ? t('nominations.selectEffect', { name: n.name, email: n.email }) : t('nominations.rejectEffect', { name: n.name, city: n.city.name });
      if (!(await confirmDialog(t(`nominations.${verdict}`), [effect], t(`nominations.${verdict}`), field(t('why'), reason)))) return;
      try {
        const r = await api('POST', `/api/nominations/${n.id}/${verdict}`, reason.value.trim() ? { reason: reason.value.trim() } : {});
        cell.replaceChildren(badge(nominationLabel(r.nomination?.state ?? r.state ?? (verdict === 'select' ? 'selected' : 'rejected'))), status.el);
        status.ok(t(`nominations.${verdict}ed`, { name: n.name }));
      } catch (err) {
        status.fail(errorText(err));
      }
    };
    cell.append(h('button', { type: 'button', onclick: decide('select') }, t('nominations.select')), ' ', h('button', { type: 'button', class: 'danger', onclick: decide('reject') }, t('nominations.reject')), status.el);
    return h('tr', {},
      h('th', { scope: 'row' }, n.name),
      h('td', {}, n.city.name),
      h('td', {}, `${n.title} · ${n.speciality}`),
      h('td', {}, n.stages.map(stageLabel).join('、')),
      h('td', {}, h('details', {}, h('summary', {}, t('nominations.criteria')),
        h('p', {}, n.experience),
        h('dl', { class: 'facts' }, Object.values(n.criteria).map((x) => [h('dt', {}, x.label), h('dd', {}, x.statement ?? '—')])))),
      cell);
  });
  return h('section', { 'aria-labelledby': 'nom-h' },
    h('h2', { id: 'nom-h' }, t('nominations.toSelect'), ' ', badge(String(list.items.length))),
    rows.length ? table([t('name'), t('city'), t('nominations.title'), t('nominations.stages'), t('nominations.criteria'), t('actions')], rows, t('nominations.toSelect')) : h('p', { class: 'muted' }, t('nominations.noneToSelect')));
}

async function poolSection(c) {
  const pool = await api('GET', `/api/experts/pool?campaignId=${encodeURIComponent(c.id)}`);
  return h('section', { 'aria-labelledby': 'pool-h' },
    h('h2', { id: 'pool-h' }, t('pool.title')),
    h('ul', { class: 'stats' },
      ['selected', 'invited', 'active'].map((k) => h('li', {}, h('span', { class: 'big' }, String(pool.counts[k])), ' ', t(`pool.${k}`)))),
    pool.items.length
      ? table([t('name'), t('city'), t('nominations.title'), t('state')],
          pool.items.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.name), h('td', {}, x.city.name), h('td', {}, x.title), h('td', {}, badge(nominationLabel(x.state)), x.invitationExpiresAt && x.state === 'invited' ? h('span', { class: 'muted' }, ` ${t('pool.expires', { at: fmtTime(x.invitationExpiresAt) })}`) : null))),
          t('pool.title'))
      : h('p', { class: 'muted' }, t('pool.empty')));
}

/** 评审分配报告: the draws with their seeds, each space's experts (cross-city) and totals, discrepancies. */
async function assignmentSection(ctx, c) {
  const q = encodeURIComponent(c.id);
  const [runs, spaces, flags] = await Promise.all([
    api('GET', `/api/review/runs?campaignId=${q}`),
    api('GET', `/api/review/spaces?campaignId=${q}&pageSize=100`),
    api('GET', `/api/review/flags?campaignId=${q}&state=open`),
  ]);
  const last = runs.items[0];
  const status = statusLine();
  const redraw = async () => {
    const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
    if (!(await confirmDialog(t('review.redraw'), [t('review.redrawEffect')], t('review.redraw'), field(t('why'), reason)))) return;
    try {
      await api('POST', '/api/review/assign', { campaignId: c.id, reason: reason.value.trim() });
      toast(t('review.redrawn'));
      ctx.refresh();
    } catch (err) {
      status.fail(errorText(err));
    }
  };
  const fourth = (f) => async () => {
    const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
    if (!(await confirmDialog(t('review.fourth'), [t('review.fourthEffect', { name: f.name })], t('review.fourth'), field(t('why'), reason)))) return;
    try {
      await api('POST', `/api/review/flags/${f.id}/fourth-review`, { reason: reason.value.trim() });
      toast(t('review.fourthOrdered', { name: f.name }));
      ctx.refresh();
    } catch (err) {
      status.fail(errorText(err));
    }
  };
  return h('section', { 'aria-labelledby': 'assign-h' },
    h('h2', { id: 'assign-h' }, t('review.title')),
    last
      ? h('p', {}, t('review.lastRun', { at: fmtTime(last.at), kind: label('review.kind', last.kind), seed: last.seed, state: label('review.state', last.state) }), ' ',
          h('details', {}, h('summary', {}, t('review.report')), h('pre', { class: 'evidence' }, JSON.stringify(last.report, null, 1))))
      : h('p', { class: 'muted' }, t('review.noRun')),
    h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: redraw }, t('review.redraw')), status.el),
    spaces.items.length
      ? table([t('name'), t('city'), t('rank.rank'), t('review.experts')],
          spaces.items.map((s) => h('tr', {},
            h('th', { scope: 'row' }, s.name, s.recommended ? [' ', badge(t('recommended'), 'open')] : null),
            h('td', {}, s.city),
            h('td', {}, s.rank ?? '—'),
            h('td', {}, h('ul', { class: 'plain' }, s.experts.map((x) => h('li', { class: x.replaced ? 'muted' : '' },
              `${x.name}（${x.city ?? '—'}）`, x.total === null ? '' : ` · ${x.total}`, x.replaced ? ` · ${t('review.replaced')}` : '')))))),
          t('review.title'))
      : h('p', { class: 'muted' }, t('review.noSpaces')),
    flags.items.length
      ? h('div', {}, h('h3', {}, t('review.discrepancies')),
          table([t('name'), t('review.totals'), t('review.spread'), t('actions')],
            flags.items.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.name), h('td', {}, (Array.isArray(f.totals) ? f.totals : []).join(' / ')), h('td', {}, `${f.spread} > ${f.threshold}`),
              h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: fourth(f) }, t('review.fourth'))))),
            t('review.discrepancies')))
      : null);
}
