// 参赛者: 我要报名, following one's registrations and the decisions on them (who, when, why),
// correcting and resubmitting after a rejection (修改后重新提交), and withdrawing (退出).
import { api, badge, confirmDialog, countdown, decisionsTable, errorText, field, fmtTime, h, options, replace, showFieldErrors, statusLine, toast } from '../lib.js';
import { categoryLabel, stageLabel, stateLabel, t } from '../i18n.js';
import { navigate } from '../app.js';
import { regionSelects } from './spaces.js';

const CATEGORIES_BY_ROLE = { teacher: ['teacher', 'education_worker'], education_worker: ['education_worker', 'teacher'], student: ['student'] };
const WITHDRAWABLE = ['pending_approval', 'rejected', 'approved', 'awaiting_selection'];

export async function render(ctx) {
  const me = ctx.state.me;
  if (!me) return navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replaceState: true });
  if (!CATEGORIES_BY_ROLE[me.role]) return [h('h1', {}, t('nav.portal')), h('p', {}, t('portal.notEntrant'))];
  return ctx.view === 'register' ? registerPage(ctx) : portal(ctx);
}

async function portal(ctx) {
  const [mine, prefs] = await Promise.all([api('GET', '/api/me/entrants'), api('GET', '/api/me/mail-preferences').catch(() => null)]);
  const items = mine.items.filter((e) => !ctx.state.campaign || e.campaignId === ctx.state.campaign.id);
  // A fresh registration is recorded by its workflow within moments: look again until it is.
  if (items.some((e) => e.state === 'submitted')) {
    const timer = setTimeout(() => ctx.refresh({ quiet: true }), 1500);
    ctx.cleanup(() => clearTimeout(timer));
  }
  return [
    h('h1', {}, t('nav.portal')),
    h('p', {}, h('a', { class: 'button', href: '/me/register' }, t('home.register'))),
    items.length ? items.map((e) => entrantCard(ctx, e)) : h('p', {}, t('portal.none')),
    prefs ? mailPrefs(prefs) : null,
  ];
}

function entrantCard(ctx, e) {
  const regOpen = Date.parse(e.deadlines.registrationClosesAt) > Date.now();
  const card = h('article', { class: 'panel entrant', 'aria-labelledby': `e-${e.id}` },
    h('h2', { id: `e-${e.id}` }, e.name, ' ', badge(stateLabel(e.state, e.stateLabel), e.state)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('category')), h('dd', {}, categoryLabel(e.category)),
      h('dt', {}, t('school')), h('dd', {}, `${e.school.name}（${e.city.name} · ${e.county.name}）`),
      h('dt', {}, t('subject')), h('dd', {}, `${e.subject} · ${stageLabel(e.stage)}`),
      h('dt', {}, t('space')), h('dd', {}, h('a', { href: e.spaceUrl, target: '_blank', rel: 'noopener noreferrer' }, e.spaceUrl)),
      h('dt', {}, t('registeredAt')), h('dd', {}, fmtTime(e.registeredAt)),
      h('dt', {}, t('portal.regCloses')), h('dd', {}, fmtTime(e.deadlines.registrationClosesAt), regOpen && ['pending_approval', 'rejected'].includes(e.state) ? [' · ', countdown(ctx, e.deadlines.registrationClosesAt)] : null),
      h('dt', {}, t('portal.voteCloses')), h('dd', {}, fmtTime(e.deadlines.votingClosesAt)),
    ),
    e.state === 'rejected' && e.lastReason ? h('p', { class: 'status fail' }, t('portal.rejectedBecause', { reason: e.lastReason })) : null,
    e.state === 'submitted' ? h('p', { class: 'muted' }, t('portal.recording')) : null,
    h('h3', {}, t('portal.decisions')),
    decisionsTable(e.decisions, t('portal.decisions')),
  );
  const actions = h('div', { class: 'actions' });
  if (e.state === 'rejected' && regOpen) {
    actions.append(h('button', { type: 'button', onclick: () => {
      actions.replaceChildren(resubmitForm(ctx, e));
      actions.querySelector('input')?.focus();
    } }, t('portal.resubmit')));
  }
  if (WITHDRAWABLE.includes(e.state)) {
    actions.append(' ', h('button', { type: 'button', class: 'danger', onclick: () => withdraw(ctx, e) }, t('portal.withdraw')));
  }
  card.append(actions);
  return card;
}

function resubmitForm(ctx, e) {
  const status = statusLine();
  const form = h('form', { class: 'narrow', 'aria-label': t('portal.resubmit'), onsubmit: async (ev) => {
      ev.preventDefault();
      status.clear();
      const d = Object.fromEntries(new FormData(form));
      const body = { name: d.name, subject: d.subject, stage: d.stage, spaceUrl: d.spaceUrl, platform: d.platform, ...(d.reason ? { reason: d.reason } : {}) };
      if (d.credUser && d.credPass) body.browseCredentials = { username: d.credUser, password: d.credPass };
      try {
        await api('POST', `/api/entrants/${e.id}/resubmit`, body);
        toast(t('portal.resubmitted'));
        ctx.refresh();
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(errorText(err));
      }
    } },
    h('h3', {}, t('portal.resubmit')),
    field(t('name'), { name: 'name', value: e.name, required: true, maxlength: 50 }),
    field(t('subject'), { name: 'subject', value: e.subject, required: true, maxlength: 50 }),
    field(t('stage'), h('select', { name: 'stage' }, options(['primary', 'junior', 'senior'].map((s) => [s, stageLabel(s)]), e.stage))),
    field(t('space'), { name: 'spaceUrl', type: 'url', value: e.spaceUrl, required: true, maxlength: 500 }),
    field(t('platform'), { name: 'platform', value: e.platform, required: true, maxlength: 100 }),
    credentialFields(e.hasBrowseCredentials),
    field(t('portal.whatChanged'), h('textarea', { name: 'reason', rows: 2, maxlength: 2000 })),
    h('button', { type: 'submit' }, t('portal.submitAgain')),
    status.el,
  );
  return form;
}

function credentialFields(has) {
  return h('fieldset', {},
    h('legend', {}, t('register.creds')),
    h('p', { class: 'muted' }, has ? t('register.credsKept') : t('register.credsWhy')),
    field(t('register.credUser'), { name: 'credUser', autocomplete: 'off', maxlength: 100 }),
    field(t('register.credPass'), { name: 'credPass', type: 'password', autocomplete: 'new-password', maxlength: 200 }),
  );
}

async function withdraw(ctx, e) {
  const reason = h('textarea', { id: 'withdraw-reason', rows: 2, maxlength: 2000 });
  const ok = await confirmDialog(t('portal.withdraw'), [t('portal.withdrawEffect', { name: e.name })], t('portal.withdrawConfirm'), field(t('portal.withdrawWhy'), reason));
  if (!ok) return;
  try {
    await api('POST', `/api/entrants/${e.id}/withdraw`, reason.value.trim() ? { reason: reason.value.trim() } : {});
    toast(t('portal.withdrawn'));
    ctx.refresh();
  } catch (err) {
    toast(errorText(err), 'fail');
  }
}

function mailPrefs(prefs) {
  const status = statusLine();
  const box = h('input', { type: 'checkbox', id: 'mail-reminders', checked: prefs.reminders, onchange: async () => {
      try {
        const r = await api('PUT', '/api/me/mail-preferences', { reminders: box.checked });
        status.ok(r.reminders ? t('mail.on') : t('mail.off'));
      } catch (err) {
        box.checked = !box.checked;
        status.fail(errorText(err));
      }
    } });
  return h('section', { class: 'panel', 'aria-labelledby': 'mail-h' },
    h('h2', { id: 'mail-h' }, t('mail.title')),
    h('p', {}, box, ' ', h('label', { for: 'mail-reminders' }, t('mail.reminders'))),
    h('p', { class: 'muted' }, t('mail.essential')),
    status.el);
}

async function registerPage(ctx) {
  const me = ctx.state.me;
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('home.register')), h('p', {}, t('home.none'))];
  const regions = await regionSelects('', '', { required: true });
  const school = h('select', { name: 'schoolId', required: true, disabled: true }, options([], '', t('register.pickSchool')));
  const stage = h('select', { name: 'stage', required: true }, options([], '', '—'));
  let schools = [];
  const loadSchools = async () => {
    schools = regions.county.value ? (await api('GET', `/api/regions/schools?countyId=${regions.county.value}`)).items : [];
    replace(school, options(schools.map((s) => [s.id, s.name]), '', t('register.pickSchool')));
    school.disabled = !regions.county.value;
    replace(stage, options([], '', '—'));
  };
  regions.county.addEventListener('change', loadSchools);
  school.addEventListener('change', () => {
    const s = schools.find((x) => String(x.id) === school.value);
    replace(stage, options((s?.stages ?? []).map((x) => [x, stageLabel(x)]), s?.stages?.length === 1 ? s.stages[0] : '', s?.stages?.length === 1 ? undefined : '—'));
  });
  const categories = CATEGORIES_BY_ROLE[me.role];
  const idempotencyKey = `ui-${crypto.randomUUID()}`; // one per form: a double click or a retry registers once
  const status = statusLine();
  const form = h('form', { class: 'narrow', onsubmit: async (ev) => {
      ev.preventDefault();
      status.clear();
      const d = Object.fromEntries(new FormData(form));
      const body = { campaignId: c.id, category: d.category, schoolId: Number(d.schoolId), name: d.name, subject: d.subject, stage: d.stage, spaceUrl: d.spaceUrl, platform: d.platform };
      if (d.credUser && d.credPass) body.browseCredentials = { username: d.credUser, password: d.credPass };
      submit.disabled = true;
      try {
        await api('POST', '/api/entrants', body, { 'Idempotency-Key': idempotencyKey });
        toast(t('register.done'));
        navigate('/me');
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(errorText(err));
      } finally {
        submit.disabled = false;
      }
    } },
    field(t('register.identity'), h('select', { name: 'category', required: true }, options(categories.map((x) => [x, categoryLabel(x)]), categories[0]))),
    field(t('name'), { name: 'name', value: me.displayName, required: true, maxlength: 50, autocomplete: 'name' }),
    field(t('city'), regions.city),
    field(t('county'), regions.county),
    field(t('school'), school),
    field(t('stage'), stage),
    field(t('subject'), { name: 'subject', required: true, maxlength: 50 }),
    field(t('space'), { name: 'spaceUrl', type: 'url', required: true, maxlength: 500, placeholder: 'https://' }),
    field(t('platform'), { name: 'platform', required: true, maxlength: 100, value: t('register.defaultPlatform') }),
    credentialFields(false),
  );
  const submit = h('button', { type: 'submit' }, t('register.submit'));
  form.append(submit, status.el);
  return [h('h1', {}, t('home.register')), h('p', { class: 'muted' }, t('register.flow')), form];
}
