// 专家评审: the expert's assigned spaces (with browse credentials where the space needs them),
// the scoring form by the rubric (评分依据指导表) with the allowed bonus/penalty range (评审加分减分),
// and the countdown to the review deadline. Also the invitation page (激活评审账号).
import { api, badge, confirmDialog, countdown, errorText, field, fmtTime, h, showFieldErrors, statusLine, toast } from '../lib.js';
import { categoryLabel, stageLabel, t } from '../i18n.js';
import { homeOf, navigate, setMe } from '../app.js';

export async function render(ctx) {
  if (ctx.view === 'activate') return activatePage(ctx);
  const me = ctx.state.me;
  if (me?.role !== 'expert') return [h('h1', {}, t('nav.expert')), h('p', {}, t('forbidden'))];
  const c = ctx.state.campaign;
  const list = await api('GET', `/api/review/assignments${c ? `?campaignId=${encodeURIComponent(c.id)}` : ''}`);
  const done = list.items.filter((a) => a.score).length;
  const nextDeadline = list.items.filter((a) => a.editable).map((a) => a.deadline).sort()[0];
  return [
    h('h1', {}, t('nav.expert')),
    h('p', {}, t('expert.progress', { done, n: list.items.length })),
    nextDeadline ? h('p', { class: 'next' }, t('expert.deadline'), ' ', countdown(ctx, nextDeadline), ' ', h('span', { class: 'muted' }, `(${fmtTime(nextDeadline)})`)) : null,
    h('p', { class: 'muted' }, t('expert.rules')),
    list.items.length ? list.items.map((a) => assignmentCard(ctx, a)) : h('p', {}, t('expert.none')),
  ];
}

function assignmentCard(ctx, a) {
  const s = a.space;
  const scored = h('span', {}, a.score ? badge(t('expert.scored', { total: a.score.total }), 'approved') : badge(t('expert.unscored'), 'pending_approval'));
  const onSaved = (total) => scored.replaceChildren(badge(t('expert.scored', { total }), 'approved'));
  return h('article', { class: 'panel', 'aria-labelledby': `a-${a.entrantId}` },
    h('h2', { id: `a-${a.entrantId}` }, s.name, ' ', scored),
    h('dl', { class: 'facts' },
      h('dt', {}, t('category')), h('dd', {}, `${categoryLabel(s.category)} · ${s.subject} · ${stageLabel(s.stage)}`),
      h('dt', {}, t('school')), h('dd', {}, `${s.school}（${s.city.name} · ${s.county}）`),
      h('dt', {}, t('space')), h('dd', {}, h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.url), ` · ${s.platform}`),
      s.browseCredentials ? [h('dt', {}, t('expert.creds')), h('dd', {}, h('code', {}, s.browseCredentials.username), ' / ', h('code', {}, s.browseCredentials.password))] : null,
      h('dt', {}, t('expert.due')), h('dd', {}, fmtTime(a.deadline), a.editable ? [' · ', countdown(ctx, a.deadline)] : [' · ', t('expert.locked')]),
    ),
    a.editable ? scoreForm(ctx, a, onSaved) : a.score ? h('p', {}, t('expert.final', { total: a.score.total })) : null,
    a.editable && !a.score
      ? h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: () => stepDown(ctx, a, 'conflict') }, t('expert.conflict')), ' ',
          h('button', { type: 'button', class: 'secondary', onclick: () => stepDown(ctx, a, 'decline') }, t('expert.decline')))
      : null,
  );
}

/** Whole sheet at once; the API checks it against the rubric and names every bad item. */
function scoreForm(ctx, a, onSaved) {
  const prior = a.score?.items ?? {};
  const status = statusLine();
  const total = h('output', { class: 'big', 'aria-live': 'polite' });
  const adj = a.adjustment;
  const fixedAdj = adj.min === 0 && adj.max === 0;
  const inputs = a.rubric.items.map((item) => h('input', { type: 'number', name: item.key, min: 0, max: item.max, step: 0.1, required: true, inputmode: 'decimal', value: prior[item.key] ?? '' }));
  const adjustment = h('input', { type: 'number', name: 'adjustment', min: adj.min, max: adj.max, step: 1, required: !fixedAdj, disabled: fixedAdj, value: a.score?.adjustment ?? (fixedAdj ? 0 : '') });
  const recompute = () => {
    const sum = inputs.reduce((acc, i) => acc + Math.round((Number(i.value) || 0) * 10), 0) / 10;
    total.value = String(Math.round((sum + (Number(adjustment.value) || 0)) * 10) / 10);
  };
  const form = h('form', { class: 'narrow score', 'aria-label': t('expert.sheet', { name: a.space.name }), oninput: recompute, onsubmit: async (e) => {
      e.preventDefault();
      status.clear();
      const items = Object.fromEntries(a.rubric.items.map((item, i) => [item.key, Number(inputs[i].value)]));
      const body = fixedAdj ? { items } : { items, adjustment: Number(adjustment.value) };
      try {
        const r = await api('PUT', `/api/review/assignments/${a.entrantId}/score`, body);
        status.ok(t('expert.saved', { total: r.score?.total ?? total.value }));
        onSaved(r.score?.total ?? total.value);
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(errorText(err));
      }
    } },
    h('h3', {}, t('expert.sheetTitle', { max: a.rubric.maxTotal })),
    a.rubric.items.map((item, i) => field(`${item.label}（0–${item.max}）`, inputs[i])),
    field(t('expert.adjustment', { min: adj.min, max: adj.max }), adjustment, t(fixedAdj ? 'expert.adj.none' : adj.min > 0 ? 'expert.adj.bonus' : 'expert.adj.penalty')),
    h('p', {}, t('expert.total'), ' ', total),
    h('button', { type: 'submit' }, a.score ? t('expert.update') : t('expert.submit')),
    status.el,
  );
  recompute();
  return form;
}

async function stepDown(ctx, a, kind) {
  const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
  if (!(await confirmDialog(t(`expert.${kind}`), [t(`expert.${kind}Effect`, { name: a.space.name })], t(`expert.${kind}`), field(t('why'), reason)))) return;
  try {
    await api('POST', `/api/review/assignments/${a.entrantId}/${kind}`, { reason: reason.value.trim() });
    toast(t('expert.steppedDown', { name: a.space.name }));
    ctx.refresh();
  } catch (err) {
    toast(errorText(err), 'fail');
  }
}

/** 激活评审账号: the invited expert sets a password with the one-time link, or declines. */
function activatePage(ctx) {
  const token = ctx.query.get('token') ?? '';
  const status = statusLine();
  const form = h('form', { class: 'narrow', onsubmit: async (e) => {
      e.preventDefault();
      status.clear();
      const d = new FormData(form);
      if (d.get('password') !== d.get('again')) return status.fail(t('activate.mismatch'));
      try {
        const r = await api('POST', '/api/experts/activate', { token, password: d.get('password') });
        const login = await api('POST', '/api/auth/login', { username: r.username, password: d.get('password') });
        setMe(login.account);
        toast(t('activate.done', { username: r.username }));
        navigate(homeOf('expert'), { replaceState: true });
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(errorText(err));
      }
    } },
    field(t('password'), { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 }, t('signup.passwordHint')),
    field(t('activate.again'), { name: 'again', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 }),
    h('button', { type: 'submit' }, t('activate.submit')),
    status.el,
  );
  const decline = async () => {
    const reason = h('textarea', { rows: 2, maxlength: 2000 });
    if (!(await confirmDialog(t('activate.decline'), [t('activate.declineEffect')], t('activate.decline'), field(t('portal.withdrawWhy'), reason)))) return;
    try {
      await api('POST', '/api/experts/decline', { token, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
      status.ok(t('activate.declined'));
      form.remove();
    } catch (err) {
      status.fail(errorText(err));
    }
  };
  return [
    h('h1', {}, t('activate.title')),
    token ? [h('p', {}, t('activate.what')), form, h('p', {}, h('button', { type: 'button', class: 'danger', onclick: decline }, t('activate.decline')))] : h('p', { class: 'status fail' }, t('activate.noToken')),
  ];
}
