// 结果公示 (province admin): the results as they would be published now (ranking, tiers, special
// and group awards), the teaching-achievement-sharing marks (教学成果分享奖), publishing with a
// confirmation that states its effect, then the notice period (公示期) and its extension.
import { api, ApiError, badge, confirmDialog, countdown, errorText, field, fmtTime, h, shanghaiInstant, shanghaiLocal, statusLine, table, toast } from '../lib.js';
import { t } from '../i18n.js';
import { awardLabel, byKeyThenRank, groupSections, rankingKeyLabel, remarks, score } from './results.js';

export async function render(ctx) {
  const me = ctx.state.me;
  const c = ctx.state.campaign;
  if (me?.role !== 'province_admin') return [h('h1', {}, t('nav.publication')), h('p', {}, t('forbidden'))];
  if (!c) return [h('h1', {}, t('nav.publication')), h('p', {}, t('home.none'))];
  const q = encodeURIComponent(c.id);
  const [proposal, sharing, campaign] = await Promise.all([
    api('GET', `/api/results/proposal?campaignId=${q}`),
    api('GET', `/api/results/achievement-sharing?campaignId=${q}`),
    api('GET', `/api/campaigns/${q}`),
  ]);
  const marked = new Set(sharing.items.map((i) => i.entrantId));
  const head = [h('h1', {}, t('nav.publication')), h('p', { class: 'muted' }, campaign.name, ' · ', t('pub.what'))];
  if (!proposal.published) {
    return [
      ...head,
      publishSection(ctx, c, proposal, campaign),
      resultList(ctx, { entrants: proposal.entrants, cutoffs: proposal.cutoffs, at: proposal.at }, marked, true),
      groupSections([...proposal.groupAwards.cities, ...proposal.groupAwards.counties, ...proposal.groupAwards.schools], { figures: true }),
    ];
  }
  // Published: the list is the snapshot (and what settled objections changed), not a new computation.
  const published = await api('GET', `/api/results?campaignId=${q}&pageSize=${LIST_SIZE}`).catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err)));
  if (!published) return [...head, h('section', { class: 'hero' }, h('p', { role: 'status' }, t('pub.publishing')))];
  return [
    ...head,
    noticeSection(ctx, c, published, campaign.schedule.now),
    resultList(ctx, { entrants: published.items, cutoffs: {}, at: published.publication.publishedAt, total: published.total }, marked, false),
    groupSections(published.groupAwards, { figures: true }),
  ];
}

const LIST_SIZE = 200;

function reasonField(hint) {
  const reason = h('textarea', { name: 'reason', rows: 2, required: true, maxlength: 2000 });
  return { reason, el: field(t('phase.reason'), reason, hint ?? t('phase.reasonHint')) };
}

/** Asks until the admin cancels or the act succeeds; a refusal is shown and the dialog reopens. */
async function confirmLoop(title, body, confirmLabel, extra, reason, act) {
  const status = statusLine();
  const box = h('div', {}, extra, status.el);
  for (;;) {
    if (!(await confirmDialog(title, body, confirmLabel, box))) return false;
    if (!reason.value.trim()) {
      status.fail(t('phase.reasonRequired'));
      continue;
    }
    try {
      await act();
      return true;
    } catch (err) {
      status.fail(errorText(err));
    }
  }
}

function publishSection(ctx, c, proposal, campaign) {
  const n = proposal.entrants.length;
  const pending = proposal.pending.inReview;
  const status = statusLine();
  const publish = async () => {
    const { reason, el } = reasonField();
    const allow = h('input', { type: 'checkbox', id: 'allow-pending', name: 'allowPending' });
    const extra = h('div', {}, pending > 0 ? h('p', {}, h('label', { class: 'check', for: 'allow-pending' }, allow, t('pub.allowPending', { n: pending }))) : null, el);
    const effect = [
      t('pub.publishEffect', { n, d: campaign.config?.noticeDays ?? '—' }),
      t('pub.publishFixed'),
      pending > 0 ? t('pub.pendingReview', { n: pending }) : null,
    ].filter(Boolean);
    const done = await confirmLoop(t('pub.publish'), effect, t('pub.confirmPublish'), extra, reason, async () => {
      await api('POST', '/api/results/publish', { campaignId: c.id, reason: reason.value.trim(), ...(pending > 0 ? { allowPending: allow.checked } : {}) });
    });
    if (!done) return;
    button.disabled = true;
    status.ok(t('pub.publishing'));
    // The publication workflow writes the snapshot; the page follows once it is readable.
    for (let i = 0; i < 60 && !ctx.stale(); i += 1) {
      const ready = await api('GET', `/api/results?campaignId=${encodeURIComponent(c.id)}&pageSize=1`).then(() => true, () => false);
      if (ready) {
        toast(t('pub.published'));
        return ctx.refresh({ quiet: true });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const button = h('button', { type: 'button', onclick: publish, disabled: n === 0 }, t('pub.publish'));
  return h('section', { class: 'hero', 'aria-labelledby': 'pub-h' },
    h('h2', { id: 'pub-h' }, t('results.notice'), ' ', badge(t('pub.notPublished'), 'upcoming')),
    h('p', {}, t('pub.ready', { n })),
    pending > 0 ? h('p', { class: 'warn', role: 'note' }, t('pub.pendingReview', { n: pending })) : null,
    n === 0 ? h('p', { class: 'muted' }, t('pub.empty')) : null,
    h('p', { class: 'actions' }, button),
    status.el);
}

function noticeSection(ctx, c, results, serverNow) {
  const pub = results.publication;
  const extend = async () => {
    const until = h('input', { type: 'datetime-local', name: 'until', required: true, value: shanghaiLocal(new Date(Date.parse(pub.noticeEndsAt) + 86400_000).toISOString()) });
    const effect = h('p', { 'aria-live': 'polite' });
    const describe = () => (effect.textContent = t('pub.extendEffect', { from: fmtTime(pub.noticeEndsAt), to: until.value ? fmtTime(shanghaiInstant(until.value)) : '—' }));
    until.addEventListener('input', describe);
    describe();
    const { reason, el } = reasonField();
    const done = await confirmLoop(t('pub.extend'), [effect], t('pub.confirmExtend'), h('div', {}, field(t('pub.newEnd'), until, t('phase.tzHint')), el), reason, async () => {
      await api('POST', '/api/results/notice/extend', { campaignId: c.id, until: shanghaiInstant(until.value), reason: reason.value.trim() });
    });
    if (!done) return;
    toast(t('pub.extended', { at: fmtTime(shanghaiInstant(until.value)) }));
    ctx.refresh({ quiet: true });
  };
  return h('section', { class: 'hero', 'aria-labelledby': 'pub-h' },
    h('h2', { id: 'pub-h' }, t('results.notice'), ' ', badge(t(`results.state.${pub.state}`), pub.state === 'final' ? 'approved' : 'open')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('results.publishedAt')), h('dd', {}, fmtTime(pub.publishedAt)),
      h('dt', {}, t('results.noticeEnds')), h('dd', {}, fmtTime(pub.noticeEndsAt)),
      pub.finalisedAt ? [h('dt', {}, t('results.finalisedAt')), h('dd', {}, fmtTime(pub.finalisedAt))] : null),
    pub.objectionsOpen ? h('p', { class: 'next' }, t('results.noticeLeft'), ' ', countdown(ctx, pub.noticeEndsAt, serverNow)) : null,
    pub.extensions.length ? h('ul', { class: 'plain' }, pub.extensions.map((x) => h('li', { class: 'muted' }, t('results.extended', { until: fmtTime(x.until), reason: x.reason ?? '—' })))) : null,
    h('p', { class: 'actions' },
      pub.state === 'notice' ? h('button', { type: 'button', class: 'secondary', onclick: extend }, t('pub.extend')) : null,
      h('a', { class: 'button secondary', href: '/results' }, t('pub.viewPublic')),
      h('a', { class: 'button secondary', href: '/objections' }, t('pub.viewObjections'))));
}

/**
 * 拟获奖名单 (before publication: teachers can be marked) or the published list: one table per
 * ranking key, the awarded first, the rest folded away.
 */
function resultList(ctx, proposal, marked, editable) {
  const keys = [...new Set([...proposal.entrants].sort(byKeyThenRank).map((e) => e.rankingKey))];
  return h('section', { 'aria-labelledby': 'proposal-h' },
    h('h2', { id: 'proposal-h' }, t(editable ? 'pub.proposal' : 'pub.publishedList')),
    h('p', { class: 'muted' }, t(editable ? 'pub.proposalAt' : 'pub.publishedAt', { at: fmtTime(proposal.at) }),
      proposal.total > proposal.entrants.length ? [' ', h('a', { href: '/results' }, t('pub.fullList', { n: proposal.total }))] : null),
    keys.length
      ? keys.map((key) => {
          const rows = proposal.entrants.filter((e) => e.rankingKey === key).sort((a, b) => a.rank - b.rank);
          const cut = (proposal.cutoffs[key] ?? []).filter((x) => x.size > 0);
          const head = [t('rank.rank'), t('name'), t('school'), t('results.score'), t('rank.votes'), t('results.award'), t('results.specials'), t('pub.sharing')];
          const line = (e) => entrantRow(ctx, e, marked, editable);
          const awarded = rows.filter((e) => e.award || e.specialAwards.length);
          const rest = rows.filter((e) => !(e.award || e.specialAwards.length));
          return h('div', {},
            h('h3', {}, rankingKeyLabel(key)),
            cut.length ? h('p', { class: 'muted' }, cut.map((x) => t('pub.cutoff', { tier: awardLabel(x.tier), n: x.size, score: score(x.lowestScore) })).join('；')) : null,
            awarded.length ? table(head, awarded.map(line), `${rankingKeyLabel(key)} · ${t('pub.proposal')}`) : null,
            rest.length ? h('details', {}, h('summary', {}, t('results.others', { n: rest.length })), table(head, rest.map(line), `${rankingKeyLabel(key)} · ${t('results.othersTitle')}`)) : null);
        })
      : h('p', { class: 'muted' }, t('pub.empty')));
}

function entrantRow(ctx, e, marked, editable) {
  const isMarked = marked.has(e.entrantId);
  const cell = h('div', { class: 'actions' }, isMarked ? badge(t('pub.marked'), 'open') : null);
  if (editable && e.group === 'teacher') {
    const verb = isMarked ? 'unmark' : 'mark';
    const toggle = async () => {
      const { reason, el } = reasonField(t('pub.markHint'));
      const done = await confirmLoop(t(`pub.${verb}Who`, { name: e.name }), [t(`pub.${verb}Effect`, { name: e.name })], t(`pub.${verb}`), el, reason, async () => {
        await api('POST', '/api/results/achievement-sharing', { entrantId: e.entrantId, reason: reason.value.trim(), marked: !isMarked });
      });
      if (!done) return;
      toast(t(`pub.${verb}Done`, { name: e.name }));
      ctx.refresh({ quiet: true }); // the sharing award moves with the marks
    };
    cell.append(h('button', { type: 'button', class: 'secondary', 'aria-label': t(`pub.${verb}Who`, { name: e.name }), onclick: toggle }, t(`pub.${verb}`)));
  }
  return h('tr', {},
    h('td', {}, String(e.rank)),
    h('th', { scope: 'row' }, h('a', { href: `/spaces/${e.entrantId}` }, e.name), editable ? null : remarks(e)),
    h('td', {}, `${e.city} · ${e.school}`),
    h('td', {}, score(e.finalScore)),
    h('td', {}, String(e.votes)),
    h('td', {}, e.award ? awardLabel(e.award, e.awardLabel) : '—'),
    h('td', {}, e.specialAwards.map((s, i) => awardLabel(s, e.specialAwardLabels[i])).join('、') || '—'),
    h('td', {}, cell));
}
