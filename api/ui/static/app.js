// The shell: who is logged in, which campaign is shown, the navigation for the role, and a
// tiny history-API router that loads each page's module on first visit.
import { api, ApiError, cookie, errorText, h, replace } from './lib.js';
import { lang, loadLang, setLang, t } from './i18n.js';

const config = JSON.parse(document.querySelector('meta[name="lss-config"]')?.content || '{}');

/** Shared state every page reads: the account (or null), the campaigns, the chosen one. */
export const state = { me: null, campaigns: [], campaign: null, config };

const ROUTES = [
  ['/', () => import('./pages/home.js'), 'home'],
  ['/campaigns/:id', () => import('./pages/home.js'), 'home'],
  ['/spaces', () => import('./pages/spaces.js'), 'showcase'],
  ['/spaces/:id', () => import('./pages/spaces.js'), 'entrant'],
  ['/entrants/:id', () => import('./pages/spaces.js'), 'entrant'],
  ['/rankings', () => import('./pages/rankings.js'), 'rankings'],
  ['/results', () => import('./pages/results.js'), 'results'],
  ['/objections', () => import('./pages/objections.js'), 'objections'],
  ['/objections/:id', () => import('./pages/objections.js'), 'objection'],
  ['/login', () => import('./pages/auth.js'), 'login'],
  ['/signup', () => import('./pages/auth.js'), 'signup'],
  ['/me', () => import('./pages/portal.js'), 'portal'],
  ['/me/register', () => import('./pages/portal.js'), 'register'],
  ['/console/school', () => import('./pages/school.js'), 'school'],
  ['/admin/entrants', () => import('./pages/school.js'), 'school'],
  ['/console/city', () => import('./pages/city.js'), 'city'],
  ['/console/province', () => import('./pages/province.js'), 'province'],
  ['/console/publication', () => import('./pages/publication.js'), 'publication'],
  ['/console/report', () => import('./pages/report.js'), 'report'],
  ['/console/dashboard', () => import('./pages/dashboard.js'), 'dashboard'],
  ['/expert', () => import('./pages/expert.js'), 'expert'],
  ['/review', () => import('./pages/expert.js'), 'expert'],
  ['/experts/activate', () => import('./pages/expert.js'), 'activate'],
  ['/audit', () => import('./pages/audit.js'), 'audit'],
].map(([pattern, load, view]) => ({ pattern, load, view, re: new RegExp('^' + pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)') + '/?$') }));

/** Links per role, in the words of the notice. */
function navLinks() {
  const role = state.me?.role;
  const links = [
    ['/', 'nav.home'],
    ['/spaces', 'nav.showcase'],
    ['/rankings', 'nav.rankings'],
    ['/results', 'nav.results'],
  ];
  if (['teacher', 'student', 'education_worker'].includes(role)) links.push(['/me', 'nav.portal']);
  if (role === 'school_admin') links.push(['/console/school', 'nav.school']);
  if (role === 'city_admin') links.push(['/console/city', 'nav.city']);
  if (role === 'province_admin') links.push(['/console/province', 'nav.province'], ['/console/publication', 'nav.publication']);
  if (['province_admin', 'city_admin', 'auditor'].includes(role)) links.push(['/console/dashboard', 'nav.dashboard']);
  if (['province_admin', 'city_admin', 'county_admin', 'auditor'].includes(role)) links.push(['/console/report', 'nav.report']);
  if (role === 'expert') links.push(['/expert', 'nav.expert']);
  if (role === 'auditor') links.push(['/audit', 'nav.audit'], ['/objections', 'nav.objections']);
  return links;
}

function renderChrome() {
  const here = location.pathname;
  replace(
    document.getElementById('nav'),
    h('ul', {}, navLinks().map(([href, key]) => h('li', {}, h('a', { href, 'aria-current': (href === '/' ? here === '/' : here.startsWith(href)) ? 'page' : null }, t(key))))),
  );
  const who = document.getElementById('who');
  if (state.me) {
    replace(who,
      h('span', { class: 'me' }, `${state.me.displayName} · ${t(`role.${state.me.role}`)}`), ' ',
      h('button', { type: 'button', class: 'link-button', onclick: logout }, t('logout')),
    );
  } else {
    replace(who, h('a', { href: `/login?next=${encodeURIComponent(location.pathname + location.search)}` }, t('login')), ' ', h('a', { href: '/signup' }, t('signup')));
  }
  const langBtn = document.getElementById('lang');
  langBtn.textContent = lang() === 'en' ? '中文' : 'English';
  langBtn.lang = lang() === 'en' ? 'zh-CN' : 'en';
  langBtn.setAttribute('aria-label', lang() === 'en' ? '切换到中文' : 'Switch to English');
  const pick = document.getElementById('campaign-pick');
  if (state.campaigns.length > 1) {
    const sel = h('select', { id: 'campaign-select', onchange: (e) => chooseCampaign(e.target.value) },
      state.campaigns.map((c) => h('option', { value: c.id, selected: c.id === state.campaign?.id }, c.name)));
    replace(pick, h('label', { for: 'campaign-select' }, t('campaign')), ' ', sel);
  } else replace(pick);
}

function chooseCampaign(id) {
  state.campaign = state.campaigns.find((c) => c.id === id) ?? state.campaigns[0] ?? null;
  if (state.campaign) localStorage.setItem('campaign', state.campaign.id);
  render();
}

async function logout() {
  try {
    await api('POST', '/api/auth/logout');
  } catch {
    // the session may already be gone; the page forgets it either way
  }
  state.me = null;
  navigate('/');
}

export function setMe(account) {
  state.me = account;
}

/** Where a role starts after logging in. */
export function homeOf(role) {
  return (
    { school_admin: '/console/school', city_admin: '/console/city', province_admin: '/console/province', county_admin: '/console/report', auditor: '/audit', expert: '/expert', teacher: '/me', student: '/me', education_worker: '/me' }[role] ?? '/spaces'
  );
}

export function navigate(url, { replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

let cleanups = [];
let renderSeq = 0;

async function render({ quiet = false } = {}) {
  for (const fn of cleanups.splice(0)) fn();
  const seq = ++renderSeq;
  renderChrome();
  const main = document.getElementById('main');
  const path = location.pathname;
  const route = ROUTES.find((r) => r.re.test(path));
  const ctx = {
    params: route ? { ...path.match(route.re).groups } : {},
    query: new URLSearchParams(location.search),
    view: route?.view,
    state,
    cleanup: (fn) => cleanups.push(fn),
    /** Re-runs the current page (after an action that changed what it shows); quiet keeps focus where it is. */
    refresh: (opts) => render(opts),
    go: (url) => navigate(url),
    stale: () => seq !== renderSeq,
  };
  try {
    if (!route) throw new ApiError(404, 'PageNotFound', t('err.PageNotFound'));
    const mod = await route.load();
    const view = await mod.render(ctx);
    if (ctx.stale()) return;
    replace(main, view);
  } catch (err) {
    if (ctx.stale()) return;
    if (err instanceof ApiError && err.status === 401) {
      state.me = null;
      return navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replaceState: true });
    }
    replace(main, h('h1', {}, t('error')), h('p', { class: 'status fail', role: 'alert' }, errorText(err)));
  }
  const title = main.querySelector('h1');
  document.title = `${title?.textContent ?? ''} · ${t('brand')}`;
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  if (title) {
    title.tabIndex = -1;
    if (!firstRender && !quiet) title.focus({ preventScroll: false });
  }
  firstRender = false;
}
let firstRender = true;

document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (a.target || a.hasAttribute('download') || url.origin !== location.origin) return;
  if (/^\/(api|admin\/queues|dev)(\/|$)/.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

document.getElementById('lang').addEventListener('click', async () => {
  await setLang(lang() === 'en' ? 'zh' : 'en');
  render();
});

async function boot() {
  // ?campaign=<id> in a shared link picks the campaign (and is remembered) — stored before the
  // first await, so a visitor who moves on at once (to log in, say) keeps it.
  const link = new URLSearchParams(location.search);
  const fromLink = link.get('campaign') ?? link.get('campaignId') ?? location.pathname.match(/^\/campaigns\/([^/]+)/)?.[1];
  if (fromLink) localStorage.setItem('campaign', fromLink);
  const [, me, campaigns] = await Promise.all([
    loadLang(),
    // The readable csrf cookie lives exactly as long as the session: without it, nobody is logged in.
    cookie('csrf') ? api('GET', '/api/auth/me').catch(() => null) : null,
    api('GET', '/api/campaigns').catch(() => ({ items: [] })),
  ]);
  state.me = me;
  state.campaigns = campaigns.items;
  const saved = localStorage.getItem('campaign');
  state.campaign = state.campaigns.find((c) => c.id === saved) ?? state.campaigns[0] ?? null;
  await render();
}

boot();
