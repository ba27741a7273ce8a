// Small helpers shared by every page: DOM building (text only, never HTML strings, so no
// injection), the API client (cookie session + CSRF header), dates in Asia/Shanghai, forms.
import { lang, stateLabel, t } from './i18n.js';

/** h('a', { href: '/x', class: 'c', onclick: fn }, 'text', child) */
export function h(tag, props, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (!svg && k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function cookie(name) {
  const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : undefined;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** JSON over fetch; refusals become ApiError with the API's code, message and field details. */
export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (UNSAFE.has(method)) init.headers['X-CSRF-Token'] = cookie('csrf') ?? '';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'Network', t('err.Network'));
  }
  return answer(res.status, res.statusText, res.status === 204 ? '' : await res.text());
}

function answer(status, statusText, text) {
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a proxy's error page): keep the status
  }
  if (status >= 200 && status < 300) return data ?? undefined;
  const e = data?.error;
  throw new ApiError(status, e?.code ?? `Http${status}`, e?.message ?? statusText, e?.details);
}

/** A multipart upload with progress (fetch cannot report upload progress; XHR can). */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', cookie('csrf') ?? '');
    xhr.upload.onprogress = (ev) => ev.lengthComputable && onProgress(ev.loaded / ev.total);
    xhr.onerror = () => reject(new ApiError(0, 'Network', t('err.Network')));
    xhr.onload = () => {
      try {
        resolve(answer(xhr.status, xhr.statusText, xhr.responseText));
      } catch (err) {
        reject(err);
      }
    };
    xhr.send(formData);
  });
}

/** The message a person reads for a refusal: ours for known codes, then the server's words. */
export function errorText(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  const key = `err.${err.code}`;
  const ours = t(key);
  return ours === key ? err.message : ours;
}

// Every time on screen is Asia/Shanghai, the campaign's clock, whatever the device says.
const TZ = 'Asia/Shanghai';
export function fmtTime(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}
export function fmtDay(iso) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
/** A datetime-local value (read as Asia/Shanghai wall time) to an ISO instant. */
export function shanghaiInstant(local) {
  return `${local.length === 16 ? local + ':00' : local}+08:00`;
}
/** An ISO instant to a datetime-local value in Asia/Shanghai. */
export function shanghaiLocal(iso) {
  const shifted = new Date(Date.parse(iso) + 8 * 3600_000);
  return shifted.toISOString().slice(0, 16);
}
export function pct(x) {
  return x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`;
}

/** Remaining time as "3天 04:05:06"; the server's clock decides, not the device's. */
export function remaining(ms) {
  if (ms <= 0) return t('countdown.passed');
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d > 0 ? t('countdown.days', { d }) + ' ' : ''}${hh}:${mm}:${ss}`;
}

/**
 * A live countdown element to `atIso`, corrected by the server's `nowIso` at fetch time.
 * It updates once a second and stops when the page is left (ctx.cleanup).
 */
export function countdown(ctx, atIso, nowIso) {
  const skew = nowIso ? Date.parse(nowIso) - Date.now() : 0;
  const el = h('time', { class: 'countdown', datetime: atIso });
  const tick = () => (el.textContent = remaining(Date.parse(atIso) - (Date.now() + skew)));
  tick();
  const timer = setInterval(tick, 1000);
  ctx.cleanup(() => clearInterval(timer));
  return el;
}

let toastTimer;
/** A polite live-region message for the result of an action. */
export function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.className = `toast show ${kind}`;
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), 6000);
}

/** An inline status line for a form or button: role=status (ok) or role=alert (refusal). */
export function statusLine() {
  const el = h('p', { class: 'status', 'aria-live': 'polite' });
  return {
    el,
    ok(msg) {
      el.className = 'status ok';
      el.setAttribute('role', 'status');
      el.textContent = msg;
    },
    fail(msg) {
      el.className = 'status fail';
      el.setAttribute('role', 'alert');
      el.textContent = msg;
    },
    clear() {
      el.className = 'status';
      el.textContent = '';
    },
  };
}

let fieldSeq = 0;
/** A labelled input; `input` is an element built by the caller or an input's props. */
export function field(label, input, hint) {
  const el = input instanceof Node ? input : h('input', input);
  if (!el.id) el.id = `f${++fieldSeq}`;
  const hintEl = hint ? h('small', { id: `${el.id}-hint`, class: 'hint' }, hint) : null;
  const errEl = h('small', { id: `${el.id}-err`, class: 'field-error' });
  el.setAttribute('aria-describedby', [hintEl?.id, errEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: el.id }, label), el, hintEl, errEl);
}

/** Shows the API's per-field details beside the fields (body.x → the element named x). */
export function showFieldErrors(form, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  let first;
  for (const d of Array.isArray(err?.details) ? err.details : []) {
    const name = String(d.path ?? '').replace(/^body\./, '').split('.')[0];
    const input = name && form.elements.namedItem(name);
    if (!(input instanceof Element)) continue;
    input.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(`${input.id}-err`);
    if (slot) slot.textContent = d.message;
    first ??= input;
  }
  first?.focus();
}

export function options(items, selected, placeholder) {
  return [
    placeholder === undefined ? null : h('option', { value: '' }, placeholder),
    ...items.map(([value, label]) => h('option', { value: String(value), selected: String(value) === String(selected ?? '') }, label)),
  ];
}

/** A modal confirmation (native <dialog>: focus trap and Esc for free). Resolves true or false. */
export function confirmDialog(title, body, confirmLabel, extra) {
  return new Promise((resolve) => {
    const dlg = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'dlg-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dlg-title' }, title),
        ...(Array.isArray(body) ? body : [body]).map((p) => (p instanceof Node ? p : h('p', {}, p))),
        extra ?? null,
        h('div', { class: 'actions' },
          h('button', { value: 'cancel', type: 'submit', class: 'secondary', formnovalidate: true }, t('cancel')),
          h('button', { value: 'ok', type: 'submit', class: 'danger' }, confirmLabel),
        ),
      ),
    );
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(dlg.returnValue === 'ok');
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

export function table(head, rows, caption) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption ?? head.join(' ') },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows),
    ),
  );
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

/** Who decided what, when and why: an entrant's (or nomination's) trail as a table. */
export function decisionsTable(decisions, caption, label = stateLabel) {
  if (!decisions.length) return h('p', { class: 'muted' }, t('portal.noDecisions'));
  return table(
    [t('when'), t('portal.change'), t('who'), t('why')],
    decisions.map((d) => h('tr', {},
      h('td', {}, fmtTime(d.at)),
      h('td', {}, `${label(d.from)} → ${label(d.to)}`),
      h('td', {}, [d.by.name, t(`role.${d.by.role}`)].filter(Boolean).join(' · ')),
      h('td', {}, d.reason ?? '—'))),
    caption,
  );
}
