// 报名情况通报: registrations per unit as of a day, the change since another day, rates against
// targets, as a chart and a table, with CSV / spreadsheet / SVG exports; below them the school
// rosters (花名册) the targets and platform spaces come from, with their import.
import { barChart } from '../chart.js';
import { api, field, h, options, pct, replace, table } from '../lib.js';
import { t } from '../i18n.js';
import { rosterSection } from './rosters.js';

const CHART_SERIES = ['teachers.registered', 'students.registered', 'teachers.change'];

export async function render(ctx) {
  const me = ctx.state.me;
  if (!['province_admin', 'city_admin', 'county_admin', 'auditor'].includes(me?.role)) return [h('h1', {}, t('nav.report')), h('p', {}, t('forbidden'))];
  const q = ctx.query;
  const params = new URLSearchParams();
  if (ctx.state.campaign) params.set('campaignId', ctx.state.campaign.id);
  for (const k of ['region', 'asOf', 'compareTo', 'by']) if (q.get(k)) params.set(k, q.get(k));
  const [report, picker] = await Promise.all([api('GET', `/api/reports/registration?${params}`), regionPicker(me, q.get('region'))]);

  const form = h('form', { class: 'filters', 'aria-label': t('report.options'), onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      const d = new FormData(form);
      const region = picker.value();
      if (region) next.set('region', region);
      for (const k of ['asOf', 'compareTo', 'by']) if (d.get(k)) next.set(k, String(d.get(k)));
      ctx.go(`/console/report?${next}`);
    } },
    picker.fields,
    field(t('report.asOf'), { type: 'date', name: 'asOf', value: q.get('asOf') ?? report.asOfDay }),
    field(t('report.compareTo'), { type: 'date', name: 'compareTo', value: q.get('compareTo') ?? '' }, t('report.compareHint')),
    field(t('report.by'), h('select', { name: 'by' }, options([['child', t('report.byChild')], ['school', t('report.bySchool')]], q.get('by') ?? 'child'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('report.show'))),
  );

  const exportQuery = new URLSearchParams(params);
  const compared = report.compareTo !== null;
  // The figures are redrawn in place after a roster import (targets and platform spaces change).
  const figures = h('div', {}, figuresOf(report, compared));
  const rosters = rosterSection({
    campaignId: report.campaign.id,
    region: report.region.key,
    regionName: report.region.name,
    canImport: ['province_admin', 'city_admin', 'county_admin'].includes(me.role),
    onImported: async () => replace(figures, figuresOf(await api('GET', `/api/reports/registration?${params}`), compared)),
  });
  return [
    h('h1', {}, t('nav.report')),
    h('p', { class: 'muted' }, `${report.campaign.name} · ${report.region.name} · ${t('report.asOfDay', { day: report.asOfDay })}${compared ? ' · ' + t('report.since', { day: report.compareToDay }) : ''}`),
    form,
    figures,
    h('p', { class: 'cta' },
      ['csv', 'xlsx', 'svg'].map((f) => [h('a', { class: 'button secondary', href: `/api/reports/registration.${f}?${exportQuery}`, download: '' }, t(`report.export.${f}`)), ' '])),
    rosters,
  ];
}

function figuresOf(report, compared) {
  return [
    report.summary ? h('blockquote', { class: 'summary', lang: 'zh-CN' }, report.summary) : null,
    h('section', { 'aria-labelledby': 'chart-h' }, h('h2', { id: 'chart-h' }, t('report.chart')), chart(report)),
    h('section', { 'aria-labelledby': 'table-h' }, h('h2', { id: 'table-h' }, t('report.table')), reportTable(report, compared)),
  ];
}

/** province → city → county, within what the account may see. The value is the API's region key. */
export async function regionPicker(me, current) {
  if (me.role === 'county_admin') return { fields: null, value: () => '' };
  const cities = (await api('GET', '/api/regions/cities')).items;
  const [, level, code] = /^(city|county):(\d+)$/.exec(current ?? '') ?? [];
  let cityId = level === 'city' ? cities.find((c) => c.code === code)?.id : undefined;
  const fixedCity = me.role === 'city_admin' ? cities.find((c) => c.id === me.cityId) : undefined;
  if (fixedCity) cityId = fixedCity.id;
  const countyCodeWanted = level === 'county' ? code : '';
  if (level === 'county' && !cityId) cityId = cities.find((c) => code.startsWith(c.code))?.id;
  const city = h('select', { name: 'city', disabled: !!fixedCity }, options(cities.map((c) => [c.id, c.name]), cityId, t('report.wholeProvince')));
  const county = h('select', { name: 'county' }, options([], '', t('report.wholeCity')));
  let counties = [];
  const load = async (selectedCode) => {
    counties = city.value ? (await api('GET', `/api/regions/counties?cityId=${city.value}`)).items : [];
    replace(county, options(counties.map((c) => [c.code, c.name]), selectedCode, t('report.wholeCity')));
    county.disabled = !city.value;
  };
  city.addEventListener('change', () => load(''));
  await load(countyCodeWanted);
  return {
    fields: [field(t('city'), city), field(t('county'), county)],
    value: () => (county.value ? `county:${county.value}` : city.value ? `city:${cities.find((c) => String(c.id) === city.value).code}` : fixedCity ? '' : 'province'),
  };
}

/** Horizontal grouped bars (mobile-friendly: names stay readable), one colour per series. */
function chart(report) {
  const series = report.chart.series.filter((s) => CHART_SERIES.includes(s.key));
  return barChart({
    id: 'report-chart',
    title: t('report.chartAlt', { region: report.region.name, n: report.chart.categories.length }),
    categories: report.chart.categories,
    series: series.map((s) => ({ name: seriesName(s), data: s.data })),
  });
}

function seriesName(s) {
  const key = `series.${s.key}`;
  const ours = t(key);
  return ours === key ? s.name : ours;
}

function reportTable(report, compared) {
  const g = (f, withPlatform) => [
    h('td', {}, f.registered), h('td', {}, f.approved),
    compared ? h('td', {}, f.change ? `+${f.change.registered}` : '—') : null,
    h('td', {}, f.target ?? '—'), h('td', {}, pct(f.progress)),
    withPlatform ? [h('td', {}, f.platformSpaces ?? '—'), h('td', {}, pct(f.platformProgress))] : null,
  ];
  const head = (who, withPlatform) => [
    `${who}${t('report.registered')}`, `${who}${t('report.approved')}`,
    compared ? `${who}${t('report.change')}` : null,
    `${who}${t('report.target')}`, `${who}${t('report.progress')}`,
    withPlatform ? [t('report.platformSpaces'), t('report.platformProgress')] : null,
  ];
  const T = t('report.teachers');
  const S = t('report.students');
  const rows = report.rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.name), g(r.figures.teachers, true), g(r.figures.students, false)));
  rows.push(h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('report.total')), g(report.total.teachers, true), g(report.total.students, false)));
  return table([t(`report.unit.${report.unitLevel}`), ...head(T, true), ...head(S, false)].flat(Infinity).filter(Boolean), rows, t('report.table'));
}

