import { HttpError } from '../../../shared/core/errors.ts';
import { summarizeDeadLetter } from '../../../shared/core/dead-letters.ts';
import { withGenerations } from '../../../shared/core/generations.ts';
import { searchDefaults, searchIndex } from '../../../shared/core/search.ts';
import type { LocalStack } from '../../../shared/wiring/local-stack.ts';
import { auditClean } from '../../../shared/core/audit.ts';
import { auditLine, auditSources } from '../audit-run.ts';
import { collectStatus } from '../status.ts';
import { AdminClient } from './admin-client.ts';
import { consoleRun, type ChangeFeeds, type ConsoleAction, type ConsoleBackend, type ConsoleOverview } from './backend.ts';

/** Run records charted per source. */
export const RUN_HISTORY = 50;
/** Dead letters listed per queue. */
const DEAD_LETTERS_LISTED = 50;

/** What the runtime of this process knows and the store does not: its timers and watchers. */
export interface RuntimeInfo {
  /** Per source: epoch ms at which the runtime enqueues its next scheduled sync. */
  readonly nextRunAt: Map<string, number>;
  readonly watchers: Map<string, ChangeFeeds['watcher']>;
}

export function newRuntimeInfo(): RuntimeInfo {
  return { nextRunAt: new Map(), watchers: new Map() };
}

/**
 * The console over the local store. Sync, resync, reset and run history go through the admin
 * function's handler (the queue then runs them: the runtime's pollers, or `tributary
 * console`'s); audit and repair are `tributary audit [--repair]`; dead letters are the queue's.
 */
export class LocalConsoleBackend implements ConsoleBackend {
  private readonly admin: AdminClient;

  constructor(private readonly stack: LocalStack, private readonly options: { mode: 'runtime' | 'store'; runtime?: RuntimeInfo }) {
    const sources = stack.loaded.config.sources;
    this.admin = new AdminClient(stack.deps, {
      sourceIds: sources.map((s) => s.id),
      freshnessSloMinutes: (id) => sources.find((s) => s.id === id)?.freshnessSloMinutes,
      owner: () => stack.owner,
    });
  }

  async overview(): Promise<ConsoleOverview> {
    const { stack } = this;
    const status = await collectStatus(stack);
    const states = await stack.state.getSources(stack.loaded.config.sources.map((s) => s.id));
    const sources = await Promise.all(stack.loaded.config.sources.map(async (source, i) => {
      const s = status.sources[i]!;
      const { kind, documents, profiles, ...report } = s;
      const runs = await stack.state.listRuns(source.id, RUN_HISTORY);
      const next = this.options.runtime?.nextRunAt.get(source.id);
      const watchable = 'watch' in source ? source.watch !== false : true;
      const watcher: ChangeFeeds['watcher'] = this.options.runtime?.watchers.get(source.id)
        ?? (stack.connectors.get(source.id)?.watch === undefined ? { state: 'unsupported' } : !watchable ? { state: 'off' } : { state: 'not running', detail: 'tributary start runs the watchers' });
      return {
        kind, documents, report, ...(profiles ? { profiles } : {}),
        lastSyncAt: states.get(source.id)?.lastSuccessAt ?? null,
        schedule: source.schedule,
        nextRunAt: next === undefined ? null : new Date(next).toISOString(),
        feeds: { watcher, webhook: source.webhook ? { path: `/webhooks/${encodeURIComponent(source.id)}` } : null },
        runs: runs.map(consoleRun),
      };
    }));
    const dead = await Promise.all((['fetch', 'embed'] as const).map((q) => stack.queue.inspectDeadLetters(q, DEAD_LETTERS_LISTED)));
    return {
      generatedAt: status.generatedAt, mode: this.options.mode, where: stack.databaseFile, sources, queues: status.queues,
      deadLetters: dead.flat().map(summarizeDeadLetter),
      actions: ['sync', 'resync', 'reset', 'audit', 'repair', 'redrive', 'discard'],
    };
  }

  async search(query: string, options: { sourceId?: string; topK: number }) {
    const sourceIds = this.stack.loaded.config.sources.map((s) => s.id);
    // As `tributary search`: each profile's current generation, the configured mode and relevance floor.
    return searchIndex(await withGenerations(this.stack.deps, sourceIds, 'serving'), query, {
      topK: options.topK, sourceIds, ...(options.sourceId ? { sourceId: options.sourceId } : {}), ...searchDefaults(this.stack.loaded.config),
    });
  }

  async act(action: ConsoleAction): Promise<{ message: string }> {
    switch (action.kind) {
      case 'sync':
        await this.admin.call('POST /admin/sources/{sourceId}/sync', { sourceId: action.sourceId });
        return { message: `sync of ${action.sourceId} queued` };
      case 'resync':
        await this.admin.call('POST /admin/sources/{sourceId}/resync', { sourceId: action.sourceId, body: { confirm: action.sourceId } });
        return { message: `full resync of ${action.sourceId} queued` };
      case 'reset': {
        const out = await this.admin.call<{ vectorsDeleted: number }>('POST /admin/sources/{sourceId}/reset', { sourceId: action.sourceId, body: { confirm: action.sourceId } });
        return { message: `reset ${action.sourceId}: removed ${out.vectorsDeleted} vectors and its cursor and ledger; the next sync indexes it from scratch` };
      }
      case 'audit':
      case 'repair': {
        this.known(action.sourceId);
        const audits = await auditSources(this.stack, [action.sourceId], { repair: action.kind === 'repair' });
        return { message: `${audits.every(auditClean) ? 'in step' : 'not in step'}: ${audits.map(auditLine).join('; ')}` };
      }
      case 'redrive': {
        const out = await this.stack.queue.redriveDeadLetters(action.queue, action.ids);
        const kept = out.kept.length > 0 ? `; ${out.kept.length} kept (${out.kept.map((k) => `#${k.id}: ${k.reason}`).join('; ')})` : '';
        return { message: `${out.redriven} dead letter${out.redriven === 1 ? '' : 's'} sent back to the ${action.queue} queue${kept}` };
      }
      case 'discard': {
        const n = await this.stack.queue.discardDeadLetters(action.queue, action.ids);
        return { message: `${n} dead letter${n === 1 ? '' : 's'} discarded from the ${action.queue} queue` };
      }
    }
  }

  private known(sourceId: string): void {
    const ids = this.stack.loaded.config.sources.map((s) => s.id);
    if (!ids.includes(sourceId)) throw new HttpError(404, `unknown source "${sourceId}"; sources: ${ids.join(', ')}`);
  }
}
