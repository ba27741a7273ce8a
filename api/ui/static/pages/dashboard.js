// 活动概况: the campaign dashboard of the province and city admins (and the auditor, who may read
// it) — registrations and votes per day, approvals pending per school, 市州推优 against the
// quotas and the review's progress. A city admin sees its own city: the API scopes the figures.
import { barChart } from '../chart.js';
import { api, fmtTime, h, pct, table } from '../lib.js';
import { stateLabel, t } from '../i18n.js';
import { regionPicker } from './report.js';

const ROLES = ['province_admin', 'city_admin', 'auditor'];
/** Schools listed before "show all": the busiest ones, as the API sorts them. */
const PENDING_ROWS = 20;

export async function render(ctx) {
  const me = ctx.state.me;
  if (!ROLES.includes(me?.role)) return [h('h1', {}, t('dash.title')), h('p', {}, t('forbidden'))];
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('dash.title')), h('p', {}, t('home.none'))];
  const params = new URLSearchParams({ campaignId: c.id });
  const region = ctx.query.get('region');
  if (region) params.set('region', region);
  const [d, picker] = await Promise.all([api('GET', `/api/reports/dashboard?${params}`), regionPicker(me, region)]);

  const form = h('form', { class: 'filters', 'aria-label': t('dash.options'), onsubmit: (e) => {
      e.preventDefault();
      const v = picker.value();
      ctx.go(`/console/dashboard${v ? `?${new URLSearchParams({ region: v })}` : ''}`);
    } },
    picker.fields,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('dash.show'))));

  return [
    h('h1', {}, t('dash.title')),
    h('p', { class: 'muted' }, t('dash.meta', { campaign: d.campaign.name, region: d.region.name, at: fmtTime(d.generatedAt) })),
    form,
    d.notes?.length ? h('ul', { class: 'warn' }, d.notes.map((n) => h('li', {}, n))) : null,
    totals(d),
    registrations(d),
    pending(d),
    votes(d),
    quotas(d),
    review(d),
    h('p', {}, h('a', { href: `/console/report${region ? `?${new URLSearchParams({ region })}` : ''}` }, t('nav.report'))),
  ];
}

const sum = (xs) => xs.reduce((n, x) => n + x, 0);

function totals(d) {
  const registered = sum(d.registrationsPerDay.map((r) => r.teachers + r.students));
  const items = [
    ['registered', registered],
    ['pendingTotal', sum(d.approvalsPendingPerSchool.map((r) => r.total))],
    ['votes', sum(d.votesPerDay.map((r) => r.votes))],
    ['recommended', sum(d.recommendationsAgainstQuota.map((q) => q.teachers.used + q.students.used))],
    ['selected', d.reviewProgress.selected],
  ];
  return h('section', { 'aria-labelledby': 'dash-totals-h' },
    h('h2', { id: 'dash-totals-h' }, t('dash.totals')),
    h('ul', { class: 'stats', id: 'dash-totals' }, items.map(([k, n]) => h('li', { dataset: { figure: k } }, h('span', { class: 'big' }, String(n)), ' ', t(`dash.${k}`)))));
}

/** A chart of per-day figures, with the same numbers as a table for screen readers and copying. */
function perDay({ id, heading, empty, title, days, series, totalLabel }) {
  const section = h('section', { 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, heading));
  if (days.length === 0) return (section.append(h('p', { class: 'muted' }, empty)), section);
  const totalsByDay = days.map((_, i) => sum(series.map((s) => s.data[i])));
  section.append(
    barChart({ id: `${id}-chart`, title, categories: days, series, stacked: true, labelWidth: 80 }),
    h('details', { class: 'data-table' },
      h('summary', {}, t('dash.dataTable', { what: heading })),
      table(
        [t('dash.day'), ...(series.length > 1 ? series.map((s) => s.name) : []), totalLabel],
        [
          ...days.map((day, i) => h('tr', {}, h('th', { scope: 'row' }, day), series.length > 1 ? series.map((s) => h('td', {}, s.data[i])) : null, h('td', {}, totalsByDay[i]))),
          h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('report.total')), series.length > 1 ? series.map((s) => h('td', {}, sum(s.data))) : null, h('td', {}, sum(totalsByDay))),
        ],
        t('dash.dataTable', { what: heading }))));
  return section;
}

function registrations(d) {
  const days = d.registrationsPerDay.map((r) => r.day);
  const total = sum(d.registrationsPerDay.map((r) => r.teachers + r.students));
  return perDay({
    id: 'dash-reg',
    heading: t('dash.perDay'),
    empty: t('dash.noRegistrations'),
    title: t('dash.perDayAlt', { region: d.region.name, from: days[0], to: days.at(-1), n: days.length, total }),
    days,
    series: [
      { name: t('dash.teachers'), data: d.registrationsPerDay.map((r) => r.teachers) },
      { name: t('dash.students'), data: d.registrationsPerDay.map((r) => r.students) },
    ],
    totalLabel: t('dash.total'),
  });
}

function votes(d) {
  const days = d.votesPerDay.map((r) => r.day);
  return perDay({
    id: 'dash-votes',
    heading: t('dash.votesPerDay'),
    empty: t('dash.noVotes'),
    title: t('dash.votesAlt', { region: d.region.name, from: days[0], to: days.at(-1), n: days.length, total: sum(d.votesPerDay.map((r) => r.votes)) }),
    days,
    series: [{ name: t('dash.votesCol'), data: d.votesPerDay.map((r) => r.votes) }],
    totalLabel: t('dash.votesCol'),
  });
}

function pending(d) {
  const rows = d.approvalsPendingPerSchool;
  const section = h('section', { 'aria-labelledby': 'dash-pending-h' }, h('h2', { id: 'dash-pending-h' }, t('dash.pendingTitle')));
  if (rows.length === 0) return (section.append(h('p', { class: 'muted' }, t('dash.noPending'))), section);
  const row = (r) => h('tr', {},
    h('th', { scope: 'row' }, r.name),
    h('td', {}, r.county),
    h('td', {}, r.teachers),
    h('td', {}, r.students),
    h('td', {}, h('strong', {}, r.total)),
    h('td', {}, fmtTime(r.oldestRegisteredAt)));
  const body = rows.slice(0, PENDING_ROWS).map(row);
  const tbl = table([t('school'), t('county'), t('dash.teachers'), t('dash.students'), t('dash.pending'), t('dash.oldest')], body, t('dash.pendingCaption'));
  section.append(h('p', {}, t('dash.pendingSummary', { schools: rows.length, n: sum(rows.map((r) => r.total)) })), tbl);
  if (rows.length > PENDING_ROWS) {
    const more = h('button', { type: 'button', class: 'secondary', onclick: () => {
        tbl.querySelector('tbody').append(...rows.slice(PENDING_ROWS).map(row));
        more.remove();
      } }, t('dash.showAll', { n: rows.length }));
    section.append(h('p', {}, more));
  }
  return section;
}

/** Used against the quota as text and as a meter (a full meter means the quota is used up). */
function use(city, group, u) {
  const label = t('dash.quotaMeter', { city, group: t(`city.group.${group}`), used: u.used, quota: u.quota });
  return h('div', { class: 'quota-use' },
    h('meter', { min: 0, max: Math.max(1, u.quota), value: Math.min(u.used, Math.max(1, u.quota)), 'aria-label': label, title: label }),
    h('span', { class: 'nowrap' }, `${u.used} / ${u.quota}`));
}

function quotas(d) {
  const rows = d.recommendationsAgainstQuota;
  const section = h('section', { 'aria-labelledby': 'dash-quota-h' }, h('h2', { id: 'dash-quota-h' }, t('dash.quota')));
  if (rows.length === 1) {
    // A city's own figures: two meters, no table.
    const q = rows[0];
    section.append(h('ul', { class: 'plain quota-own', id: 'dash-quota' },
      ['teacher', 'student'].map((g) => h('li', {}, h('span', { class: 'quota-group' }, t(`city.group.${g}`)), use(q.city, g, q[`${g}s`])))));
    return section;
  }
  const tot = (g, k) => sum(rows.map((r) => r[g][k]));
  section.append(table(
    [t('city'), t('city.group.teacher'), t('city.group.student')],
    [
      ...rows.map((q) => h('tr', {}, h('th', { scope: 'row' }, q.city), h('td', {}, use(q.city, 'teacher', q.teachers)), h('td', {}, use(q.city, 'student', q.students)))),
      h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('report.total')),
        h('td', {}, `${tot('teachers', 'used')} / ${tot('teachers', 'quota')}`), h('td', {}, `${tot('students', 'used')} / ${tot('students', 'quota')}`)),
    ],
    t('dash.quotaCaption')));
  return section;
}

function review(d) {
  const p = d.reviewProgress;
  const items = [['selected', p.selected], ['inReview', p.inReview], ['reviewed', p.reviewed], ['published', p.published], ['scores', p.scoresSubmitted]];
  const states = Object.entries(d.states ?? {}).sort((a, b) => b[1] - a[1]);
  return h('section', { 'aria-labelledby': 'dash-review-h' },
    h('h2', { id: 'dash-review-h' }, t('dash.review')),
    p.selected > 0
      ? h('p', {}, h('label', { for: 'dash-review-progress' }, t('dash.review.progress', { reviewed: p.reviewed, selected: p.selected, pct: pct(p.rate) })), ' ',
          h('progress', { id: 'dash-review-progress', max: p.selected, value: p.reviewed }))
      : h('p', { class: 'muted' }, t('dash.review.none')),
    h('ul', { class: 'stats', id: 'dash-review' }, items.map(([k, n]) => h('li', { dataset: { figure: k } }, h('span', { class: 'big' }, String(n)), ' ', t(`dash.review.${k}`)))),
    states.length
      ? [h('h3', {}, t('dash.states')), h('ul', { class: 'stats' }, states.map(([s, n]) => h('li', {}, h('span', { class: 'big' }, String(n)), ' ', stateLabel(s))))]
      : null);
}
