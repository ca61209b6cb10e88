/**
 * `tributary generations`: watch a profile's rebuild (documents done of total, chunks, tokens,
 * ETA), flip its alias early once the build is complete and audited, or abort it.
 */
import { Command } from 'commander';
import {
  abortGeneration, flipGeneration, reportGenerations, settleGenerations, type FlipOutcome, type GenerationReport,
} from '../../shared/core/generation-lifecycle.ts';
import { TributaryError } from '../../shared/core/errors.ts';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';

export interface GenerationsCommandContext {
  /** Opens the local stack for the command's options and runs `fn` on it. */
  readonly withStack: <T>(options: { config?: string; verbose?: boolean }, fn: (stack: LocalStack) => Promise<T>) => Promise<T>;
  readonly pickSources: (stack: LocalStack, sourceId: string | undefined) => string[];
  /** Builds the user-facing error (exit code 1 unless given). */
  readonly fail: (message: string, exitCode?: number) => TributaryError;
}

interface Options { config?: string; verbose?: boolean; source?: string; profile?: string; json?: boolean }

/** `generations [status]`, `generations flip`, `generations abort`. */
export function generationsCommand(ctx: GenerationsCommandContext): Command {
  const cmd = new Command('generations').description('index generations of the profiles: watch a rebuild, flip to it early, or abort it');
  const common = (c: Command) => c.option('--config <path>', 'config file', undefined).option('-v, --verbose', 'log progress details to stderr');

  common(cmd.command('status', { isDefault: true }))
    .description('each profile\'s current generation and the one being built: documents done / total, chunks, tokens, ETA')
    .option('--source <id>', 'only this source')
    .option('--json', 'print JSON')
    .action(async (opts: Options) => {
      const reports = await ctx.withStack(opts, async (stack) => {
        const out: GenerationReport[] = [];
        for (const id of ctx.pickSources(stack, opts.source)) out.push(...await reportGenerations(stack.deps, id));
        return out;
      });
      if (opts.json) {
        console.log(JSON.stringify({ generations: reports }));
        return;
      }
      if (reports.length === 0) console.log('no profile has generations yet (sources with `profiles` get them on their first sync)');
      for (const line of reports.flatMap(reportLines)) console.log(line);
    });

  const target = (c: Command) => common(c).requiredOption('--source <id>', 'the source').requiredOption('--profile <name>', 'the index profile');

  target(cmd.command('flip'))
    .description('make the generation being built current now (refused unless it is complete and the audit finds it in step)')
    .option('--json', 'print JSON')
    .action(async (opts: Options) => {
      const outcome = await ctx.withStack(opts, async (stack) => {
        ctx.pickSources(stack, opts.source);
        return flipGeneration(stack.deps, opts.source!, opts.profile!);
      });
      if (opts.json) console.log(JSON.stringify(outcome));
      if (!outcome.flipped) throw ctx.fail(`cannot flip ${opts.source}/${opts.profile}: ${outcome.reason}`);
      if (!opts.json) console.log(flipLine(opts.source!, { profile: opts.profile!, ...outcome }));
    });

  target(cmd.command('abort'))
    .description('drop the generation being built (its vectors and ledger); searches keep answering from the current one')
    .option('--json', 'print JSON')
    .action(async (opts: Options) => {
      const outcome = await ctx.withStack(opts, async (stack) => {
        ctx.pickSources(stack, opts.source);
        return abortGeneration(stack.deps, opts.source!, opts.profile!);
      });
      if (opts.json) console.log(JSON.stringify(outcome));
      if (!outcome.aborted) throw ctx.fail(`nothing to abort for ${opts.source}/${opts.profile}: ${outcome.reason}`);
      if (!opts.json) {
        console.log(`aborted generation ${outcome.generation.number} of ${opts.source}/${opts.profile} (${outcome.generation.model}): ${outcome.vectorsDeleted} vectors deleted; searches keep answering from the current one`);
        console.log('the profile is not rebuilt for this config again until `tributary sync --yes` confirms it (or the config is reverted)');
      }
    });
  return cmd;
}

/** After a sync has settled: flips the builds that are complete and audited. Returns a line per profile with a build. */
export async function flipSettled(stack: LocalStack, sourceIds: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const id of sourceIds) {
    for (const outcome of await settleGenerations(stack.deps, id)) {
      lines.push(outcome.flipped ? flipLine(id, outcome) : `${id}/${outcome.profile}: a new generation is being built; searches answer from the current one (${outcome.reason})`);
    }
  }
  return lines;
}

function flipLine(sourceId: string, outcome: FlipOutcome & { profile: string }): string {
  if (!outcome.flipped) return `${sourceId}/${outcome.profile}: ${outcome.reason}`;
  return `${sourceId}/${outcome.profile}: generation ${outcome.to.number} (${outcome.to.model}, ${outcome.to.target}) is complete and in step: searches now answer from it; `
    + `generation ${outcome.from.number} (${outcome.from.target}) is deleted after ${outcome.deleteAfter}`;
}

function reportLines(r: GenerationReport): string[] {
  const lines = [`${r.sourceId}/${r.profile}: current generation ${r.current.number} (${r.current.model}, ${r.current.dimensions}) → ${r.current.target}, ${r.current.documents} documents`];
  const b = r.building;
  if (b) {
    const eta = b.etaSeconds === null ? 'ETA unknown' : `ETA ${formatSeconds(b.etaSeconds)}`;
    lines.push(`  building generation ${b.number} (${b.model}, ${b.dimensions}) → ${b.target}: ${b.documentsDone}/${b.documentsTotal} documents, ${b.chunks} chunks, ${b.tokens} tokens`
      + `${b.unsettled > 0 ? `, ${b.unsettled} in the queue` : ''}; ${eta}`);
  }
  for (const g of r.retired) lines.push(`  replaced generation ${g.number} (${g.model}) → ${g.target}: deleted after ${g.deleteAfter}`);
  if (r.waiting) lines.push(`  ${r.waiting}`);
  return lines;
}

function formatSeconds(s: number): string {
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}
