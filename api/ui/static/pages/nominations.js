// 市州推荐省级评审专家: the city admin nominates experts within its quota, in the nomination
// window, with a statement against each criterion of the notice (推荐标准).
import { api, ApiError, badge, errorText, field, fmtTime, h, showFieldErrors, statusLine, table, toast } from '../lib.js';
import { stageLabel, t, windowLabel } from '../i18n.js';

const CRITERIA = ['dedication', 'seniorTitle', 'informatisationResearch', 'teachingPractice', 'fitness'];

export async function section(ctx) {
  const c = ctx.state.campaign;
  const list = await api('GET', `/api/nominations?campaignId=${encodeURIComponent(c.id)}`);
  const mine = list.cities[0];
  const open = list.window.phase === 'open';
  return h('section', { 'aria-labelledby': 'nominate-h' },
    h('h2', { id: 'nominate-h' }, t('nominate.title')),
    h('p', {}, windowLabel('nomination'), ' ', badge(t(`phase.${list.window.phase}`), list.window.phase), ' ', h('span', { class: 'muted' }, `${fmtTime(list.window.opensAt)} – ${fmtTime(list.window.closesAt)}`)),
    mine ? h('p', { class: 'quota' }, h('span', { id: 'expert-quota' }, t('nominate.quota', { used: mine.quota.used, limit: mine.quota.limit, remaining: mine.quota.remaining })), h('meter', { min: 0, max: Math.max(1, mine.quota.limit), value: mine.quota.used, 'aria-labelledby': 'expert-quota' })) : null,
    list.items.length
      ? table([t('name'), t('nominations.title'), t('nominations.stages'), t('state'), t('when')],
          list.items.map((n) => h('tr', {}, h('th', { scope: 'row' }, n.name), h('td', {}, `${n.title} · ${n.speciality}`), h('td', {}, n.stages.map(stageLabel).join('、')), h('td', {}, badge(t(`nomination.${n.state}`)), n.reason ? h('span', { class: 'muted' }, ` ${n.reason}`) : null), h('td', {}, fmtTime(n.createdAt)))),
          t('nominate.title'))
      : h('p', { class: 'muted' }, t('nominate.none')),
    open ? h('details', { class: 'panel' }, h('summary', {}, t('nominate.new')), nominationForm(ctx, c)) : null);
}

function nominationForm(ctx, c) {
  const status = statusLine();
  const stages = h('fieldset', {}, h('legend', {}, t('nominations.stages')),
    ['primary', 'junior', 'senior'].map((s) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'stages', value: s }), ' ', stageLabel(s), ' ')));
  const form = h('form', { class: 'narrow', 'aria-label': t('nominate.new'), onsubmit: async (e) => {
      e.preventDefault();
      status.clear();
      const d = new FormData(form);
      const body = {
        campaignId: c.id,
        name: d.get('name'), email: d.get('email'), title: d.get('title'), speciality: d.get('speciality'),
        stages: d.getAll('stages'), experience: d.get('experience'),
        criteria: Object.fromEntries(CRITERIA.map((k) => [k, d.get(k)])),
      };
      try {
        await api('POST', '/api/nominations', body);
        toast(t('nominate.done', { name: body.name }));
        ctx.refresh();
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(err instanceof ApiError && err.code === 'QuotaExceeded' ? t('nominate.full', { used: err.details?.used ?? '', limit: err.details?.limit ?? '' }) : errorText(err));
      }
    } },
    field(t('name'), { name: 'name', required: true, maxlength: 50 }),
    field(t('email'), { name: 'email', type: 'email', required: true, maxlength: 200 }),
    field(t('nominations.title'), { name: 'title', required: true, maxlength: 100 }, t('nominate.titleHint')),
    field(t('nominate.speciality'), { name: 'speciality', required: true, maxlength: 200 }),
    stages,
    field(t('nominate.experience'), h('textarea', { name: 'experience', rows: 3, required: true, minlength: 10, maxlength: 4000 })),
    h('fieldset', {}, h('legend', {}, t('nominations.criteria')),
      CRITERIA.map((k) => field(t(`criterion.${k}`), h('textarea', { name: k, rows: 2, required: true, minlength: 2, maxlength: 1000 })))),
    h('button', { type: 'submit' }, t('nominate.submit')),
    status.el);
  return form;
}
