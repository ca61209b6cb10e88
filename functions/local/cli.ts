import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { auditClean } from '../../shared/core/audit.ts';
import { auditLine, auditSources } from './audit-run.ts';
import { profileScopes } from '../../shared/core/profiles.ts';
import { planSource, profilesToReindex, type ProfilePlan, type RateLimits } from '../../shared/core/plan.ts';
import { ConfigError, errorMessage, TributaryError } from '../../shared/core/errors.ts';
import { resetSource } from '../../shared/core/reset.ts';
import { isPrincipal } from '../../shared/core/access.ts';
import { SEARCH_MODES, searchDefaults, searchIndex, type SearchMode } from '../../shared/core/search.ts';
import { confirmGenerations, generationsToStart } from '../../shared/core/generation-lifecycle.ts';
import { generationNamesOf, withGenerations } from '../../shared/core/generations.ts';
import { flipSettled, generationsCommand } from './generations-command.ts';
import type { DocumentIssue } from '../../shared/ports/index.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { consoleLogger } from './logger.ts';
import { packageVersion, registerOperatorCommands } from './cli-ops.ts';
import { CliError, load, positiveInt, withCommon, withStack, type CommonOptions } from './cli-common.ts';
import { startRuntime } from './runtime.ts';
import { collectStatus, needsAttention } from './status.ts';
import { syncSources, type SourceSyncReport } from './sync.ts';

/** `--as` may be given several times, each a principal or a comma-separated list of them. */
const principals = (value: string, previous: string[] = []): string[] => {
  const given = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const bad = given.find((p) => !isPrincipal(p));
  if (given.length === 0 || bad !== undefined) throw new InvalidArgumentError(`"${bad ?? value}" is not a principal: use user:<id>, group:<id> or public`);
  return [...previous, ...given];
};

function pickSources(stack: LocalStack, sourceId: string | undefined): string[] {
  const ids = stack.loaded.config.sources.map((s) => s.id);
  if (sourceId === undefined) return ids;
  if (!ids.includes(sourceId)) throw new CliError(`unknown source "${sourceId}"; configured sources: ${ids.join(', ')}`);
  return [sourceId];
}

/** `--profile` names: each must be a profile of every source picked (a source without `profiles` has one, `default`). */
function pickProfiles(stack: LocalStack, sourceIds: readonly string[], names: readonly string[] | undefined): string[] | undefined {
  if (!names || names.length === 0) return undefined;
  for (const id of sourceIds) {
    const known = stack.deps.profiles?.(id)?.map((p) => p.name) ?? ['default'];
    const bad = names.find((n) => !known.includes(n));
    if (bad !== undefined) throw new CliError(`source "${id}" has no profile "${bad}"; its profiles: ${known.join(', ')}${sourceIds.length > 1 ? ' (use --source to pick one source)' : ''}`);
  }
  return [...names];
}

const repeated = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];

function rateLimits(stack: LocalStack): RateLimits {
  const e = stack.loaded.config.embedder;
  if (e.kind !== 'openai') return {};
  return { ...(e.tokensPerMinute !== undefined ? { tokensPerMinute: e.tokensPerMinute } : {}), ...(e.requestsPerMinute !== undefined ? { requestsPerMinute: e.requestsPerMinute } : {}) };
}

function planLine(p: ProfilePlan): string {
  const time = p.minutesAtRateLimits === null ? 'no rate limit configured' : `~${p.minutesAtRateLimits.toFixed(1)} min at the configured rate limits`;
  return `${p.sourceId}/${p.profile} (${p.model}, ${p.dimensions}): ${p.documents} documents, ${p.chunks} chunks; ${p.textsToEmbed} texts to embed, `
    + `${p.tokens} tokens, ${p.requests} requests, ~$${p.estimatedCostUsd.toFixed(4)}, ${time}`;
}

/**
 * A sync that would re-index every document of a profile (its model, dimensions or chunking
 * changed) needs `--yes`, like `reset`: without it, print the plan and refuse.
 */
async function confirmReindex(stack: LocalStack, sourceIds: readonly string[], profiles: readonly string[] | undefined, yes: boolean): Promise<void> {
  const lines: string[] = [];
  for (const id of sourceIds) {
    // With generations, a change starts a new generation (built beside the current one); a build an operator aborted waits for --yes.
    const pending = await generationsToStart(stack.deps, id);
    const picked = (names: readonly string[]) => names.filter((n) => !profiles || profiles.includes(n));
    const changed = picked(pending ? pending.start : await profilesToReindex(stack.deps, id));
    const declined = picked(pending?.declined ?? []);
    if (yes) {
      await confirmGenerations(stack.deps, id, declined);
      continue;
    }
    for (const name of declined) console.error(`tributary: ${id}/${name}: its config differs from its index and its rebuild was aborted; searches answer from the current generation (confirm a rebuild with --yes)`);
    if (changed.length === 0) continue;
    for (const p of await planSource(stack.deps, id, { profiles: changed, limits: rateLimits(stack) })) lines.push(`  ${planLine(p)}`);
  }
  if (lines.length === 0) return;
  const how = stack.deps.generations
    ? 'the sync builds a new generation of each in the background (searches keep answering from the current one until it is complete and audited)'
    : 'the sync re-indexes every document of each';
  throw new CliError(`the model, dimensions or chunking of these profiles changed: ${how}\n${lines.join('\n')}\nrun again with --yes to confirm`, 2);
}

/** Lines naming documents and what is wrong with them, at most `max` of them. */
function issueLines(label: string, issues: readonly DocumentIssue[], total: number, max = 20): string[] {
  const lines = issues.slice(0, max).map((i) => `  ${label} ${i.id}: ${i.reason}`);
  if (total > lines.length) lines.push(`  … and ${total - lines.length} more (tributary status --json lists up to 100)`);
  return lines;
}

function printSyncSummary(reports: SourceSyncReport[]): void {
  for (const r of reports) {
    const skipped = r.docsSkipped > 0 ? `, ${r.docsSkipped} skipped` : '';
    const head = r.status === 'deferred'
      ? `${r.id}: another run holds this source's lease; it was asked to run again and will pick up any change`
      : r.status === 'failed'
        ? `${r.id}: FAILED — ${r.error ?? 'unknown error'}`
        : `${r.id}: ${r.docsSeen} seen, ${r.docsChanged} changed, ${r.docsDeleted} deleted, ${r.docsUnchanged} unchanged${skipped}`;
    console.log(head);
    if (r.status === 'synced') {
      const cost = r.estimatedCostUsd > 0 ? `, ~$${r.estimatedCostUsd.toFixed(4)}` : '';
      console.log(`  ${r.chunksEmbedded} chunks embedded in ${r.embeddingCalls} calls (${r.tokensEmbedded} tokens${cost}), ${r.vectorsUpserted} vectors written, ${r.vectorsDeleted} deleted, ${(r.durationMs / 1000).toFixed(1)}s`);
    }
    for (const [name, p] of Object.entries(r.profiles ?? {})) {
      console.log(`  profile ${name}: ${p.docsChanged} changed, ${p.docsDeleted} deleted; ${p.chunksEmbedded} chunks embedded in ${p.embeddingCalls} calls (${p.tokensEmbedded} tokens), ${p.vectorsUpserted} vectors written, ${p.vectorsDeleted} deleted`);
    }
    if (r.recovered > 0) console.log(`  recovered ${r.recovered} documents left unsettled by an interrupted run`);
    if (r.continued > 0) console.log(`  applied ${r.continued} tasks an interrupted run had left in the queue`);
    if (r.tasksFailed > 0) console.log(`  ${r.tasksFailed} tasks failed and are in the dead-letter queue (see \`tributary status\`)`);
    if (r.breaker) console.log(`  ${r.breaker}`);
    for (const line of issueLines('skipped', r.skipped, r.docsSkipped)) console.log(line);
    if (r.skipped.length > 0) console.log('  skipped documents keep their vectors and are tried again by the next sync');
    for (const line of issueLines('warning', r.warnings, r.warnings.length)) console.log(line);
  }
}

export function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Keeps a vector index exactly in step with your sources, paying only for what changed.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });

  withCommon(program.command('start'))
    .description('run the local runtime: schedules, file watchers, queue workers and the HTTP server (console, search, webhooks)')
    .addOption(new Option('--port <n>', 'HTTP port (default: server.port from the config, 8787)').argParser(positiveInt('--port')))
    .action(async (opts: CommonOptions & { port?: number }) => {
      const loaded = load(opts);
      const log = consoleLogger(opts.verbose ? 'info' : 'info');
      const stack = await openLocalStack(loaded, { log, runtime: true });
      let runtime;
      try {
        runtime = await startRuntime(stack, {
          port: opts.port ?? loaded.config.server.port, host: loaded.config.server.host, log,
          secret: (name) => process.env[name],
        });
      } catch (error) {
        // Nothing runs: release the state folder, then report (exit code 1, or 2 for config).
        await stack.close();
        throw error;
      }
      console.log(`Tributary is running (config: ${loaded.origin}).`);
      console.log(`Console (status, runs, actions, search): ${runtime.url}/`);
      console.log(`Sources: ${loaded.config.sources.map((s) => `${s.id} (${s.kind})`).join(', ')}. Press Ctrl+C to stop.`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      console.log('stopping…');
      await runtime.stop();
      await stack.close();
    });

  withCommon(program.command('sync'))
    .description('run one sync of the sources and wait until every change is in the index')
    .option('--source <id>', 'only this source')
    .option('--full', 'full pass: re-read every document (content hashes still spare unchanged ones from re-embedding)')
    .option('--allow-mass-delete', 'let this sync delete more documents than the circuit breaker allows')
    .option('--no-cache', 'do not reuse cached embeddings for the chunks this sync writes (they are re-embedded and re-cached)')
    .option('--profile <name>', 'only this index profile (repeat or comma-separate for several)', repeated)
    .option('--yes', 'confirm re-indexing every document of a profile whose model, dimensions or chunking changed')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (opts: CommonOptions & { source?: string; full?: boolean; json?: boolean; allowMassDelete?: boolean; cache?: boolean; profile?: string[]; yes?: boolean }) => {
      let flips: string[] = [];
      const reports = await withStack(opts, 'warn', async (stack) => {
        const sourceIds = pickSources(stack, opts.source);
        const profiles = pickProfiles(stack, sourceIds, opts.profile);
        await confirmReindex(stack, sourceIds, profiles, opts.yes === true);
        const bar = !opts.json && process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: '{source} |{bar}| {value}/{total} tasks · {pages} pages · {seen} docs seen', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
          : undefined;
        bar?.start(0, 0, { source: '', pages: 0, seen: 0 });
        try {
          const done = await syncSources(stack, {
            sourceIds, full: opts.full === true, allowMassDelete: opts.allowMassDelete === true, noCache: opts.cache === false,
            ...(profiles ? { profiles } : {}),
            onProgress: (p) => {
              if (!bar) return;
              if (p.fetch) bar.update({ source: p.sourceId, pages: p.fetch.pages, seen: p.fetch.docsSeen });
              else {
                bar.setTotal(p.tasksEnqueued);
                bar.update(p.tasksDone, { source: p.sourceId });
              }
            },
          });
          // Every change is applied: a build that is now complete and audited takes over.
          flips = await flipSettled(stack, sourceIds);
          return done;
        } finally {
          bar?.stop();
        }
      });
      for (const line of flips) console.error(line);
      if (opts.json) {
        const sources = reports.map(({ id, status, docsSeen, docsChanged, docsDeleted, docsUnchanged, chunksEmbedded, embeddingCalls, tokensEmbedded, estimatedCostUsd, vectorsUpserted, vectorsDeleted, tasksFailed, docsSkipped, skipped, warnings, durationMs, profiles, breaker, error }) => ({
          id, status, docsSeen, docsChanged, docsDeleted, docsUnchanged, chunksEmbedded, embeddingCalls, tokensEmbedded,
          estimatedCostUsd: Number(estimatedCostUsd.toFixed(6)), vectorsUpserted, vectorsDeleted, tasksFailed, docsSkipped, skipped, warnings, durationMs,
          ...(profiles ? { profiles } : {}), ...(breaker ? { breaker } : {}), ...(error ? { error } : {}),
        }));
        console.log(JSON.stringify({ sources }));
      } else {
        printSyncSummary(reports);
      }
      // Skipped documents are named but do not fail the sync; a task given up for any other reason does.
      if (reports.some((r) => r.status === 'failed' || r.tasksFailed > r.documentTaskFailures)) process.exitCode = 1;
    });

  withCommon(program.command('plan'))
    .description('what re-indexing the profiles from scratch costs: documents, chunks, tokens, dollars, time at the rate limits (reads the source, writes nothing)')
    .option('--source <id>', 'only this source')
    .option('--profile <name>', 'only this index profile (repeat or comma-separate for several)', repeated)
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { source?: string; profile?: string[]; json?: boolean }) => {
      const plans = await withStack(opts, 'warn', async (stack) => {
        const sourceIds = pickSources(stack, opts.source);
        const profiles = pickProfiles(stack, sourceIds, opts.profile);
        const out: ProfilePlan[] = [];
        for (const id of sourceIds) out.push(...await planSource(stack.deps, id, { ...(profiles ? { profiles } : {}), limits: rateLimits(stack) }));
        return out;
      });
      if (opts.json) console.log(JSON.stringify({ plans }));
      else for (const p of plans) console.log(planLine(p));
    });

  withCommon(program.command('status'))
    .description('freshness, last run, errors and queue health of every source; exits 1 when a source is stale, failing or its breaker tripped')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const status = await withStack(opts, 'warn', (stack) => collectStatus(stack));
      // For cron and monitors: 1 when a source is stale, failing or its breaker tripped.
      if (status.sources.some(needsAttention)) process.exitCode = 1;
      if (opts.json) {
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      for (const s of status.sources) {
        // "Last sync": the latest successful run of any trigger; freshness is the last completed pass.
        const since = (iso: string | null) => (iso === null ? null : Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)));
        const synced = since(s.lastSuccessAt);
        const lag = s.lagSeconds === null ? 'never synced' : `last sync ${synced ?? s.lagSeconds}s ago, last full pass ${s.lagSeconds}s ago`;
        const skipped = s.docsSkipped > 0 ? `, ${s.docsSkipped} skipped` : '';
        console.log(`${s.id} (${s.kind}): ${s.documents} documents, ${lag}${s.stale ? ' — STALE' : ''}${s.running ? ', running' : ''}${skipped}`);
        for (const p of s.profiles ?? []) {
          const run = p.lastRun ? `; last run ${p.lastRun.docsChanged} changed, ${p.lastRun.chunksEmbedded} embedded (${p.lastRun.tokensEmbedded} tokens)` : '';
          console.log(`  profile ${p.name} → ${p.target} (${p.model}, ${p.dimensions}): ${p.documents} documents, ${p.lagSeconds === null ? 'never synced' : `checkpoint ${p.lagSeconds}s ago`}${run}`);
        }
        if (s.lastError) console.log(`  last error: ${s.lastError} (${s.consecutiveFailures} failures in a row)`);
        if (s.breaker) console.log(`  breaker: ${s.breaker}`);
        if (s.lastRun?.taskError) console.log(`  last run's embed tasks were given up: ${s.lastRun.taskError}`);
        if (s.docsSkipped > 0) console.log(`  ${s.docsSkipped} document${s.docsSkipped === 1 ? '' : 's'} skipped (not indexed; tried again by every sync):`);
        for (const line of issueLines('skipped', s.skipped, s.docsSkipped)) console.log(line);
        for (const line of issueLines('warning', s.warnings, s.warnings.length)) console.log(line);
      }
      console.log(`queues: fetch ${status.queues.fetch.visible} waiting, embed ${status.queues.embed.visible} waiting; ${status.deadLetters.length} dead-lettered`);
      for (const d of status.deadLetters) console.log(`  dead letter (${d.queue}): ${d.reason}`);
    });

  withCommon(program.command('search'))
    .description('search the index')
    .argument('<query>', 'what to look for')
    .addOption(new Option('--top <k>', 'number of results').default(5).argParser(positiveInt('--top')))
    .option('--source <id>', 'only this source')
    .option('--as <principal>', 'search as this principal (user:<id>, group:<id>; repeat or comma-separate for several): only documents it may see', principals)
    .option('--profile <name>', 'search this index profile (default: each source\'s `default`, or its first)')
    .addOption(new Option('--mode <mode>', 'hybrid (vectors and full text, fused), vector or fts (default: the config\'s search.mode, hybrid)').choices(SEARCH_MODES))
    .option('--json', 'print JSON')
    .action(async (query: string, opts: CommonOptions & { top: number; source?: string; as?: string[]; json?: boolean; profile?: string; mode?: SearchMode }) => {
      const results = await withStack(opts, 'warn', async (stack) => {
        const sourceIds = pickSources(stack, opts.source);
        if (opts.profile !== undefined && !sourceIds.some((id) => (stack.deps.profiles?.(id)?.map((p) => p.name) ?? ['default']).includes(opts.profile!))) {
          throw new CliError(`no source has a profile "${opts.profile}"`);
        }
        // Each profile answers from its current generation (the alias), never from one being built.
        return searchIndex(await withGenerations(stack.deps, sourceIds, 'serving'), query, {
          topK: Math.max(1, opts.top), sourceIds, ...(opts.source ? { sourceId: opts.source } : {}), ...(opts.as ? { as: opts.as } : {}),
          ...(opts.profile !== undefined ? { profile: opts.profile } : {}), ...searchDefaults(stack.loaded.config, opts.mode),
        });
      });
      if (opts.json) {
        console.log(JSON.stringify({ query, results }));
        return;
      }
      if (results.length === 0) console.log('no results');
      if (results.length > 0 && results.every((r) => r.weak)) console.log('no good match (every result is below search.minScore):');
      // Numbered in rank order: in hybrid mode the rank is the fused one, so the similarity
      // shown beside each result need not fall from one line to the next.
      results.forEach((r, i) => {
        const similarity = `similarity ${r.score.toFixed(3)}${r.weak ? ', weak' : ''}`;
        console.log(`${String(i + 1).padStart(2)}. ${r.sourceId}:${r.docId} #${r.chunkIndex}${r.title ? ` — ${r.title}` : ''}  (${similarity})`);
        if (r.context !== undefined && r.context !== r.title) console.log(`    ${r.context}`);
        console.log(`    ${r.text.replace(/\s+/g, ' ').slice(0, 160)}`);
      });
    });

  withCommon(program.command('export'))
    .description('print the index content of a source as JSON lines, one per vector')
    .requiredOption('--source <id>', 'source to export')
    .option('--profile <name>', 'this index profile (default: the source\'s first)')
    .action(async (opts: CommonOptions & { source: string; profile?: string }) => {
      await withStack(opts, 'warn', async (stack) => {
        pickSources(stack, opts.source);
        const current = await withGenerations(stack.deps, [opts.source], 'current');
        const [scope] = profileScopes(current, opts.source, pickProfiles(stack, [opts.source], opts.profile !== undefined ? [opts.profile] : undefined));
        const rows = await (scope?.profile.vectors ?? stack.deps.vectors).scan(`${opts.source}#`);
        const lines = rows.map(({ id, metadata: m }) => ({
          id, sourceId: String(m['sourceId']), docId: String(m['docId']), chunkIndex: Number(m['chunkIndex']),
          version: String(m['version']), hash: String(m['hash']), text: String(m['text']),
          ...(typeof m['title'] === 'string' ? { title: m['title'] } : {}),
          ...(typeof m['context'] === 'string' ? { context: m['context'] } : {}),
        })).sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : a.chunkIndex - b.chunkIndex));
        for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
      });
    });

  withCommon(program.command('audit'))
    .description('compare source, ledger and index; exits 1 when they disagree')
    .option('--source <id>', 'only this source')
    .option('--repair', 're-fetch what disagrees and delete orphan vectors, then audit again')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { source?: string; repair?: boolean; json?: boolean }) => {
      const audits = await withStack(opts, 'warn', (stack) => auditSources(stack, pickSources(stack, opts.source), { repair: opts.repair === true }));
      const ok = audits.every(auditClean);
      if (opts.json) console.log(JSON.stringify({ ok, sources: audits }));
      else for (const a of audits) console.log(auditLine(a));
      if (!ok) process.exitCode = 1;
    });

  withCommon(program.command('reset'))
    .description("forget a source's cursor and ledger and remove its vectors (the embedding cache is kept)")
    .requiredOption('--source <id>', 'source to reset')
    .option('--profile <name>', 'only this index profile (repeat or comma-separate for several): the others keep their index', repeated)
    .option('--yes', 'confirm: this removes the source from the index')
    .action(async (opts: CommonOptions & { source: string; yes?: boolean; profile?: string[] }) => {
      const what = opts.profile ? `profile${opts.profile.length > 1 ? 's' : ''} ${opts.profile.join(', ')} of source "${opts.source}"` : `source "${opts.source}"`;
      if (!opts.yes) throw new CliError(`reset removes every vector of ${what} and forgets its sync state; run again with --yes to confirm`, 2);
      const removed = await withStack(opts, 'warn', async (stack) => {
        pickSources(stack, opts.source);
        // Every generation of the profiles named (the current, the one being built, those kept for their grace period).
        const all = await withGenerations(stack.deps, [opts.source], 'all');
        const picked = pickProfiles(stack, [opts.source], opts.profile);
        const names = picked && [...new Set([...picked, ...generationNamesOf(all.profiles?.(opts.source), picked)])];
        const outcome = await resetSource(all, opts.source, stack.owner, names);
        if (!outcome.reset) throw new CliError(`source "${opts.source}" is being synced right now; try again when the run ends`);
        return outcome.vectorsDeleted;
      });
      console.log(`reset ${what}: removed ${removed} vectors and the cursor and ledger; the next sync indexes it from scratch (reusing cached embeddings)`);
    });

  program.addCommand(generationsCommand({
    withStack: (opts, fn) => withStack(opts, 'warn', fn),
    pickSources,
    fail: (message, exitCode) => new CliError(message, exitCode),
  }));
  registerOperatorCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError || (error instanceof TributaryError && error.expose)) {
      console.error(`tributary: ${error.message}`);
      process.exitCode = error instanceof CliError ? error.exitCode : error instanceof ConfigError ? 2 : 1;
      return;
    }
    console.error(`tributary: ${errorMessage(error)}`);
    if (error instanceof Error && error.stack && process.env['TRIBUTARY_DEBUG']) console.error(error.stack);
    process.exitCode = 1;
  }
}
