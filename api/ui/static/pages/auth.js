// 登录 and 注册账号.
import { api, errorText, field, h, options, showFieldErrors, statusLine } from '../lib.js';
import { t } from '../i18n.js';
import { homeOf, navigate, setMe } from '../app.js';

/** Only same-site paths are followed after login (no open redirect). */
function nextPath(query, role) {
  const next = query.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homeOf(role);
}

export async function render(ctx) {
  return ctx.view === 'signup' ? signup(ctx) : login(ctx);
}

function login(ctx) {
  const status = statusLine();
  const form = h('form', { class: 'narrow', onsubmit: async (e) => {
      e.preventDefault();
      status.clear();
      const data = Object.fromEntries(new FormData(form));
      try {
        const r = await api('POST', '/api/auth/login', { username: data.username, password: data.password });
        setMe(r.account);
        navigate(nextPath(ctx.query, r.account.role), { replaceState: true });
      } catch (err) {
        status.fail(err.status === 401 ? t('login.wrong') : errorText(err));
      }
    } },
    field(t('username'), { name: 'username', autocomplete: 'username', required: true, maxlength: 64 }),
    field(t('password'), { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit' }, t('login')),
    status.el,
  );
  return [
    h('h1', {}, t('login')),
    ctx.query.get('next') ? h('p', { class: 'muted' }, t('login.needed')) : null,
    form,
    h('p', {}, t('login.noAccount'), ' ', h('a', { href: '/signup' }, t('signup'))),
  ];
}

function signup(ctx) {
  const status = statusLine();
  const form = h('form', { class: 'narrow', onsubmit: async (e) => {
      e.preventDefault();
      status.clear();
      const data = Object.fromEntries(new FormData(form));
      const body = { username: data.username, password: data.password, displayName: data.displayName, role: data.role, ...(data.email ? { email: data.email } : {}) };
      try {
        await api('POST', '/api/accounts', body);
        const r = await api('POST', '/api/auth/login', { username: body.username, password: body.password });
        setMe(r.account);
        navigate(nextPath(ctx.query, r.account.role), { replaceState: true });
      } catch (err) {
        showFieldErrors(form, err);
        status.fail(errorText(err));
      }
    } },
    field(t('signup.role'), h('select', { name: 'role', required: true }, options(['teacher', 'student', 'education_worker', 'voter'].map((r) => [r, t(`role.${r}`)]), 'teacher'))),
    field(t('username'), { name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 64, pattern: '[A-Za-z0-9_.@\\-]{3,64}' }, t('signup.usernameHint')),
    field(t('displayName'), { name: 'displayName', autocomplete: 'name', required: true, maxlength: 50 }),
    field(t('email'), { name: 'email', type: 'email', autocomplete: 'email' }, t('signup.emailHint')),
    field(t('password'), { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 }, t('signup.passwordHint')),
    h('button', { type: 'submit' }, t('signup')),
    status.el,
  );
  return [h('h1', {}, t('signup')), form, h('p', {}, t('signup.have'), ' ', h('a', { href: '/login' }, t('login')))];
}
