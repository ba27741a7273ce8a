// 空间展示: the showcase with search and filters, and one entrant's page with its space link,
// 网络投票 (vote) and 学生助力 (boost upload).
import { api, ApiError, badge, decisionsTable, errorText, field, fmtTime, h, options, replace, statusLine, upload } from '../lib.js';
import { categoryLabel, stageLabel, stateLabel, t } from '../i18n.js';
import { navigate } from '../app.js';

const PAGE_SIZE = 20;
const FILTERS = ['q', 'cityId', 'countyId', 'stage', 'category'];

export async function render(ctx) {
  return ctx.view === 'entrant' ? entrantPage(ctx) : showcase(ctx);
}

/** City → county selects; the county list follows the city. */
export async function regionSelects(cityId, countyId, { required = false } = {}) {
  const cities = (await api('GET', '/api/regions/cities')).items;
  const city = h('select', { name: 'cityId', required }, options(cities.map((c) => [c.id, c.name]), cityId, t('all')));
  const county = h('select', { name: 'countyId', required }, options([], '', t('all')));
  const loadCounties = async (selected) => {
    const items = city.value ? (await api('GET', `/api/regions/counties?cityId=${city.value}`)).items : [];
    replace(county, options(items.map((c) => [c.id, c.name]), selected, t('all')));
    county.disabled = !city.value;
  };
  city.addEventListener('change', async () => {
    await loadCounties('');
    county.dispatchEvent(new Event('change')); // dependants (a school list) follow
  });
  await loadCounties(countyId);
  return { city, county, cities };
}

async function showcase(ctx) {
  const c = ctx.state.campaign;
  if (!c) return [h('h1', {}, t('nav.showcase')), h('p', {}, t('home.none'))];
  const q = ctx.query;
  const page = Math.max(1, Number(q.get('page')) || 1);
  const params = new URLSearchParams({ campaignId: c.id, page: String(page), pageSize: String(PAGE_SIZE) });
  for (const k of FILTERS) if (q.get(k)) params.set(k, q.get(k));
  const [list, regions] = await Promise.all([api('GET', `/api/entrants?${params}`), regionSelects(q.get('cityId'), q.get('countyId'))]);

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('showcase.search'),
    onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) next.set(k, String(v));
      navigate(`/spaces${next.size ? '?' + next : ''}`);
    } },
    field(t('showcase.q'), { type: 'search', name: 'q', value: q.get('q') ?? '', maxlength: 50, placeholder: t('showcase.qHint') }),
    field(t('city'), regions.city),
    field(t('county'), regions.county),
    field(t('stage'), h('select', { name: 'stage' }, options(['primary', 'junior', 'senior'].map((s) => [s, stageLabel(s)]), q.get('stage'), t('all')))),
    field(t('category'), h('select', { name: 'category' }, options(['teacher', 'student', 'education_worker'].map((s) => [s, categoryLabel(s)]), q.get('category'), t('all')))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('showcase.search'))),
  );

  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const pageLink = (n, label) => {
    const p = new URLSearchParams(q);
    p.set('page', String(n));
    return h('a', { href: `/spaces?${p}`, class: 'button secondary' }, label);
  };
  return [
    h('h1', {}, t('nav.showcase')),
    form,
    h('p', { class: 'muted', role: 'status' }, t('showcase.count', { n: list.total })),
    list.items.length
      ? h('ul', { class: 'cards' }, list.items.map((e) => h('li', { class: 'card' },
          h('h2', {}, h('a', { href: `/spaces/${e.id}` }, e.name)),
          h('p', {}, badge(categoryLabel(e.category)), ' ', badge(stageLabel(e.stage)), ' ', e.subject),
          h('p', { class: 'muted' }, `${e.city} · ${e.county} · ${e.school}`),
          e.recommended ? h('p', {}, badge(t('recommended'), 'open')) : null,
        )))
      : h('p', {}, t('showcase.empty')),
    pages > 1
      ? h('nav', { class: 'pager', 'aria-label': t('pager') },
          page > 1 ? pageLink(page - 1, t('prev')) : null, ' ',
          h('span', {}, t('pageOf', { page, pages })), ' ',
          page < pages ? pageLink(page + 1, t('next')) : null)
      : null,
  ];
}

/** 网络投票 refusals in the voter's words. */
function voteRefusal(err) {
  if (err instanceof ApiError && err.status === 401) return t('vote.loginFirst');
  if (err instanceof ApiError && err.code === 'AlreadyVoted') return t('vote.already') + (err.details?.nextVoteAt ? ' ' + t('vote.nextAt', { at: fmtTime(err.details.nextVoteAt) }) : '');
  if (err instanceof ApiError && err.code === 'WindowClosed') return t('vote.notOpen');
  if (err instanceof ApiError && err.code === 'DeadlinePassed') return t('vote.closed');
  if (err instanceof ApiError && err.details?.reason === 'not_approved') return t('vote.notApproved');
  return errorText(err);
}

/** Votes and accepted boosts of one entrant, read from the (cached) ranking of its school. */
async function tallyOf(e) {
  const params = new URLSearchParams({ campaignId: e.campaignId, schoolId: String(e.school.id), category: e.category, pageSize: '200' });
  const page = await api('GET', `/api/rankings?${params}`).catch(() => null);
  return page?.items.find((r) => r.id === e.id) ?? null;
}

async function entrantPage(ctx) {
  const e = await api('GET', `/api/entrants/${encodeURIComponent(ctx.params.id)}`);
  const me = ctx.state.me;
  const [tally, boosts] = await Promise.all([
    tallyOf(e),
    e.category !== 'student' ? api('GET', `/api/boosts?entrantId=${e.id}&pageSize=50`).catch(() => null) : null,
  ]);

  const votes = h('span', { class: 'big', id: 'vote-count' }, tally ? String(tally.votes) : '0');
  const voteStatus = statusLine();
  const loginLink = () => h('a', { href: `/login?next=${encodeURIComponent(location.pathname)}` }, t('login'));
  const voteBtn = h('button', { type: 'button', class: 'vote', onclick: vote }, t('vote.button'));
  // Outside its group's voting window the button says why before anyone clicks (the API has the last word).
  const votingWindow = ctx.state.campaigns.find((c) => c.id === e.campaignId)?.schedule?.windows?.find((w) => w.key === `${e.category === 'student' ? 'student' : 'teacher'}.voting`);
  const shut = votingWindow && Date.now() >= Date.parse(votingWindow.closesAt) ? t('vote.closed')
    : votingWindow && Date.now() < Date.parse(votingWindow.opensAt) ? `${t('vote.notOpen')} ${t('vote.opensAt', { at: fmtTime(votingWindow.opensAt) })}`
    : null;
  if (shut) voteBtn.disabled = true;
  async function vote() {
    voteStatus.clear();
    if (!me) {
      voteStatus.fail(t('vote.loginFirst'));
      voteStatus.el.append(' ', loginLink());
      return;
    }
    voteBtn.disabled = true;
    try {
      const r = await api('POST', `/api/entrants/${e.id}/votes`);
      votes.textContent = String(r.votes);
      voteStatus.ok(`${t('vote.thanks')} ${t('vote.receipt', { id: r.receipt })}`);
    } catch (err) {
      voteStatus.fail(voteRefusal(err));
      if (err instanceof ApiError && err.status === 401) voteStatus.el.append(' ', loginLink());
    } finally {
      voteBtn.disabled = false;
    }
  }

  return [
    h('h1', {}, e.name),
    h('p', {}, badge(categoryLabel(e.category)), ' ', badge(stageLabel(e.stage)), ' ', badge(stateLabel(e.state, e.stateLabel), e.state), e.recommended ? [' ', badge(t('recommended'), 'open')] : null),
    h('dl', { class: 'facts' },
      h('dt', {}, t('subject')), h('dd', {}, e.subject),
      h('dt', {}, t('school')), h('dd', {}, `${e.school.name}（${e.city.name} · ${e.county.name}）`),
      h('dt', {}, t('platform')), h('dd', {}, e.platform),
    ),
    h('p', {}, h('a', { class: 'button', href: e.spaceUrl, target: '_blank', rel: 'noopener noreferrer' }, t('space.visit'), h('span', { class: 'sr-only' }, t('newWindow')))),
    h('section', { class: 'panel', 'aria-labelledby': 'vote-h' },
      h('h2', { id: 'vote-h' }, t('vote.title')),
      h('p', {}, t('vote.count'), ' ', votes, tally && e.category !== 'student' ? h('span', { class: 'muted' }, ' · ', t('boost.accepted', { n: tally.acceptedBoosts })) : null),
      h('p', { class: 'muted' }, t('vote.rule')),
      voteBtn,
      shut ? h('p', { class: 'status', role: 'status', id: 'vote-shut' }, shut) : voteStatus.el,
    ),
    // 公示: the way to object to this entrant's published result.
    e.state === 'published'
      ? h('p', { class: 'panel', id: 'objection-link' }, t('objection.onEntrant'), ' ', h('a', { href: `/results?${new URLSearchParams({ campaign: e.campaignId, entrant: e.id })}#objection` }, t('objection.title')))
      : null,
    e.category !== 'student' ? boostSection(e, me, boosts?.items ?? []) : null,
    e.decisions ? h('section', { class: 'panel', 'aria-labelledby': 'dec-h' }, h('h2', { id: 'dec-h' }, t('portal.decisions')), decisionsTable(e.decisions, t('portal.decisions'))) : null,
  ];
}

/** Upload refusals in the student's words: what kind of file, or how large, is accepted. */
function boostRefusal(err) {
  if (err instanceof ApiError && err.code === 'UnsupportedMediaType') return t('boost.notVideo');
  const max = err instanceof ApiError && err.code === 'PayloadTooLarge' ? Number(err.details?.maxBytes) : NaN;
  if (max > 0) return t('boost.tooLarge', { max: max >= 1048576 ? `${Math.round(max / 1048576)} MB` : `${Math.ceil(max / 1024)} KB` });
  return errorText(err);
}

/** 学生助力: accepted boosts play here; a logged-in student uploads a video, with progress. */
function boostSection(e, me, boosts) {
  const accepted = boosts.filter((b) => b.state === 'accepted');
  const mine = me ? boosts.filter((b) => b.student.id === me.accountId && b.state !== 'accepted') : [];
  const section = h('section', { class: 'panel', 'aria-labelledby': 'boost-h' },
    h('h2', { id: 'boost-h' }, t('boost.title')),
    h('p', { class: 'muted' }, t('boost.what')),
    accepted.length
      ? h('ul', { class: 'cards' }, accepted.map((b) => h('li', { class: 'card' },
          h('video', { controls: true, preload: 'none', src: b.video.url, width: 320, 'aria-label': t('boost.by', { name: b.student.name ?? '' }) }),
          h('p', { class: 'muted' }, t('boost.by', { name: b.student.name ?? '' })))))
      : null,
    mine.map((b) => h('p', { class: b.state === 'rejected' ? 'status fail' : 'status ok' }, t(`boost.mine.${b.state}`, { reason: b.reason ?? '' }))),
  );
  if (!me) return (section.append(h('p', {}, h('a', { href: `/login?next=${encodeURIComponent(location.pathname)}` }, t('boost.loginFirst')))), section);
  if (me.role !== 'student') return (section.append(h('p', { class: 'muted' }, t('boost.studentsOnly'))), section);
  if (mine.some((b) => b.state === 'pending')) return section;
  const status = statusLine();
  const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': t('boost.progress') });
  const file = h('input', { type: 'file', name: 'video', accept: 'video/*', required: true });
  const submit = h('button', { type: 'submit' }, t('boost.submit'));
  const form = h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      status.clear();
      const f = file.files?.[0];
      if (!f) return status.fail(t('boost.pick'));
      const data = new FormData();
      data.append('video', f, f.name);
      bar.hidden = false;
      bar.value = 0;
      submit.disabled = true;
      try {
        await upload(`/api/entrants/${e.id}/boosts`, data, (p) => {
          bar.value = Math.round(p * 100);
          status.ok(t('boost.uploading', { p: bar.value }));
        });
        bar.value = 100;
        status.ok(t('boost.done'));
        form.reset();
      } catch (err) {
        bar.hidden = true;
        status.fail(boostRefusal(err));
      } finally {
        submit.disabled = false;
      }
    } },
    field(t('boost.video'), file, t('boost.hint')),
    bar,
    submit,
    status.el,
  );
  section.append(form);
  return section;
}
