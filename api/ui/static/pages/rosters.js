// 花名册: each school's teachers, students and platform spaces, which the report's targets and
// platform figures come from. Province, city and county admins import a CSV or XLSX file (all
// rows or none; the same file again changes nothing); whoever reads the report can list them.
// Not a route of its own: the report page shows this section.
import { api, ApiError, errorText, field, fmtTime, h, replace, statusLine, table, upload } from '../lib.js';
import { t } from '../i18n.js';

/** The API's MAX_ROSTER_BYTES: checked here first so a wrong file is not sent for nothing. */
const MAX_BYTES = 5 * 1024 * 1024;
const LIST_ROWS = 50;
const ACCEPT = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * @param {{ campaignId: string, region: string, regionName: string, canImport: boolean, onImported?: () => Promise<unknown> }} o
 */
export function rosterSection({ campaignId, region, regionName, canImport, onImported }) {
  const list = rosterList(campaignId, region, regionName);
  return h('section', { 'aria-labelledby': 'roster-h' },
    h('h2', { id: 'roster-h' }, t('roster.title')),
    h('p', { class: 'muted' }, t('roster.what')),
    canImport ? importForm(campaignId, () => Promise.all([list.reload(), onImported?.()])) : null,
    list.el);
}

function importForm(campaignId, afterImport) {
  const status = statusLine();
  const problems = h('div', { id: 'roster-problems' });
  const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': t('roster.progress') });
  const file = h('input', { type: 'file', name: 'file', accept: ACCEPT, required: true });
  const dryRun = h('input', { type: 'checkbox', name: 'dryRun' });
  const submit = h('button', { type: 'submit' }, t('roster.submit'));
  const form = h('form', { class: 'panel', 'aria-label': t('roster.title'), onsubmit: async (ev) => {
      ev.preventDefault();
      status.clear();
      replace(problems);
      const f = file.files?.[0];
      if (!f) return status.fail(t('roster.pick'));
      if (f.size > MAX_BYTES) return status.fail(t('roster.tooLarge'));
      const data = new FormData();
      data.append('file', f, f.name);
      const query = new URLSearchParams({ campaignId });
      if (dryRun.checked) query.set('dryRun', 'true');
      bar.hidden = false;
      bar.value = 0;
      submit.disabled = true;
      try {
        const r = await upload(`/api/rosters/import?${query}`, data, (p) => {
          bar.value = Math.round(p * 100);
          status.ok(p < 1 ? t('roster.uploading', { p: bar.value }) : t('roster.checking'));
        });
        bar.value = 100;
        status.ok(t(`roster.${r.status}`, r));
        if (r.status === 'imported') {
          form.reset();
          // The message stands even if the redraw fails: the import itself has happened.
          await afterImport().catch(() => undefined);
        }
      } catch (err) {
        bar.hidden = true;
        showRefusal(err, status, problems);
      } finally {
        submit.disabled = false;
      }
    } },
    field(t('roster.file'), file, t('roster.fileHint')),
    h('p', {}, h('label', { class: 'check' }, dryRun, t('roster.dryRun'))),
    h('p', { class: 'warn' }, t('roster.allOrNothing')),
    bar,
    h('div', { class: 'actions' }, submit),
    status.el,
    problems,
  );
  return form;
}

/** Every bad row with its line and reason; other refusals (not UTF-8, too large…) in one line. */
function showRefusal(err, status, slot) {
  const rows = err instanceof ApiError && err.code === 'ValidationFailed' && Array.isArray(err.details) ? err.details.filter((d) => Number.isInteger(d?.line)) : [];
  if (rows.length > 0) {
    status.fail(t('roster.refused', { n: rows.length }));
    replace(slot, table(
      [t('roster.line'), t('roster.schoolCode'), t('roster.reason')],
      rows.map((d) => h('tr', {}, h('th', { scope: 'row' }, t('roster.lineN', { line: d.line })), h('td', {}, d.schoolCode ?? '—'), h('td', {}, d.reason))),
      t('roster.problems')));
    return;
  }
  if (err instanceof ApiError && err.code === 'PayloadTooLarge') return status.fail(t('roster.tooLarge'));
  status.fail(t('roster.refusedFile', { reason: errorText(err) }));
}

/** Loaded when first opened: a province has thousands of schools and most visits need none of them. */
function rosterList(campaignId, region, regionName) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  let loaded = false;
  const load = async () => {
    loaded = true;
    try {
      const r = await api('GET', `/api/rosters?${new URLSearchParams({ campaignId, region })}`);
      // Schools with a roster first (in code order), then those still missing one.
      const items = [...r.items.filter((i) => i.teachers !== null), ...r.items.filter((i) => i.teachers === null)];
      const imported = items.filter((i) => i.teachers !== null).length;
      const shown = items.slice(0, LIST_ROWS);
      replace(body,
        h('p', { role: 'status' }, t('roster.count', { region: r.region.name, n: items.length, imported, missing: items.length - imported })),
        shown.length
          ? table(
              [t('roster.schoolCode'), t('school'), t('county'), t('roster.teachers'), t('roster.students'), t('roster.platformSpaces'), t('roster.importedAt')],
              shown.map((i) => h('tr', {},
                h('td', {}, i.code),
                h('th', { scope: 'row' }, i.name),
                h('td', {}, i.county),
                h('td', {}, i.teachers ?? '—'),
                h('td', {}, i.students ?? '—'),
                h('td', {}, i.platformSpaces ?? '—'),
                h('td', {}, i.importedAt ? fmtTime(i.importedAt) : t('roster.none')))),
              t('roster.current', { region: r.region.name }))
          : null,
        items.length > shown.length ? h('p', { class: 'muted' }, t('roster.first', { shown: shown.length, n: items.length })) : null);
    } catch (err) {
      loaded = false;
      replace(body, h('p', { class: 'status fail', role: 'alert' }, errorText(err)));
    }
  };
  const details = h('details', { class: 'rosters', ontoggle: () => details.open && !loaded && load() },
    h('summary', {}, t('roster.current', { region: regionName })),
    body);
  return {
    el: details,
    /** After an import: redrawn now if open, else on the next opening. */
    reload: async () => (details.open ? load() : (loaded = false)),
  };
}
