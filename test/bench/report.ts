/**
 * The benchmark's outputs: a Markdown report (tables) and an SVG chart of tokens embedded and
 * wall time per scenario and system. Pure functions of a BenchResult.
 */
import { MAX_INPUTS_PER_REQUEST } from './counting-embedder.ts';
import { SCENARIO_IDS, type BenchResult, type Correctness, type ScenarioId, type StepMetrics, type SystemId } from './types.ts';

export const SYSTEM_LABELS: Readonly<Record<SystemId, string>> = {
  tributary: 'Tributary',
  'langchain-incremental': 'LangChain incremental',
  'langchain-full': 'LangChain full',
  llamaindex: 'LlamaIndex',
  naive: 'Naive',
};

export const SCENARIO_LABELS: Readonly<Record<ScenarioId, string>> = {
  initial: 'initial sync',
  'no-change': 'no change',
  'edit-small': '1% small edits',
  'edit-insert-top': '1% paragraph near top',
  delete: '0.5% deleted',
  add: '1% added',
  rename: '1% renamed',
  mixed: 'mixed day',
};

/** What each system is, what it stores where, and how it decides what changed. */
export const SYSTEM_NOTES: Readonly<Record<SystemId, string>> = {
  tributary: '`tributary sync` in process: ledger, cursors, run records, embedding cache and the FIFO task queues in one SQLite file on disk (WAL), vectors in LanceDB on disk. Skips files by mtime+size, then by content hash; writes only chunks whose position or text changed; embeds only chunk texts it never embedded (cache by chunk hash).',
  'langchain-incremental': '`index()` of @langchain/core 1.4 with `cleanup: "incremental"`, `sourceIdKey: "source"`, default batch size 100. Record manager and vector store in memory (implementations of LangChain\'s abstract `RecordManager` and `VectorStore`; @langchain/core ships no concrete ones). Receives every chunk on every sync and skips those whose content+metadata hash it recorded.',
  'langchain-full': 'The same with `cleanup: "full"`: after indexing, deletes every record not seen in this sync.',
  llamaindex: '`IngestionPipeline` of llamaindex 0.12.1 with `SimpleDocumentStore`, `SimpleVectorStore` (both in memory), `DocStoreStrategy.UPSERTS_AND_DELETE`, default ingestion cache, `embedBatchSize` 100. Receives every document on every sync; a document whose hash changed is deleted from the vector store and split and embedded again in full.',
  naive: 'Re-reads, re-chunks and re-embeds everything on every sync; upserts every vector by `<path>#<index>` and deletes ids no longer produced. In-memory map.',
};

const num = (n: number): string => Math.round(n).toLocaleString('en-US');

function ms(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  if (n >= 1_000) return `${(n / 1000).toFixed(2)} s`;
  return `${Math.round(n)} ms`;
}

function duration(n: number): string {
  const s = Math.round(n / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `a ÷ b` as a factor, with 0 ÷ 0 shown as equal and x ÷ 0 as unbounded. */
export function ratio(a: number, b: number): string {
  if (b === 0) return a === 0 ? 'both 0' : '∞';
  const r = a / b;
  if (r === 0) return '0×';
  if (r >= 100) return `${Math.round(r)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  if (r >= 0.1) return `${r.toFixed(2)}×`;
  return `${r.toPrecision(2)}×`;
}

export function exact(c: Correctness | undefined): boolean {
  return c !== undefined && c.missing === 0 && c.stale === 0 && c.duplicates === 0;
}

function correctnessCell(c: Correctness | undefined): string {
  if (!c) return 'not checked';
  if (exact(c)) return 'exact';
  const parts: string[] = [];
  if (c.missing > 0) parts.push(`${num(c.missing)} missing`);
  if (c.stale > 0) parts.push(`${num(c.stale)} stale`);
  if (c.duplicates > 0) parts.push(`${num(c.duplicates)} dup`);
  return `**${parts.join(', ')}**`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = headers.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function step(result: BenchResult, system: SystemId, scenario: ScenarioId): StepMetrics | undefined {
  return result.runs.find((r) => r.system === system)?.steps.find((s) => s.scenario === scenario);
}

export function renderMarkdown(result: BenchResult): string {
  const systems = result.options.systems;
  const peers = systems.filter((s) => s !== 'tributary');
  const hasTributary = systems.includes('tributary');
  const minimum = new Map(result.reference.map((r) => [r.scenario, r]));
  const out: string[] = [];
  const c = result.corpus;

  out.push(`# Tributary vs. LangChain, LlamaIndex and a naive sync — ${result.startedAt.slice(0, 10)}`);
  out.push('');
  out.push([
    `- Command: \`${result.command}\``,
    `- Machine: ${result.machine.cpus}, ${result.machine.cores} cores, ${result.machine.memoryGb} GB, Node ${result.machine.node}, ${result.machine.os}; whole run ${duration(result.durationMs)}`,
    `- Corpus: ${num(c.docs)} generated Markdown documents (seed ${result.options.seed}), ${(c.bytes / 1e6).toFixed(1)} MB, ${num(c.chunks)} chunks (${num(c.distinctChunks)} distinct texts), ${num(c.tokens)} cl100k tokens`,
    `- Embedder: the same deterministic counting embedder for every system (Tributary's hashing embedder, 384 dimensions, ≤ 2,048 inputs per request), ${result.options.latencyMs} ms latency per request`,
    '- Every system gets Tributary\'s chunks (structure-aware Markdown, 300/800 tokens); each system runs in its own process, one after the other, on its own copy of the same corpus and change stream',
  ].join('\n'));
  out.push('');

  if (result.options.scenarios) {
    // Headline findings, computed.
    const findings: string[] = [];
    if (hasTributary) {
      const tribSteps = result.runs.find((r) => r.system === 'tributary')?.steps ?? [];
      const inexact = tribSteps.filter((s) => !exact(s.correctness));
      findings.push(inexact.length === 0
        ? `Tributary's index was exact after every step (0 missing, 0 stale, 0 duplicate chunks).`
        : `**Tributary's index was NOT exact** after: ${inexact.map((s) => `${SCENARIO_LABELS[s.scenario]} (${correctnessCell(s.correctness)})`).join('; ')}.`);
      const none = step(result, 'tributary', 'no-change');
      if (none) findings.push(`No change: Tributary made ${none.embeddingCalls} embedding calls and ${none.vectorUpserts + none.vectorDeletes} vector writes in ${ms(none.wallMs)}.`);
      const tokens = tribSteps.filter((s) => s.scenario !== 'initial' && s.scenario !== 'no-change');
      const spent = tokens.reduce((a, s) => a + s.tokensEmbedded, 0);
      const min = tokens.reduce((a, s) => a + (minimum.get(s.scenario)?.minimumTokens ?? 0), 0);
      findings.push(`Over the six change scenarios Tributary embedded ${num(spent)} tokens; the minimum possible was ${num(min)} (${ratio(spent, min)}).`);
    }
    const noChange: Array<{ s: SystemId; m: StepMetrics }> = [];
    for (const s of peers) {
      const m = step(result, s, 'no-change');
      if (m) noChange.push({ s, m });
    }
    if (noChange.length > 0) {
      findings.push(`No change, the peers: ${noChange.map(({ s, m }) => `${SYSTEM_LABELS[s]} ${num(m.embeddingCalls)} calls, ${num(m.tokensEmbedded)} tokens, ${num(m.vectorUpserts + m.vectorDeletes)} writes, ${ms(m.wallMs)}`).join('; ')}.`);
    }
    if (hasTributary && peers.length > 0) {
      const wall = (scenarios: readonly ScenarioId[], systemsOf: readonly SystemId[]): string => {
        const values = scenarios.flatMap((sc) => systemsOf.map((s) => step(result, s, sc)?.wallMs)).filter((v): v is number => v !== undefined);
        if (values.length === 0) return 'n/a';
        const [lo, hi] = [Math.min(...values), Math.max(...values)];
        return lo === hi ? ms(lo) : `${ms(lo)}–${ms(hi)}`;
      };
      const changes = SCENARIO_IDS.filter((sc) => sc !== 'initial');
      findings.push(`Wall time, initial sync: Tributary ${wall(['initial'], ['tributary'])}, peers ${wall(['initial'], peers)}. After it (no change and the six change scenarios): Tributary ${wall(changes, ['tributary'])}, peers ${wall(changes, peers)}.`);
    }
    for (const peer of peers) {
      const run = result.runs.find((r) => r.system === peer);
      const bad = (run?.steps ?? []).filter((s) => !exact(s.correctness));
      if (bad.length > 0) {
        findings.push(`${SYSTEM_LABELS[peer]} was not exact after: ${bad.map((s) => `${SCENARIO_LABELS[s.scenario]} (${correctnessCell(s.correctness).replaceAll('**', '')})`).join('; ')}.`);
      }
    }
    out.push('## Findings');
    out.push('');
    out.push(findings.map((f) => `- ${f}`).join('\n'));
    out.push('');

    // Tokens.
    out.push('## Tokens embedded (× the minimum possible)');
    out.push('');
    out.push('The minimum is the cl100k tokens of the chunk texts the corpus never had before that step: what a system that embeds each new text once, and nothing else, would pay.');
    out.push('');
    out.push(table(
      ['scenario', 'docs touched', 'minimum', ...systems.map((s) => SYSTEM_LABELS[s])],
      SCENARIO_IDS.map((sc) => {
        const ref = minimum.get(sc);
        return [SCENARIO_LABELS[sc], num(ref?.docsTouched ?? 0), num(ref?.minimumTokens ?? 0), ...systems.map((s) => {
          const m = step(result, s, sc);
          return m ? `${num(m.tokensEmbedded)} (${ratio(m.tokensEmbedded, ref?.minimumTokens ?? 0)})` : 'n/a';
        })];
      }),
    ));
    out.push('');

    // Requests.
    out.push('## Embedding requests (floor: ceil(new texts ÷ 2,048))');
    out.push('');
    out.push('The benchmark\'s embedder takes up to 2,048 inputs per request (OpenAI\'s bound; it has no token bound), so no system can send the new texts of a step in fewer than ceil(new texts ÷ 2,048) requests. Cells: requests (× the floor).');
    out.push('');
    out.push(table(
      ['scenario', 'new texts', 'floor', ...systems.map((s) => SYSTEM_LABELS[s])],
      SCENARIO_IDS.map((sc) => {
        const ref = minimum.get(sc);
        const floor = Math.ceil((ref?.minimumTexts ?? 0) / MAX_INPUTS_PER_REQUEST);
        return [SCENARIO_LABELS[sc], num(ref?.minimumTexts ?? 0), num(floor), ...systems.map((s) => {
          const m = step(result, s, sc);
          return m ? `${num(m.embeddingCalls)} (${ratio(m.embeddingCalls, floor)})` : 'n/a';
        })];
      }),
    ));
    out.push('');

    // Wall time.
    out.push('## Wall time of the sync');
    out.push('');
    out.push(table(
      ['scenario', ...systems.map((s) => SYSTEM_LABELS[s])],
      SCENARIO_IDS.map((sc) => [SCENARIO_LABELS[sc], ...systems.map((s) => {
        const m = step(result, s, sc);
        return m ? ms(m.wallMs) : 'n/a';
      })]),
    ));
    out.push('');

    if (hasTributary && peers.length > 0) {
      out.push('## Tributary as a ratio to each peer (same run)');
      out.push('');
      out.push('Below 1× means Tributary spent less. "both 0": neither embedded anything.');
      out.push('');
      out.push(table(
        ['scenario', ...peers.map((p) => `tokens ÷ ${SYSTEM_LABELS[p]}`), ...peers.map((p) => `time ÷ ${SYSTEM_LABELS[p]}`)],
        SCENARIO_IDS.map((sc) => {
          const t = step(result, 'tributary', sc);
          return [SCENARIO_LABELS[sc],
            ...peers.map((p) => {
              const m = step(result, p, sc);
              return t && m ? ratio(t.tokensEmbedded, m.tokensEmbedded) : 'n/a';
            }),
            ...peers.map((p) => {
              const m = step(result, p, sc);
              return t && m ? ratio(t.wallMs, m.wallMs) : 'n/a';
            })];
        }),
      ));
      out.push('');
    }

    // Details.
    out.push('## Every measurement');
    out.push('');
    out.push('Calls: embedding requests. Writes: vectors upserted + deleted. Peak RSS: the system\'s process during the sync. Index: compared with the chunks of the current corpus.');
    out.push('');
    const rows: string[][] = [];
    for (const sc of SCENARIO_IDS) {
      for (const s of systems) {
        const m = step(result, s, sc);
        if (!m) continue;
        rows.push([SCENARIO_LABELS[sc], SYSTEM_LABELS[s], num(m.embeddingCalls), num(m.tokensEmbedded),
          ratio(m.tokensEmbedded, minimum.get(sc)?.minimumTokens ?? 0), `${num(m.vectorUpserts)} + ${num(m.vectorDeletes)}`,
          ms(m.wallMs), m.peakRssMb.toFixed(0), correctnessCell(m.correctness)]);
      }
    }
    out.push(table(['scenario', 'system', 'calls', 'tokens', '× min', 'writes', 'wall', 'peak RSS MB', 'index'], rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
    out.push('');

    // Latency.
    const latency = result.runs.find((r) => r.system === 'tributary')?.latency ?? [];
    if (latency.length > 0) {
      out.push('## Freshness: change to search result (`tributary start`)');
      out.push('');
      out.push(`The local runtime on the ${num(result.options.docs)}-document index left by the scenarios. Each edit appends a short section with a unique four-word phrase to one document; the clock starts when the signed webhook is sent (after the file is written) or when the file write starts (watcher, 300 ms debounce), and stops when \`GET /search\` (top 10) first returns the phrase, polled every 10 ms after the previous answer. Percentiles are over the edits returned within 30 s.`);
      out.push('');
      out.push(table(['trigger', 'edits', 'p50', 'p95', 'max', 'not returned in 30 s', 'of which indexed'],
        latency.map((l) => [l.trigger === 'webhook' ? 'signed webhook hint' : 'file watcher', num(l.edits), ms(l.p50Ms), ms(l.p95Ms), ms(l.maxMs), num(l.timeouts), num(l.indexedButNotFound)])));
      out.push('');
    }
  }

  // Scale.
  if (result.scale.length > 0) {
    out.push('## Scale: initial and no-change sync by corpus size');
    out.push('');
    out.push('How each cost grows with the corpus. Compare with the scenario tables: a sync after a change costs the no-change sync of that corpus size plus work proportional to the change (Tributary lists and stats every file and reads the ledger on every sync; the peers hash every chunk or document).');
    out.push('');
    const sizes = [...new Set(result.scale.map((p) => p.docs))].sort((a, b) => a - b);
    const skippedPeer = (s: SystemId, n: number): boolean => s !== 'tributary' && n > (result.options.peerScaleMax ?? Infinity);
    out.push(table(
      ['system', ...sizes.flatMap((n) => [`initial ${num(n)}`, `no change ${num(n)}`])],
      systems.map((s) => [SYSTEM_LABELS[s], ...sizes.flatMap((n) => {
        const p = result.scale.find((x) => x.system === s && x.docs === n);
        if (p?.error !== undefined) return [`failed: ${p.error}`, ''];
        if (!p && skippedPeer(s, n)) return ['not run', 'not run'];
        return p?.initial && p.noChange ? [ms(p.initial.wallMs), ms(p.noChange.wallMs)] : ['n/a', 'n/a'];
      })]),
    ));
    out.push('');
    out.push(table(
      ['system', ...sizes.flatMap((n) => [`initial tokens ${num(n)}`, `no-change tokens ${num(n)}`, `peak RSS MB ${num(n)}`])],
      systems.map((s) => [SYSTEM_LABELS[s], ...sizes.flatMap((n) => {
        const p = result.scale.find((x) => x.system === s && x.docs === n);
        if (!p && skippedPeer(s, n)) return ['not run', 'not run', 'not run'];
        return p?.initial && p.noChange ? [num(p.initial.tokensEmbedded), num(p.noChange.tokensEmbedded), p.initial.peakRssMb.toFixed(0)] : ['n/a', 'n/a', 'n/a'];
      })]),
    ));
    out.push('');
    const limit = result.options.peerScaleMax;
    if (limit !== undefined && sizes.some((n) => n > limit)) {
      out.push(`"not run": the peers' scale points stop at ${num(limit)} documents in this run (\`--peer-scale-max ${limit}\`) to keep the whole comparison within 15 minutes; \`--peer-scale-max ${Math.max(...sizes)}\` runs them too (about 7 more minutes at 20,000 documents).`);
      out.push('');
    }
  }

  out.push('## Systems');
  out.push('');
  out.push(table(['system', 'setup, storage and change detection'], systems.map((s) => [SYSTEM_LABELS[s], SYSTEM_NOTES[s]]), ['l', 'l']));
  out.push('');
  out.push('Chart: `chart.svg` (tokens embedded and wall time per scenario, log scale). Data: `results.json`.');
  out.push('');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------ chart

const COLORS: Readonly<Record<SystemId, string>> = {
  tributary: '#1b7f5b',
  'langchain-incremental': '#3a6fd8',
  'langchain-full': '#8fb0f0',
  llamaindex: '#b25bc7',
  naive: '#9a9a9a',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Two grouped bar charts (log scale): tokens embedded and wall time, per scenario and system. */
export function renderChart(result: BenchResult): string {
  const systems = result.options.systems;
  const width = 1100;
  const panelHeight = 300;
  const left = 80;
  const right = 20;
  const top = 70;
  const gap = 90;
  const groupWidth = (width - left - right) / SCENARIO_IDS.length;
  const barWidth = Math.min(22, (groupWidth - 16) / systems.length);
  const parts: string[] = [];
  const height = top + 2 * panelHeight + gap + 60;
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${left}" y="24" font-size="16" font-weight="bold">${escapeXml(`Tokens embedded and sync wall time — ${num(result.corpus.docs)} documents, ${result.startedAt.slice(0, 10)}`)}</text>`);
  systems.forEach((s, i) => {
    const x = left + i * 190;
    parts.push(`<rect x="${x}" y="38" width="12" height="12" fill="${COLORS[s]}"/><text x="${x + 18}" y="48">${escapeXml(SYSTEM_LABELS[s])}</text>`);
  });

  const panel = (y0: number, title: string, value: (m: StepMetrics) => number, format: (v: number) => string): void => {
    const values = result.runs.flatMap((r) => r.steps.map(value)).filter((v) => v > 0);
    const maxExp = Math.max(1, Math.ceil(Math.log10(Math.max(10, ...values))));
    const minExp = Math.max(0, Math.floor(Math.log10(Math.max(1, Math.min(...values, 10 ** maxExp)))) - 1);
    const y = (v: number): number => y0 + panelHeight - ((Math.log10(Math.max(v, 10 ** minExp)) - minExp) / (maxExp - minExp)) * panelHeight;
    parts.push(`<text x="${left}" y="${y0 - 10}" font-size="14" font-weight="bold">${escapeXml(title)} (log scale)</text>`);
    for (let e = minExp; e <= maxExp; e++) {
      const yy = y(10 ** e);
      parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#e3e3e3"/>`);
      parts.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#555">${escapeXml(format(10 ** e))}</text>`);
    }
    SCENARIO_IDS.forEach((sc, g) => {
      const gx = left + g * groupWidth + (groupWidth - barWidth * systems.length) / 2;
      systems.forEach((s, i) => {
        const m = step(result, s, sc);
        if (!m) return;
        const v = value(m);
        const x = gx + i * barWidth;
        if (v <= 0) {
          parts.push(`<text x="${x + barWidth / 2}" y="${y0 + panelHeight - 3}" text-anchor="middle" font-size="10" fill="${COLORS[s]}">0</text>`);
          return;
        }
        const yy = y(v);
        parts.push(`<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(y0 + panelHeight - yy).toFixed(1)}" fill="${COLORS[s]}"><title>${escapeXml(`${SYSTEM_LABELS[s]}, ${SCENARIO_LABELS[sc]}: ${format(v)}`)}</title></rect>`);
      });
      parts.push(`<text x="${left + g * groupWidth + groupWidth / 2}" y="${y0 + panelHeight + 16}" text-anchor="middle">${escapeXml(SCENARIO_LABELS[sc])}</text>`);
    });
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y0 + panelHeight}" y2="${y0 + panelHeight}" stroke="#333"/>`);
  };
  const compact = (v: number): string => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : `${v}`);
  panel(top + 20, 'Tokens embedded (cl100k)', (m) => m.tokensEmbedded, compact);
  panel(top + 20 + panelHeight + gap, 'Wall time of the sync', (m) => m.wallMs, (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
