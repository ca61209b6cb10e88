import type { StatusReport } from './status.ts';

/** Skipped documents and warnings listed per source (the JSON at /status has up to 100). */
const MAX_LISTED = 20;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function ago(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

/** A small self-contained status page with a search box (no external assets). */
export function renderStatusPage(status: StatusReport): string {
  const rows = status.sources.map((s) => `
      <tr class="${s.healthy ? 'ok' : 'bad'}">
        <td>${esc(s.id)}</td><td>${esc(s.kind)}</td><td>${s.documents}</td>
        <td>${esc(ago(s.lagSeconds))}${s.stale ? ' <b>(stale)</b>' : ''}</td>
        <td>${s.running ? 'running' : esc(s.lastRun?.status ?? '—')}</td>
        <td>${s.lastRun ? `${s.lastRun.docsChanged} changed, ${s.lastRun.docsDeleted} deleted, ${s.lastRun.chunksEmbedded} embedded` : '—'}</td>
        <td>${esc([
          s.lastError ?? '', s.breaker ?? '', s.consecutiveFailures > 0 ? `${s.consecutiveFailures} failures in a row` : '',
          s.lastRun?.taskError ?? '', s.docsSkipped > 0 ? `${s.docsSkipped} document${s.docsSkipped === 1 ? '' : 's'} skipped` : '',
          s.warnings.length > 0 ? `${s.warnings.length} with warnings` : '',
        ].filter(Boolean).join(' · ') || '—')}</td>
      </tr>${(s.profiles ?? []).map((p) => `
      <tr class="profile"><td>&nbsp;↳ ${esc(p.name)}</td><td>${esc(p.target)}</td><td>${p.documents}</td><td>${esc(ago(p.lagSeconds))}</td>
        <td>${esc(p.model)} (${p.dimensions})</td>
        <td>${p.lastRun ? `${p.lastRun.docsChanged} changed, ${p.lastRun.chunksEmbedded} embedded, ${p.lastRun.tokensEmbedded} tokens` : '—'}</td><td></td></tr>`).join('')}`).join('');
  const issues = status.sources.flatMap((s) => [
    ...s.skipped.slice(0, MAX_LISTED).map((i) => `<li><b>${esc(s.id)}</b> skipped <code>${esc(i.id)}</code>: ${esc(i.reason)}</li>`),
    ...(s.docsSkipped > Math.min(s.skipped.length, MAX_LISTED) ? [`<li><b>${esc(s.id)}</b>: ${s.docsSkipped - Math.min(s.skipped.length, MAX_LISTED)} more skipped</li>`] : []),
    ...s.warnings.slice(0, MAX_LISTED).map((i) => `<li><b>${esc(s.id)}</b> warning <code>${esc(i.id)}</code>: ${esc(i.reason)}</li>`),
  ]);
  const skippedSection = issues.length === 0 ? '<p>No document skipped.</p>'
    : `<p>Skipped documents keep their vectors (if they had any) and are tried again by every sync.</p><ul>${issues.join('')}</ul>`;
  const dead = status.deadLetters.length === 0 ? '<p>No dead-lettered tasks.</p>'
    : `<ul>${status.deadLetters.map((d) => `<li>${esc(d.queue)}: ${esc(d.reason)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tributary</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
 table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
 tr.bad td:first-child{border-left:4px solid #c33} tr.ok td:first-child{border-left:4px solid #3a3}
 input{font-size:1rem;padding:.3rem;width:30rem;max-width:100%} .hit{margin:.6rem 0;padding:.5rem;background:#f6f6f6}
 .meta{color:#666;font-size:12px} pre{white-space:pre-wrap;margin:.3rem 0}
</style></head><body>
<h1>Tributary</h1>
<p class="meta">Generated ${esc(status.generatedAt)} · fetch queue ${status.queues.fetch.visible}+${status.queues.fetch.inFlight} in flight · embed queue ${status.queues.embed.visible}+${status.queues.embed.inFlight} in flight</p>
<table><thead><tr><th>source</th><th>kind</th><th>documents</th><th>last sync</th><th>state</th><th>last run</th><th>problems</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Skipped documents</h2>${skippedSection}
<h2>Dead letters</h2>${dead}
<h2>Search</h2>
<form id="f"><input id="q" name="q" placeholder="search the index" autofocus> <button>Search</button></form>
<div id="results"></div>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value;
  const res = await fetch('/search?top=10&q=' + encodeURIComponent(q));
  const body = await res.json();
  const out = document.getElementById('results');
  out.textContent = '';
  for (const r of body.results || []) {
    const div = document.createElement('div'); div.className = 'hit';
    const meta = document.createElement('div'); meta.className = 'meta';
    meta.textContent = r.sourceId + ' · ' + r.docId + ' #' + r.chunkIndex + ' · score ' + r.score.toFixed(3);
    const pre = document.createElement('pre'); pre.textContent = r.text.slice(0, 600);
    div.append(meta, pre); out.append(div);
  }
  if (!out.children.length) out.textContent = 'No results.';
});
</script>
</body></html>`;
}
