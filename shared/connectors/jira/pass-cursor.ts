/**
 * The position of a Jira pass, persisted by the core after every page.
 *
 * A pass is one JQL search, `(<scope>) [AND updated >= "<from>"] ORDER BY id ASC`, paged by
 * Jira's `nextPageToken`. The cursor keeps what rebuilds that exact query (`from`, a minute
 * literal in `zone`, the API user's zone read when the pass started) with the token and the
 * last id handed out: a token Jira no longer accepts (they live 7 days) restarts the search
 * after that id (`AND id > afterId`), so the pass continues without repeating or skipping.
 *
 * Why `ORDER BY id` and not `updated`: an issue edited while a pass pages through a search
 * ordered by `updated` jumps to the end of the result, so every later issue moves up one place
 * and the one at the next page boundary is never handed out. Ids never change and `updated`
 * only grows, so in id order an issue matching `updated >= from` keeps its place.
 *
 * `reconcile` says whether the reconcile after this pass is due; `reconciledAt` is carried from
 * pass to pass in the final cursor (the core hands it back as `window.resume`).
 */
import { z } from 'zod';
import { isoTime } from '../kit/index.ts';

export const jiraCursor = z.strictObject({
  kind: z.literal('jira'),
  /** The API user's IANA zone the `from` literal is written in. */
  zone: z.string().min(1),
  /** `yyyy/MM/dd HH:mm`: the pass's lower bound on `updated`; absent on a full pass. */
  from: z.string().regex(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/).optional(),
  /** The next page's token; absent once the pass is done. */
  token: z.string().min(1).optional(),
  /** The last issue id handed out (numeric). */
  afterId: z.string().regex(/^\d+$/).optional(),
  /** The `id >` bound of the search the token belongs to (set once a rejected token restarted it). */
  queryAfterId: z.string().regex(/^\d+$/).optional(),
  /** The pass has handed out every page. */
  done: z.boolean(),
  /** The reconcile after this pass is due. */
  reconcile: z.boolean(),
  /** When the last pass that reconciled started. */
  reconciledAt: isoTime.optional(),
});
export type JiraCursor = z.output<typeof jiraCursor>;

/** Whether a pass starting at `snapshotAt` reconciles, after the last one that did at `reconciledAt`. */
export function reconcileDue(input: { full: boolean; snapshotAt: string; reconciledAt: string | undefined; intervalMinutes: number }): boolean {
  if (input.full || input.intervalMinutes === 0 || input.reconciledAt === undefined) return true;
  return Date.parse(input.snapshotAt) - Date.parse(input.reconciledAt) >= input.intervalMinutes * 60_000;
}

/** The pass's search: scope, window and keyset, in id order. */
export function passJql(scope: string, position: Pick<JiraCursor, 'from'>, afterId?: string): string {
  const parts = [`(${scope})`];
  if (position.from !== undefined) parts.push(`updated >= "${position.from}"`);
  if (afterId !== undefined) parts.push(`id > ${afterId}`);
  return `${parts.join(' AND ')} ORDER BY id ASC`;
}
