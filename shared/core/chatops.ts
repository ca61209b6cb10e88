import type { DepsOf } from './deps.ts';
import { reportSource, type SourceReport } from './source-status.ts';
import type { RunLog, SourceStates } from '../ports/index.ts';

/*
 * Chat commands (`/tributary status | sync <source> | resync <source>`), the same for Slack
 * and Discord: parsed from the words a user typed, run through the normal task path (a fetch
 * task on the queue, as the admin API and the CLI send), answered with a short text. Each
 * platform's edge (functions/chatops/) verifies the request and renders the reply.
 */

export type ChatCommand =
  | { readonly kind: 'status' }
  | { readonly kind: 'sync'; readonly sourceId: string }
  | { readonly kind: 'resync'; readonly sourceId: string; readonly confirmed: boolean }
  | { readonly kind: 'help'; readonly problem?: string };

/** A reply; `confirm` asks the platform to offer a confirmation (button) for a full resync of that source. */
export interface ChatReply {
  readonly text: string;
  readonly confirm?: { readonly sourceId: string };
}

/** The replay-memory scope of a platform's signed chat requests. */
export const chatopsScope = (platform: 'slack' | 'discord'): string => `chatops:${platform}`;

export const CHAT_USAGE = '`/tributary status` · `/tributary sync <source>` · `/tributary resync <source>` (asks to confirm)';

/** The command in the text after `/tributary` (Slack's `text`, or Discord's subcommand and option). */
export function parseChatCommand(text: string): ChatCommand {
  const [verb = '', sourceId, extra, ...rest] = text.trim().split(/\s+/).filter((w) => w.length > 0);
  switch (verb.toLowerCase()) {
    case 'status':
      return { kind: 'status' };
    case 'sync':
      return sourceId && extra === undefined ? { kind: 'sync', sourceId } : { kind: 'help', problem: 'name one source: `/tributary sync <source>`' };
    case 'resync':
      if (!sourceId || rest.length > 0 || (extra !== undefined && extra.toLowerCase() !== 'confirm')) {
        return { kind: 'help', problem: 'name one source: `/tributary resync <source>` (then confirm)' };
      }
      return { kind: 'resync', sourceId, confirmed: extra !== undefined };
    case '':
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'help', problem: `unknown command "${verb}"` };
  }
}

export type ChatDeps = DepsOf<'queue' | 'clock', SourceStates & RunLog>;

export interface ChatSources {
  readonly ids: readonly string[];
  readonly freshnessSloMinutes: (sourceId: string) => number;
}

/** Runs a command for a user the edge has found allowed. */
export async function runChatCommand(deps: ChatDeps, sources: ChatSources, command: ChatCommand): Promise<ChatReply> {
  const now = () => new Date(deps.clock.now()).toISOString();
  const unknown = (id: string): ChatReply | undefined => (sources.ids.includes(id) ? undefined : {
    text: `There is no source "${id}". Sources: ${sources.ids.map((s) => `\`${s}\``).join(', ')}.`,
  });
  switch (command.kind) {
    case 'help':
      return { text: `${command.problem ? `Sorry, ${command.problem}. ` : ''}Commands: ${CHAT_USAGE}` };
    case 'status':
      return { text: await statusText(deps, sources) };
    case 'sync': {
      const refused = unknown(command.sourceId);
      if (refused) return refused;
      await deps.queue.sendFetch([{ type: 'fetch', sourceId: command.sourceId, trigger: 'admin', requestedAt: now() }]);
      return { text: `Sync of \`${command.sourceId}\` queued; \`/tributary status\` shows when it has run.` };
    }
    case 'resync': {
      const refused = unknown(command.sourceId);
      if (refused) return refused;
      if (!command.confirmed) {
        return {
          text: `A full resync of \`${command.sourceId}\` reads every document again (unchanged ones are not re-embedded). Confirm with the button, or \`/tributary resync ${command.sourceId} confirm\`.`,
          confirm: { sourceId: command.sourceId },
        };
      }
      await deps.queue.sendFetch([{ type: 'fetch', sourceId: command.sourceId, trigger: 'admin', full: true, requestedAt: now() }]);
      return { text: `Full resync of \`${command.sourceId}\` queued; \`/tributary status\` shows when it has run.` };
    }
  }
}

/** One line per source: healthy or what is wrong, how far behind, the last run. */
export async function statusText(deps: ChatDeps, sources: ChatSources): Promise<string> {
  const states = await deps.state.getSources(sources.ids);
  const t = deps.clock.now();
  const lines = await Promise.all(sources.ids.map(async (sourceId) => {
    const [lastRun] = await deps.state.listRuns(sourceId, 1);
    return statusLine(reportSource({ sourceId, state: states.get(sourceId), lastRun, now: t, freshnessSloMinutes: sources.freshnessSloMinutes(sourceId) }));
  }));
  return lines.join('\n');
}

function statusLine(r: SourceReport): string {
  const lag = r.lagSeconds === null ? 'never synced' : `${Math.round(r.lagSeconds / 60)} min behind (SLO ${r.freshnessSloMinutes} min)`;
  const problems = [
    r.lastError !== null ? `failing: ${r.lastError}` : undefined,
    r.breaker !== null ? `breaker: ${r.breaker}` : undefined,
    r.lastRun?.taskError ? `embedding: ${r.lastRun.taskError}` : undefined,
    r.docsSkipped > 0 ? `${r.docsSkipped} documents skipped` : undefined,
    r.stale && r.lagSeconds !== null ? 'stale' : undefined,
  ].filter((p) => p !== undefined);
  const last = r.lastRun ? `; last run ${r.lastRun.status} (${r.lastRun.trigger}), ${r.lastRun.docsChanged} changed, ${r.lastRun.docsDeleted} deleted` : '';
  const icon = r.healthy ? '✅' : '❌';
  return `${icon} \`${r.id}\` — ${r.running ? 'syncing, ' : ''}${lag}${last}${problems.length > 0 ? `\n    ${problems.join('\n    ')}` : ''}`;
}
