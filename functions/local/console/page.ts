const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The console's page: a shell the script fills from the live overview. Every asset comes from
 * this server (no CDN); the search form works as a plain GET too, so the query is in the URL.
 */
export function renderConsolePage(input: { csrf: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tributary console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tributary-csrf" content="${esc(input.csrf)}">
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js" defer></script>
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>Tributary</h1>
  <p id="where" class="meta">Loading…</p>
  <p id="live" class="meta" role="status" aria-live="polite">connecting…</p>
  <nav aria-label="Sections"><a href="#sources">Sources</a> <a href="#history">Run history</a> <a href="#dead">Dead letters</a> <a href="#search">Search</a></nav>
</header>
<main id="main">
<section id="sources" aria-labelledby="h-sources">
  <h2 id="h-sources">Sources</h2>
  <p id="summary"></p>
  <p class="meta">Queues: <span id="queues">—</span></p>
  <div id="source-list" class="cards"></div>
</section>
<section id="history" aria-labelledby="h-history">
  <h2 id="h-history">Run history</h2>
  <p><label for="history-source">Source</label> <select id="history-source"></select></p>
  <div id="charts" class="charts"></div>
  <div class="scroll"><table id="runs"><caption class="sr-only">Latest runs, newest first</caption>
    <thead><tr><th scope="col">started</th><th scope="col">trigger</th><th scope="col">status</th><th scope="col">duration</th><th scope="col">changed</th><th scope="col">deleted</th><th scope="col">chunks</th><th scope="col">tokens</th><th scope="col">cost</th></tr></thead>
    <tbody></tbody></table></div>
</section>
<section id="dead" aria-labelledby="h-dead">
  <h2 id="h-dead">Dead letters</h2>
  <div id="dead-list"></div>
</section>
<section id="search" aria-labelledby="h-search">
  <h2 id="h-search">Search</h2>
  <form id="search-form" role="search" action="/" method="get">
    <label for="q">Query</label> <input id="q" name="q" type="search" autocomplete="off">
    <label for="source">Source</label> <select id="source" name="source"><option value="">All sources</option></select>
    <button type="submit">Search</button>
  </form>
  <div id="results" aria-live="polite"></div>
</section>
</main>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <form method="dialog">
    <h2 id="confirm-title">Confirm</h2>
    <p id="confirm-text"></p>
    <p><label for="confirm-input">Type <code id="confirm-target"></code> to confirm</label><br>
    <input id="confirm-input" autocomplete="off" spellcheck="false"></p>
    <p class="buttons"><button value="cancel" type="submit">Cancel</button> <button id="confirm-ok" value="ok" type="submit" class="danger" disabled>Confirm</button></p>
  </form>
</dialog>
<div id="toast" role="status" aria-live="polite"></div>
</body></html>`;
}
