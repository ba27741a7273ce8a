// 异议: the auditor's settlement console (驳回, or 异议成立 with 取消资格 / 重新评审 / 更正成绩,
// always with a reason and a confirmation that states the effect); the province admin reads the
// same list; anyone else sees the objections they filed. /objections/:id is one objection (the
// link in the filer's mails).
import { api, badge, confirmDialog, errorText, field, fmtTime, h, options, statusLine, table, toast } from '../lib.js';
import { t } from '../i18n.js';

const STATES = ['open', 'dismissed', 'upheld'];
const ACTIONS = ['disqualify', 'rereview', 'correct'];
const OVERSEERS = ['auditor', 'province_admin'];

const stateBadge = (s) => badge(t(`objectionState.${s}`), { open: 'upcoming', dismissed: '', upheld: 'closed' }[s]);

export async function render(ctx) {
  return ctx.params.id ? one(ctx) : list(ctx);
}

async function list(ctx) {
  const me = ctx.state.me;
  const overseer = OVERSEERS.includes(me?.role);
  const title = me?.role === 'auditor' ? t('nav.objections') : overseer ? t('objections.allTitle') : t('objection.mine');
  const c = ctx.state.campaign;
  const asked = ctx.query.get('state');
  // Overseers start at the open ones; ?state=all shows every objection.
  const state = STATES.includes(asked) ? asked : asked === 'all' ? '' : overseer ? 'open' : '';
  const params = new URLSearchParams({ pageSize: '100' });
  if (c) params.set('campaignId', c.id);
  if (state) params.set('state', state);
  const page = await api('GET', `/api/objections?${params}`);
  const filter = h('form', { class: 'filters', role: 'search', 'aria-label': t('filter'), onsubmit: (e) => {
      e.preventDefault();
      const v = String(new FormData(filter).get('state') ?? '');
      ctx.go(`/objections${v ? `?state=${v}` : '?state=all'}`);
    } },
    field(t('state'), h('select', { name: 'state' }, options(STATES.map((s) => [s, t(`objectionState.${s}`)]), state, t('all')))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filter'))));
  const rows = page.items.map((o) => row(ctx, o, me));
  return [
    h('h1', {}, title),
    me?.role === 'auditor' ? h('p', { class: 'muted' }, t('objections.what')) : null,
    filter,
    h('p', { class: 'muted', role: 'status' }, t('objections.count', { n: page.total })),
    rows.length
      ? table([t('objections.filedAt'), t('objection.entrant'), overseer ? t('objections.filedBy') : null, t('objection.reason'), t('objections.evidence'), t('state'), t('actions')].filter(Boolean), rows, title)
      : h('p', {}, overseer ? t('objections.none') : t('objections.noneMine')),
    h('p', {}, h('a', { href: '/results' }, t('nav.results'))),
  ];
}

function evidenceLink(o) {
  if (!o.evidence) return t('objections.noEvidence');
  return h('a', { href: o.evidence.url, download: '' }, o.evidence.name ?? t('objections.evidenceFile'), h('span', { class: 'muted' }, ` (${Math.max(1, Math.round(o.evidence.bytes / 1024))} KB)`));
}

function row(ctx, o, me) {
  const cell = h('div', { class: 'actions' });
  const status = statusLine();
  if (o.state === 'open' && me?.role === 'auditor') {
    cell.append(h('button', { type: 'button', 'aria-label': t('objections.settleWho', { name: o.entrant.name }), onclick: () => settle(ctx, o, (done) => {
        cell.replaceChildren(stateBadge(done.state), status.el);
        status.ok(t('objections.settled', { name: o.entrant.name, outcome: outcomeText(done) }));
      }) }, t('objections.settle')));
  }
  cell.append(h('a', { href: `/objections/${o.id}` }, t('objections.details')), status.el);
  return h('tr', {},
    h('td', {}, fmtTime(o.filedAt)),
    h('th', { scope: 'row' }, h('a', { href: `/spaces/${o.entrant.id}` }, o.entrant.name)),
    OVERSEERS.includes(me?.role) ? h('td', {}, [o.filedBy.name, t(`role.${o.filedBy.role}`)].filter(Boolean).join(' · ')) : null,
    h('td', {}, o.reason),
    h('td', {}, evidenceLink(o)),
    h('td', {}, stateBadge(o.state)),
    h('td', {}, cell));
}

function outcomeText(o) {
  if (o.state !== 'upheld') return t(`objectionState.${o.state}`);
  const s = o.settlement;
  return `${t('objectionState.upheld')} · ${t(`objections.action.${s.action}`)}${s.action === 'correct' ? ` ${s.previousScore ?? '—'} → ${s.correctedScore}` : ''}`;
}

/**
 * The settlement dialog: a decision, for an upheld objection an action (and the corrected score),
 * a reason; the effect is stated as the choice changes. A refusal is shown and the dialog reopens.
 */
async function settle(ctx, o, onDone) {
  const name = o.entrant.name;
  const radios = ['dismiss', 'uphold'].map((d) => h('input', { type: 'radio', name: 'decision', value: d, id: `decision-${d}`, checked: d === 'dismiss' }));
  const decision = h('fieldset', {}, h('legend', {}, t('objections.decision')),
    radios.map((r) => h('label', { class: 'check', for: r.id }, r, t(`objections.decision.${r.value}`))));
  const action = h('select', { name: 'action' }, options(ACTIONS.map((a) => [a, t(`objections.action.${a}`)]), 'disqualify'));
  const actionField = field(t('objections.actionLabel'), action);
  const finalScore = h('input', { type: 'number', name: 'finalScore', step: '0.01', min: '-5', inputmode: 'decimal' });
  const scoreField = field(t('objections.finalScore'), finalScore, t('objections.finalScoreHint'));
  const reason = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
  const effect = h('p', { class: 'warn', 'aria-live': 'polite', id: 'settle-effect' });
  const status = statusLine();
  const chosen = () => radios.find((r) => r.checked)?.value ?? 'dismiss';
  const describe = () => {
    const d = chosen();
    actionField.hidden = d !== 'uphold';
    scoreField.hidden = !(d === 'uphold' && action.value === 'correct');
    finalScore.required = !scoreField.hidden;
    const key = d === 'dismiss' ? 'dismiss' : action.value;
    effect.textContent = t(`objections.effect.${key}`, { name, to: finalScore.value || '—' });
  };
  for (const el of [...radios, action, finalScore]) el.addEventListener('input', describe);
  describe();
  const extra = h('div', {},
    h('dl', { class: 'facts' },
      h('dt', {}, t('objection.entrant')), h('dd', {}, name),
      h('dt', {}, t('objection.reason')), h('dd', {}, o.reason),
      h('dt', {}, t('objections.evidence')), h('dd', {}, evidenceLink(o))),
    decision, actionField, scoreField, effect,
    field(t('why'), reason, t('objections.reasonHint')),
    status.el);
  for (;;) {
    if (!(await confirmDialog(t('objections.settleWho', { name }), [], t('objections.confirm'), extra))) return;
    const d = chosen();
    const body = { decision: d, reason: reason.value.trim() };
    if (!body.reason) {
      status.fail(t('phase.reasonRequired'));
      continue;
    }
    if (d === 'uphold') body.action = action.value;
    if (d === 'uphold' && action.value === 'correct') body.finalScore = Number(finalScore.value);
    try {
      const done = await api('POST', `/api/objections/${o.id}/settle`, body);
      toast(t('objections.settled', { name, outcome: outcomeText(done) }));
      onDone(done);
      return;
    } catch (err) {
      status.fail(Array.isArray(err.details) && err.details.length ? `${errorText(err)}：${err.details.map((x) => x.message).join('；')}` : errorText(err));
    }
  }
}

async function one(ctx) {
  const me = ctx.state.me;
  const o = await api('GET', `/api/objections/${encodeURIComponent(ctx.params.id)}`);
  const s = o.settlement;
  const status = statusLine();
  const stateLine = h('p', {}, stateBadge(o.state));
  const out = [
    h('h1', {}, t('objections.one', { name: o.entrant.name })),
    stateLine,
    h('dl', { class: 'facts' },
      h('dt', {}, t('objection.entrant')), h('dd', {}, h('a', { href: `/spaces/${o.entrant.id}` }, o.entrant.name)),
      h('dt', {}, t('objections.filedAt')), h('dd', {}, fmtTime(o.filedAt)),
      h('dt', {}, t('objections.filedBy')), h('dd', {}, [o.filedBy.name, t(`role.${o.filedBy.role}`)].filter(Boolean).join(' · ')),
      h('dt', {}, t('objection.reason')), h('dd', {}, o.reason),
      h('dt', {}, t('objections.evidence')), h('dd', {}, evidenceLink(o))),
  ];
  if (s) {
    out.push(h('section', { class: 'panel', 'aria-labelledby': 'settle-h' },
      h('h2', { id: 'settle-h' }, t('objections.settlement')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('objections.decision')), h('dd', {}, outcomeText(o)),
        h('dt', {}, t('who')), h('dd', {}, [s.by.name, s.by.role ? t(`role.${s.by.role}`) : null].filter(Boolean).join(' · ')),
        h('dt', {}, t('when')), h('dd', {}, fmtTime(s.at)),
        h('dt', {}, t('why')), h('dd', {}, s.reason ?? '—')),
      h('p', { class: 'muted' }, t(s.applied ? 'objections.applied' : 'objections.notApplied'))));
  } else if (me?.role === 'auditor') {
    out.push(h('p', { class: 'actions' }, h('button', { type: 'button', onclick: () => settle(ctx, o, () => ctx.refresh({ quiet: true })) }, t('objections.settle')), status.el));
  } else {
    out.push(h('p', { class: 'muted' }, t('objections.pending')));
  }
  if (me?.role === 'auditor') out.push(h('p', {}, h('a', { href: `/audit?entrant=${o.entrant.id}` }, t('audit.timeline'))));
  out.push(h('p', {}, h('a', { href: '/objections' }, OVERSEERS.includes(me?.role) ? t('objections.backAll') : t('objection.mine'))));
  return out;
}
