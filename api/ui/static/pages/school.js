// 资格审核: the school admin's queue — confirm each entrant's real identity, approve or reject
// with a reason. Only the admin's own school is listed (the API confines it).
import { api, badge, errorText, field, fmtTime, h, options, statusLine, table } from '../lib.js';
import { categoryLabel, stageLabel, stateLabel, t } from '../i18n.js';

const FILTER_STATES = ['pending_approval', 'approved', 'rejected', 'expired', 'withdrawn'];

export async function render(ctx) {
  const me = ctx.state.me;
  const c = ctx.state.campaign;
  if (me?.role !== 'school_admin') return [h('h1', {}, t('nav.school')), h('p', {}, t('forbidden'))];
  if (!c) return [h('h1', {}, t('nav.school')), h('p', {}, t('home.none'))];
  const stateFilter = ctx.query.get('state') ?? 'pending_approval';
  const params = new URLSearchParams({ campaignId: c.id, pageSize: '200' });
  if (stateFilter !== 'all') params.set('state', stateFilter);
  const [list, boosts] = await Promise.all([
    api('GET', `/api/entrants?${params}`),
    api('GET', `/api/boosts?${new URLSearchParams({ campaignId: c.id, state: 'pending', pageSize: '100' })}`).catch(() => null),
  ]);

  const filter = h('form', { class: 'filters', 'aria-label': t('filter') },
    field(t('state'), h('select', { name: 'state', onchange: (e) => ctx.go(`/console/school?state=${e.target.value}`) },
      options([...FILTER_STATES.map((s) => [s, stateLabel(s)]), ['all', t('all')]], stateFilter))));

  const rows = list.items.map((e) => {
    const status = statusLine();
    const stateCell = h('td', {}, badge(stateLabel(e.state), e.state));
    const actions = h('td', { class: 'actions' });
    if (e.state === 'pending_approval') {
      const approve = h('button', { type: 'button', 'aria-label': t('school.approveWho', { name: e.name }), onclick: async () => {
          approve.disabled = true;
          try {
            const r = await api('POST', `/api/entrants/${e.id}/approve`, {});
            stateCell.replaceChildren(badge(stateLabel(r.state, r.stateLabel), r.state));
            actions.replaceChildren(status.el);
            status.ok(t('school.approved', { name: e.name }));
          } catch (err) {
            approve.disabled = false;
            status.fail(errorText(err));
          }
        } }, t('school.approve'));
      const reject = h('button', { type: 'button', class: 'danger', 'aria-label': t('school.rejectWho', { name: e.name }), onclick: () => {
          const reason = h('textarea', { name: 'reason', rows: 2, required: true, maxlength: 2000 });
          const form = h('form', { onsubmit: async (ev) => {
              ev.preventDefault();
              try {
                const r = await api('POST', `/api/entrants/${e.id}/reject`, { reason: reason.value.trim() });
                stateCell.replaceChildren(badge(stateLabel(r.state, r.stateLabel), r.state));
                actions.replaceChildren(status.el);
                status.ok(t('school.rejected', { name: e.name }));
              } catch (err) {
                status.fail(errorText(err));
              }
            } },
            field(t('school.reason'), reason, t('school.reasonHint')),
            h('button', { type: 'submit', class: 'danger' }, t('school.confirmReject')), ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => ctx.refresh() }, t('cancel')),
          );
          actions.replaceChildren(form, status.el);
          reason.focus();
        } }, t('school.reject'));
      actions.append(approve, ' ', reject, status.el);
    }
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `/spaces/${e.id}` }, e.name)),
      h('td', {}, categoryLabel(e.category)),
      h('td', {}, `${e.subject} · ${stageLabel(e.stage)}`),
      h('td', {}, fmtTime(e.registeredAt)),
      stateCell,
      actions);
  });

  return [
    h('h1', {}, t('nav.school')),
    h('p', { class: 'muted' }, t('school.what')),
    filter,
    h('p', { role: 'status' }, t('school.count', { n: list.total })),
    list.items.length ? table([t('name'), t('category'), t('subject'), t('registeredAt'), t('state'), t('actions')], rows, t('nav.school')) : h('p', {}, t('school.empty')),
    boosts ? boostQueue(boosts) : null,
  ];
}

/** 学生助力 videos for this school's teachers, waiting to be accepted (then they count) or rejected. */
function boostQueue(boosts) {
  const decide = (b, cell, status, verdict, reason) => async () => {
    try {
      const r = await api('POST', `/api/boosts/${b.id}/${verdict}`, reason ? { reason } : {});
      cell.replaceChildren(badge(t(`boostState.${r.state}`), r.state === 'accepted' ? 'approved' : 'rejected'), status.el);
      status.ok(t(`school.boost.${verdict}ed`));
    } catch (err) {
      status.fail(errorText(err));
    }
  };
  const rows = boosts.items.map((b) => {
    const status = statusLine();
    const cell = h('td', { class: 'actions' });
    const reason = h('input', { type: 'text', maxlength: 2000, 'aria-label': t('school.boost.reasonFor', { name: b.student.name ?? '' }), placeholder: t('school.reason') });
    // Each row's buttons say whose boost they decide (a screen reader lists them out of their rows).
    const who = { student: b.student.name ?? '', teacher: b.entrant.name ?? '' };
    cell.append(
      h('button', { type: 'button', 'aria-label': t('school.boost.acceptWho', who), onclick: decide(b, cell, status, 'accept') }, t('school.boost.accept')), ' ',
      reason, ' ',
      h('button', { type: 'button', class: 'danger', 'aria-label': t('school.boost.rejectWho', who), onclick: () => (reason.value.trim() ? decide(b, cell, status, 'reject', reason.value.trim())() : (status.fail(t('phase.reasonRequired')), reason.focus())) }, t('school.boost.reject')),
      status.el);
    return h('tr', {},
      h('th', { scope: 'row' }, b.entrant.name),
      h('td', {}, b.student.name ?? '—'),
      h('td', {}, h('video', { controls: true, preload: 'none', src: b.video.url, width: 240, 'aria-label': t('boost.by', { name: b.student.name ?? '' }) })),
      h('td', {}, fmtTime(b.createdAt)),
      cell);
  });
  return h('section', { 'aria-labelledby': 'boosts-h' },
    h('h2', { id: 'boosts-h' }, t('school.boosts')),
    rows.length ? table([t('school.boost.teacher'), t('school.boost.student'), t('boost.video'), t('when'), t('actions')], rows, t('school.boosts')) : h('p', { class: 'muted' }, t('school.boost.none')));
}
