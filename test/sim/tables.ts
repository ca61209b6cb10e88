/** The simulation's report as Markdown tables (what README "Scale and cost" shows). */
import type { BillLine } from './bill.ts';
import type { ScenarioReport } from './scenarios.ts';

const hours = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const usd = (x: number): string => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function renderScenarios(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => {
    const tpm = r.tpm ? `${pct(r.tpm.meanShare)} mean, ${pct(r.tpm.minShare)} min, ${r.tpm.minutesAtOrAbove90}/${r.tpm.minutes} min ≥ 90%` : '–';
    const lambda = Object.entries(r.lambda).filter(([, l]) => l.invocations > 0)
      .map(([name, l]) => `${name} ${n(l.invocations)} inv / ${n(l.gbSeconds)} GB-s${l.timeouts ? ` / ${l.timeouts} timeouts` : ''}${l.throttles ? ` / ${n(l.throttles)} throttled` : ''}`).join('; ');
    return [
      r.name, hours(r.virtualMs), `${(r.wallMs / 1000).toFixed(1)} s`, tpm,
      `fetch ${hours(r.queueAge.fetchP50)} / ${hours(r.queueAge.fetchP99)}; embed ${hours(r.queueAge.embedP50)} / ${hours(r.queueAge.embedP99)}`,
      `429: ${n(r.retries.openAi429)}, 5xx: ${n(r.retries.openAiFailed)}, client retries: ${n(r.retries.embedderRetries)}, DynamoDB throttles: ${n(r.retries.dynamoThrottles)}, SQS redeliveries: ${n(r.retries.redeliveries)}`,
      `fetch ${r.deadLetters.fetch}, embed ${r.deadLetters.embed}`,
      `${r.hottest.partition} ${n(r.hottest.wcuPerSecond)} WCU/s; item ${r.hottest.item} ${n(r.hottest.itemWritesPerSecond)}/s`,
      lambda,
    ];
  });
  const head = ['scenario', 'virtual time', 'wall time', 'TPM budget held', 'queue age p50 / p99', 'retries', 'dead letters', 'hottest partition / item', 'Lambda'];
  const work = reports.map((r) => [r.name, n(r.work.embeddingCalls), n(r.work.tokens), n(r.work.vectorsUpserted), n(r.work.vectorsDeleted), n(r.work.stateWrites), r.notes.join('; ')]);
  return [table(head, rows), '', table(['scenario', 'embedding calls', 'tokens', 'vectors written', 'vectors deleted', 'state writes', 'notes'], work)].join('\n');
}

export function renderBills(bills: { steadyDay?: { lines: BillLine[]; total: number }; baseline?: { lines: BillLine[]; total: number } }): string {
  if (!bills.steadyDay) return '';
  const base = new Map((bills.baseline?.lines ?? []).map((l) => [l.item.replace(/ \(.*\)$/, ''), l.usd]));
  const rows = bills.steadyDay.lines.map((l) => [l.item, usd(l.usd), base.has(l.item.replace(/ \(.*\)$/, '')) ? usd(base.get(l.item.replace(/ \(.*\)$/, ''))!) : '–']);
  rows.push(['**total per month**', `**${usd(bills.steadyDay.total)}**`, bills.baseline ? `**${usd(bills.baseline.total)}**` : '–']);
  return `\n${table(['monthly bill (30 steady days)', 'Tributary', 're-embed everything daily'], rows)}`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
