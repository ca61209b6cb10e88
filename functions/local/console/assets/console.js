// Tributary console: renders the live overview (server-sent events), runs actions and searches.
// Plain browser JavaScript, served by the Tributary server itself; every text goes in via textContent.
/* global document, window, location, history, EventSource, fetch, URL, URLSearchParams, Node, setInterval, setTimeout, clearTimeout */
'use strict';

const CSRF = document.querySelector('meta[name="tributary-csrf"]').content;
const DESTRUCTIVE = new Set(['resync', 'reset', 'repair', 'discard']);
const SVG = 'http://www.w3.org/2000/svg';
let overview = null;
let receivedAt = Date.now();

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function ago(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
function until(iso) {
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (s <= 0) return 'due now';
  if (s < 90) return `in ${s}s`;
  if (s < 5400) return `in ${Math.round(s / 60)} min`;
  return `in ${Math.round(s / 3600)} h`;
}
const seconds = (ms) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)}s`);
const usd = (n) => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(4)}`;
const num = (n) => Number(n).toLocaleString('en');

/** The source's one-word state, its severity, and why. */
function health(src) {
  const r = src.report;
  if (r.breaker) return ['Breaker tripped', 'bad'];
  if (r.lastError) return ['Failing', 'bad'];
  if (r.lastRun && r.lastRun.taskError) return ['Tasks failing', 'bad'];
  if (r.running) return ['Syncing', 'warn'];
  if (r.lagSeconds === null) return ['Never synced', 'bad'];
  if (r.stale) return ['Stale', 'bad'];
  if (r.docsSkipped > 0) return ['Skipping documents', 'warn'];
  return ['Healthy', 'ok'];
}

// ───────────── actions ─────────────

function toast(message, isError) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = `show${isError ? ' error' : ''}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; }, isError ? 12000 : 6000);
}

/** Asks for the target typed out; resolves with it, or null when cancelled. */
function confirmTyped(title, text, target) {
  const dialog = document.getElementById('confirm');
  const input = document.getElementById('confirm-input');
  const ok = document.getElementById('confirm-ok');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-target').textContent = target;
  input.value = '';
  ok.disabled = true;
  input.oninput = () => { ok.disabled = input.value !== target; };
  return new Promise((resolve) => {
    dialog.onclose = () => resolve(dialog.returnValue === 'ok' && input.value === target ? input.value : null);
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

const WHAT = {
  sync: 'Sync now', resync: 'Full resync', reset: 'Reset', audit: 'Audit', repair: 'Audit and repair', redrive: 'Redrive', discard: 'Discard',
};
const WHY = {
  resync: 'Re-reads every document of the source. Unchanged ones are not re-embedded, but the whole source is listed and compared.',
  reset: 'Removes every vector of the source and forgets its cursor and ledger. Search will not find it until the next sync re-indexes it.',
  repair: 'Deletes vectors no document owns and re-fetches every document the audit finds out of step.',
  discard: 'Deletes these dead-lettered tasks for good. Their documents are decided again by the next sync.',
};

async function act(action, button) {
  const target = action.sourceId || action.queue;
  const body = { ...action };
  if (DESTRUCTIVE.has(action.kind)) {
    const typed = await confirmTyped(`${WHAT[action.kind]}: ${target}`, WHY[action.kind], target);
    if (typed === null) return;
    body.confirm = typed;
  }
  if (button) button.disabled = true;
  try {
    const res = await fetch('/console/api/actions', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-tributary-csrf': CSRF }, body: JSON.stringify(body),
    });
    const out = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(out.error || `the server answered ${res.status}`);
    toast(out.message, false);
  } catch (error) {
    toast(`${WHAT[action.kind]} failed: ${error.message}`, true);
  } finally {
    if (button) button.disabled = false;
  }
}

function actionButton(kind, action, label) {
  const b = h('button', { type: 'button', class: DESTRUCTIVE.has(kind) ? 'danger' : kind === 'sync' ? 'primary' : '', 'data-key': `${kind}:${action.sourceId || action.queue}:${(action.ids || []).join(',')}` }, label || WHAT[kind]);
  b.addEventListener('click', () => act({ kind, ...action }, b));
  return b;
}

// ───────────── sources ─────────────

function renderSource(src) {
  const r = src.report;
  const [state, level] = health(src);
  const run = src.runs[0];
  const problems = [r.lastError && `Last error: ${r.lastError} (${r.consecutiveFailures} failure${r.consecutiveFailures === 1 ? '' : 's'} in a row)`, r.breaker,
    r.lastRun && r.lastRun.taskError && `Embed tasks given up: ${r.lastRun.taskError}`].filter(Boolean);
  const watcher = src.feeds.watcher;
  const can = new Set(overview.actions);
  const card = h('article', { class: `card ${level}`, 'aria-labelledby': `src-${r.id}` },
    h('header', {}, h('h3', { id: `src-${r.id}` }, `${r.id} `, h('span', { class: 'meta' }, src.kind)), h('span', { class: `badge ${level}` }, state)),
    h('dl', {},
      h('dt', {}, 'Freshness'), h('dd', {}, r.lagSeconds === null ? 'never completed a pass' : `checkpoint ${ago(r.watermark)}; SLO ${r.freshnessSloMinutes} min${r.stale ? ' — over the SLO' : ''}`),
      h('dt', {}, 'Last sync'), h('dd', {}, src.lastSyncAt ? `${ago(src.lastSyncAt)}${run ? ` (${run.trigger})` : ''}` : 'never'),
      h('dt', {}, 'Documents'), h('dd', {}, src.documents === null ? '—' : num(src.documents)),
      h('dt', {}, 'Last run'), h('dd', {}, run ? `${run.trigger}, ${run.status}, ${seconds(run.durationMs)}: ${run.docsChanged} changed, ${run.docsDeleted} deleted, ${run.chunksEmbedded} chunks, ${num(run.tokensEmbedded)} tokens, ${usd(run.estimatedCostUsd)}` : 'none yet'),
      h('dt', {}, 'Next run'), h('dd', {}, src.nextRunAt ? `${until(src.nextRunAt)} (${src.schedule})` : `${src.schedule}${overview.mode === 'store' ? ' — no runtime here runs it' : ''}`),
      h('dt', {}, 'Watcher'), h('dd', {}, `${watcher.state}${watcher.detail ? ` — ${watcher.detail}` : ''}`),
      h('dt', {}, 'Webhook'), h('dd', {}, src.feeds.webhook ? `POST ${src.feeds.webhook.path}` : 'not configured'),
    ),
    problems.length ? h('ul', { class: 'problems' }, problems.map((p) => h('li', {}, p))) : null,
    r.docsSkipped > 0 || r.warnings.length > 0 ? h('details', { 'data-key': `skipped:${r.id}` },
      h('summary', {}, `${r.docsSkipped} skipped document${r.docsSkipped === 1 ? '' : 's'}${r.warnings.length ? `, ${r.warnings.length} with warnings` : ''}`),
      h('p', { class: 'meta' }, 'Skipped documents keep their vectors (if they had any) and are tried again by every sync.'),
      h('ul', {}, r.skipped.map((i) => h('li', {}, h('code', {}, i.id), `: ${i.reason}`)), r.warnings.map((i) => h('li', {}, 'warning ', h('code', {}, i.id), `: ${i.reason}`)))) : null,
    src.profiles ? h('div', { class: 'scroll' }, h('table', {}, h('caption', { class: 'meta' }, 'Index profiles'),
      h('thead', {}, h('tr', {}, ['profile', 'target', 'model', 'documents', 'checkpoint', 'last run'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, src.profiles.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.target), h('td', {}, `${p.model} (${p.dimensions})`), h('td', {}, num(p.documents)),
        h('td', {}, ago(p.watermark)), h('td', {}, p.lastRun ? `${p.lastRun.docsChanged} changed, ${num(p.lastRun.tokensEmbedded)} tokens, ${usd(p.lastRun.estimatedCostUsd)}` : '—')))))) : null,
    h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${r.id}` },
      ['sync', 'resync', 'audit', 'repair', 'reset'].filter((k) => can.has(k)).map((k) => actionButton(k, { sourceId: r.id }))),
  );
  return card;
}

// ───────────── charts ─────────────

function chart(title, runs, value, format) {
  const W = 300; const H = 100; const pad = 14;
  const values = runs.map(value);
  const max = Math.max(...values, 0);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const latest = values.length ? format(values[values.length - 1]) : 'no runs';
  svg.setAttribute('aria-label', `${title} over the last ${runs.length} runs: latest ${latest}, highest ${format(max)}`);
  const bw = runs.length ? (W - 2 * pad) / runs.length : 0;
  runs.forEach((run, i) => {
    const v = values[i];
    const bh = max > 0 ? (v / max) * (H - 2 * pad) : 0;
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('class', `bar${run.status === 'failed' ? ' failed' : ''}`);
    rect.setAttribute('x', String(pad + i * bw + 1));
    rect.setAttribute('y', String(H - pad - bh));
    rect.setAttribute('width', String(Math.max(1, bw - 2)));
    rect.setAttribute('height', String(Math.max(bh, v > 0 ? 1 : 0)));
    const tip = document.createElementNS(SVG, 'title');
    tip.textContent = `${run.startedAt} (${run.trigger}, ${run.status}): ${format(v)}`;
    rect.append(tip);
    svg.append(rect);
  });
  const label = (x, y, text, anchor) => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(x)); t.setAttribute('y', String(y));
    if (anchor) t.setAttribute('text-anchor', anchor);
    t.textContent = text;
    svg.append(t);
  };
  label(pad, 10, `max ${format(max)}`);
  if (runs.length) {
    label(pad, H - 2, new Date(runs[0].startedAt).toLocaleString());
    label(W - pad, H - 2, 'now', 'end');
  }
  return h('figure', {}, svg, h('figcaption', {}, `${title} — latest ${latest}`));
}

function renderHistory() {
  const select = document.getElementById('history-source');
  const chosen = select.value || (overview.sources[0] && overview.sources[0].report.id);
  const ids = overview.sources.map((s) => s.report.id);
  if ([...select.options].map((o) => o.value).join() !== ids.join()) {
    select.replaceChildren(...ids.map((id) => h('option', { value: id }, id)));
  }
  select.value = chosen || '';
  const src = overview.sources.find((s) => s.report.id === select.value);
  const runs = src ? [...src.runs].reverse() : [];
  document.getElementById('charts').replaceChildren(
    chart('Duration', runs, (r) => (r.durationMs || 0) / 1000, (v) => `${v.toFixed(1)}s`),
    chart('Tokens embedded', runs, (r) => r.tokensEmbedded, num),
    chart('Cost', runs, (r) => r.estimatedCostUsd, usd),
    chart('Documents changed or deleted', runs, (r) => r.docsChanged + r.docsDeleted, num),
  );
  document.querySelector('#runs tbody').replaceChildren(...(src ? src.runs : []).map((r) => h('tr', {},
    h('td', {}, new Date(r.startedAt).toLocaleString()), h('td', {}, r.trigger), h('td', { class: 'wrap' }, r.error ? `${r.status}: ${r.error}` : r.status),
    h('td', {}, seconds(r.durationMs)), h('td', {}, num(r.docsChanged)), h('td', {}, num(r.docsDeleted)), h('td', {}, num(r.chunksEmbedded)),
    h('td', {}, num(r.tokensEmbedded)), h('td', {}, usd(r.estimatedCostUsd)))));
}

// ───────────── dead letters ─────────────

function renderDeadLetters() {
  const list = document.getElementById('dead-list');
  const letters = overview.deadLetters;
  const can = new Set(overview.actions);
  if (letters.length === 0) {
    list.replaceChildren(h('p', {}, 'No dead-lettered tasks.'));
    return;
  }
  const queues = [...new Set(letters.map((d) => d.queue))];
  list.replaceChildren(
    h('p', { class: 'meta' }, 'Tasks given up after their retries. Redrive sends one back to its queue (after fixing the cause); discard drops it.'),
    h('div', { class: 'actions' }, queues.flatMap((q) => [
      can.has('redrive') ? actionButton('redrive', { queue: q }, `Redrive all ${q}`) : null,
      can.has('discard') ? actionButton('discard', { queue: q }, `Discard all ${q}`) : null])),
    h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['queue', 'source', 'task', 'reason', 'dead since', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, letters.map((d) => h('tr', {},
        h('td', {}, d.queue), h('td', {}, d.sourceId || '—'), h('td', { class: 'wrap' }, d.task), h('td', { class: 'wrap' }, d.reason || 'unknown'),
        h('td', {}, d.deadAt ? ago(d.deadAt) : '—'),
        h('td', { class: 'wrap' }, h('details', { 'data-key': `dl:${d.queue}:${d.id}` }, h('summary', {}, 'Inspect'), h('pre', {}, d.body)),
          h('div', { class: 'actions' },
            can.has('redrive') && d.redrivable ? actionButton('redrive', { queue: d.queue, ids: [d.id] }) : null,
            can.has('discard') && d.id ? actionButton('discard', { queue: d.queue, ids: [d.id] }) : null))))))),
  );
}

// ───────────── overview ─────────────

function render() {
  if (!overview) return;
  // Re-rendering keeps keyboard focus and open details where they were.
  const focused = document.activeElement && document.activeElement.getAttribute('data-key');
  const open = new Set([...document.querySelectorAll('details[open][data-key]')].map((d) => d.getAttribute('data-key')));
  const modes = { runtime: 'served by tributary start', store: 'tributary console over the state folder (no runtime)', aws: 'the deployed stack' };
  document.getElementById('where').textContent = `${modes[overview.mode]} · ${overview.where}`;
  const bad = overview.sources.filter((s) => health(s)[1] === 'bad').length;
  const cost = overview.sources.reduce((n, s) => n + s.runs.reduce((m, r) => m + r.estimatedCostUsd, 0), 0);
  const tokens = overview.sources.reduce((n, s) => n + s.runs.reduce((m, r) => m + r.tokensEmbedded, 0), 0);
  document.getElementById('summary').textContent = `${overview.sources.length} source${overview.sources.length === 1 ? '' : 's'}: ${bad === 0 ? 'all healthy' : `${bad} need${bad === 1 ? 's' : ''} a look`}. `
    + `Recent runs embedded ${num(tokens)} tokens for ${usd(cost)}. ${overview.deadLetters.length} dead letter${overview.deadLetters.length === 1 ? '' : 's'}.`;
  const q = overview.queues;
  document.getElementById('queues').textContent = `fetch ${q.fetch.visible} waiting, ${q.fetch.inFlight} in flight · embed ${q.embed.visible} waiting, ${q.embed.inFlight} in flight`;
  document.getElementById('source-list').replaceChildren(...overview.sources.map(renderSource));
  renderHistory();
  renderDeadLetters();
  const filter = document.getElementById('source');
  const ids = overview.sources.map((s) => s.report.id);
  if ([...filter.options].slice(1).map((o) => o.value).join() !== ids.join()) {
    const keep = filter.value || new URLSearchParams(location.search).get('source') || '';
    filter.replaceChildren(h('option', { value: '' }, 'All sources'), ...ids.map((id) => h('option', { value: id }, id)));
    filter.value = keep;
  }
  for (const d of document.querySelectorAll('details[data-key]')) if (open.has(d.getAttribute('data-key'))) d.open = true;
  if (focused) {
    const again = [...document.querySelectorAll('[data-key]')].find((e) => e.getAttribute('data-key') === focused);
    if (again) again.focus();
  }
}

function connect() {
  const live = document.getElementById('live');
  const events = new EventSource('/console/api/events');
  events.addEventListener('overview', (e) => {
    overview = JSON.parse(e.data);
    receivedAt = Date.now();
    live.textContent = `live · updated ${new Date(receivedAt).toLocaleTimeString()}`;
    render();
  });
  events.addEventListener('failure', (e) => { live.textContent = `could not read the state: ${JSON.parse(e.data).error}`; });
  events.onerror = () => { live.textContent = 'connection lost; reconnecting…'; };
}

// ───────────── search ─────────────

function terms(query) {
  return [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 1))];
}

/** A window of the text around the first match, with every match marked. */
function snippet(text, words) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const lower = flat.toLowerCase();
  const first = Math.min(...words.map((w) => lower.indexOf(w)).filter((i) => i >= 0), Infinity);
  const start = Number.isFinite(first) ? Math.max(0, first - 80) : 0;
  const part = (start > 0 ? '…' : '') + flat.slice(start, start + 280) + (start + 280 < flat.length ? '…' : '');
  const p = h('p', {});
  if (words.length === 0) { p.textContent = part; return p; }
  const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  let last = 0;
  for (const m of part.matchAll(re)) {
    p.append(part.slice(last, m.index), h('mark', {}, m[0]));
    last = m.index + m[0].length;
  }
  p.append(part.slice(last));
  return p;
}

function safeUrl(url) {
  try { const u = new URL(url); return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null; } catch { return null; }
}

function context(result, meta) {
  if (typeof result.context === 'string' && result.context) return result.context;
  if (!meta) return null;
  for (const key of ['headingPath', 'headings', 'breadcrumb', 'path']) {
    const v = meta[key];
    if (Array.isArray(v) && v.length) return v.join(' › ');
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

async function search(push) {
  const q = document.getElementById('q').value.trim();
  const source = document.getElementById('source').value;
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (source) params.set('source', source);
  const url = `${location.pathname}${params.toString() ? `?${params}` : ''}#search`;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
  const out = document.getElementById('results');
  if (!q) { out.replaceChildren(); return; }
  out.replaceChildren(h('p', { class: 'meta' }, 'Searching…'));
  try {
    const res = await fetch(`/console/api/search?${params}`);
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
    const words = terms(q);
    const hits = body.results.map((r) => {
      const meta = r.metadata || {};
      const title = r.title || meta.title || r.docId;
      const href = r.url ? safeUrl(r.url) : null;
      const where = context(r, meta);
      return h('article', { class: r.weak ? 'hit weak' : 'hit' },
        h('h3', {}, href ? h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, title) : title),
        h('p', { class: 'meta' }, `${r.sourceId} · ${r.docId}${where ? ` · ${where}` : ''} · chunk ${r.chunkIndex} · score ${r.score.toFixed(3)}${r.weak ? ' · weak match (below the relevance floor)' : ''}`),
        snippet(r.text || '', words));
    });
    out.replaceChildren(h('p', { class: 'meta' }, `${hits.length} result${hits.length === 1 ? '' : 's'} for “${q}”${source ? ` in ${source}` : ''}`), ...hits);
  } catch (error) {
    out.replaceChildren(h('p', { class: 'problems' }, `Search failed: ${error.message}`));
  }
}

function restoreSearch() {
  const params = new URLSearchParams(location.search);
  document.getElementById('q').value = params.get('q') || '';
  const filter = document.getElementById('source');
  const source = params.get('source') || '';
  if (source && ![...filter.options].some((o) => o.value === source)) filter.append(h('option', { value: source }, source));
  filter.value = source;
  if (params.get('q')) void search(false);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search-form').addEventListener('submit', (e) => { e.preventDefault(); void search(true); });
  document.getElementById('history-source').addEventListener('change', renderHistory);
  window.addEventListener('popstate', restoreSearch);
  restoreSearch();
  connect();
  // Relative times ("3 min ago") move on between updates.
  setInterval(render, 15000);
});
