import { chunkHash } from '../../../shared/core/chunker.ts';
import { isLive } from '../../../shared/core/fetch-run.ts';
import type { FetchRunResult } from '../../../shared/core/fetch-run.ts';
import type { SourceSettings } from '../../../shared/core/deps.ts';
import type { BreakerState, Clock, EmbedTask, FetchTask, SourceConnector, StateStore } from '../../../shared/ports/index.ts';
import type { FencedWrite, Observer } from './process-ports.ts';
import type { Proc } from './processes.ts';

interface Holder {
  readonly owner: string;
  readonly epoch: number;
  readonly proc: Proc;
}

/**
 * A run that found the source busy. Its wake-up travels: first as the rerun flag on the
 * source's state, then with the run whose finishRun reported the flag, then as a rerun task
 * that run sent to the queue. It is discharged by a completed pass that started after it.
 */
export interface Deferral {
  readonly at: number;
  readonly step: number;
  readonly by: Proc;
  readonly holder: Holder | undefined;
  where: { readonly kind: 'flag' } | { readonly kind: 'process'; readonly proc: Proc } | { readonly kind: 'queue' };
}

interface EmptyListing {
  /** Live ledger entries when the listing came back empty. */
  readonly known: number;
  /** Delete tasks the process had sent before the listing. */
  readonly sentBefore: number;
}

/**
 * The oracles. They watch the calls that really reached the ports (a call a crash cut off
 * never got here) and record a violation whenever one of the suite's properties breaks:
 * fenced cursor writes, monotonic ledger revisions, embedding reuse, no lost wake-ups and
 * the mass-delete breaker. Convergence itself is checked at the end (see World.check).
 */
export class Monitors implements Observer {
  readonly violations: string[] = [];
  readonly deferrals: Deferral[] = [];
  /** Passes that completed (an accepted finishRun with a watermark), in order. */
  readonly passes: Array<{ readonly at: number; readonly index: number; readonly watermark: string }> = [];
  readonly stats = { fencedRejected: 0, fencedAccepted: 0, embeddedTexts: 0, reembeddedTexts: 0, breakerTrips: 0, emptyListings: 0 };
  /** Step number, for messages. */
  step = 0;
  private holder: Holder | undefined;
  private events = 0;
  private readonly revs = new Map<string, string>();
  private readonly licenses = new Map<number, Map<string, number[]>>();
  private readonly cachedAt = new Map<string, number>();
  private readonly everEmbedded = new Set<string>();
  private readonly sent = new Map<number, EmbedTask[]>();
  private readonly listings = new Map<number, EmptyListing>();
  /** The breaker each process's last accepted finishRun wrote (null: cleared). */
  private readonly breakers = new Map<number, BreakerState | null>();
  /** Steps at which a CLI run gave up holding the lease or a wake-up. */
  readonly cliGaveUp: number[] = [];
  /** Steps at which a local host died with its in-memory queue. */
  readonly hostDeaths: number[] = [];
  /** Every embed task ever sent, for replays. */
  readonly history: EmbedTask[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly state: StateStore,
    private readonly source: SourceConnector & { readonly docs: ReadonlyMap<string, unknown> },
    private readonly settings: SourceSettings,
  ) {}

  private violate(message: string): void {
    this.violations.push(`step ${this.step}: ${message}`);
  }

  // ───────────── leases and fenced writes ─────────────

  leaseTaken(proc: Proc, owner: string, epoch: number): void {
    this.holder = { owner, epoch, proc };
  }

  leaseRefused(proc: Proc): void {
    this.deferrals.push({ at: this.clock.now(), step: this.step, by: proc, holder: this.holder, where: { kind: 'flag' } });
  }

  fetchTasksSent(proc: Proc, tasks: readonly FetchTask[]): void {
    if (!tasks.some((t) => t.trigger === 'rerun')) return;
    for (const d of this.deferrals) if (d.where.kind === 'process' && d.where.proc === proc) d.where = { kind: 'queue' };
  }

  fencedWrite(proc: Proc, write: FencedWrite): void {
    const holds = this.holder !== undefined && this.holder.owner === write.owner && this.holder.epoch === write.epoch;
    const who = `${write.owner}@${write.epoch} (process ${proc.id})`;
    const current = this.holder ? `${this.holder.owner}@${this.holder.epoch}` : 'nobody';
    if (write.accepted && !holds) this.violate(`${write.call} by ${who} was accepted, but ${current} holds the lease`);
    if (!write.accepted && holds) this.violate(`${write.call} by the lease holder ${who} was rejected`);
    if (write.accepted) this.stats.fencedAccepted += 1;
    else this.stats.fencedRejected += 1;
    if (write.accepted && write.call === 'finishRun') {
      this.holder = undefined;
      if (write.breaker !== undefined) this.breakers.set(proc.id, write.breaker);
      if (write.rerunRequested) for (const d of this.deferrals) if (d.where.kind === 'flag') d.where = { kind: 'process', proc };
      if (write.watermark !== undefined) this.passes.push({ at: this.clock.now(), index: this.events++, watermark: write.watermark });
    }
  }

  // ───────────── ledger revisions ─────────────

  async ledgerWritten(_proc: Proc, docId: string): Promise<void> {
    const entry = (await this.state.getDocuments(this.settings.id, [docId])).get(docId);
    this.seeRev(docId, entry?.rev);
  }

  /** Reads the whole ledger: no revision may be lower than one seen before. */
  async observeLedger(): Promise<void> {
    for await (const entry of this.state.listDocuments(this.settings.id)) this.seeRev(entry.docId, entry.rev);
  }

  private seeRev(docId: string, rev: string | undefined): void {
    const before = this.revs.get(docId);
    if (before !== undefined && (rev === undefined || rev < before)) {
      this.violate(`ledger revision of ${docId} went backwards: ${before} → ${rev ?? '(none)'}`);
    }
    if (rev !== undefined && (before === undefined || rev > before)) this.revs.set(docId, rev);
  }

  // ───────────── embedding reuse ─────────────

  cacheLookup(proc: Proc, hashes: readonly string[], found: ReadonlySet<string>): void {
    const at = this.events++;
    const mine = this.licenses.get(proc.id) ?? new Map<string, number[]>();
    this.licenses.set(proc.id, mine);
    for (const hash of new Set(hashes)) {
      if (found.has(hash)) continue;
      mine.set(hash, [...(mine.get(hash) ?? []), at]);
    }
  }

  cacheStored(_proc: Proc, hashes: readonly string[]): void {
    const at = this.events++;
    for (const hash of hashes) if (!this.cachedAt.has(hash)) this.cachedAt.set(hash, at);
  }

  embedded(proc: Proc, texts: readonly string[]): void {
    const mine = this.licenses.get(proc.id);
    for (const text of texts) {
      const hash = chunkHash(text);
      this.stats.embeddedTexts += 1;
      if (this.everEmbedded.has(hash)) this.stats.reembeddedTexts += 1;
      this.everEmbedded.add(hash);
      const license = mine?.get(hash)?.shift();
      if (license === undefined) {
        this.violate(`process ${proc.id} sent a chunk text to the embedding API without looking it up in the cache: ${JSON.stringify(text.slice(0, 60))}`);
        continue;
      }
      const cached = this.cachedAt.get(hash);
      if (cached !== undefined && cached < license) {
        this.violate(`process ${proc.id} re-embedded a chunk text whose embedding was cached before it looked: ${JSON.stringify(text.slice(0, 60))}`);
      }
    }
  }

  embedTasksSent(proc: Proc, tasks: readonly EmbedTask[]): void {
    this.sent.set(proc.id, [...(this.sent.get(proc.id) ?? []), ...tasks]);
    this.history.push(...tasks);
  }

  // ───────────── the mass-delete breaker ─────────────

  async listed(proc: Proc, broken: boolean): Promise<void> {
    if (!broken) return;
    this.stats.emptyListings += 1;
    let known = 0;
    for await (const entry of this.state.listDocuments(this.settings.id)) if (isLive(entry)) known += 1;
    this.listings.set(proc.id, { known, sentBefore: this.sent.get(proc.id)?.length ?? 0 });
  }

  /**
   * After a fetch run (completed or not) of a process that got an empty listing: it deleted no
   * more documents the source still has than the breaker allows, and when it would have
   * deleted more, the source's state says the breaker tripped and why.
   */
  async fetchRunEnded(proc: Proc, result: FetchRunResult | undefined): Promise<void> {
    const listing = this.listings.get(proc.id);
    if (!listing) return;
    this.listings.delete(proc.id);
    const deletes = (this.sent.get(proc.id) ?? []).slice(listing.sentBefore).filter((t) => t.type === 'delete');
    const wrongful = new Set(deletes.filter((t) => this.source.docs.has(t.docId)).map((t) => t.docId));
    const limit = Math.max(this.settings.deleteGuardMin, Math.floor(this.settings.maxDeleteShare * listing.known));
    if (wrongful.size > limit) {
      this.violate(`an empty listing deleted ${wrongful.size} of ${listing.known} documents the source still has (the breaker allows ${limit})`);
    }
    if (listing.known <= limit || result === undefined) return;
    this.stats.breakerTrips += 1;
    if (!result.breaker) {
      this.violate(`an empty listing of ${listing.known} documents (limit ${limit}) completed without tripping the breaker`);
      return;
    }
    // What the run wrote to the source's state as it ended (a later healthy run may clear it).
    const written = this.breakers.get(proc.id);
    if (written?.wouldDelete !== listing.known || written.known !== listing.known) {
      this.violate(`the breaker tripped on an empty listing, but the source's state does not say so: ${JSON.stringify(written)}`);
    }
    const run = result.runId ? await this.state.getRun(this.settings.id, result.runId) : undefined;
    if (!run?.breaker) this.violate('the breaker tripped, but the run record does not say why');
  }

  // ───────────── wake-ups ─────────────

  /**
   * A CLI process ended, dead or failed: if it held the lease (left behind until it expires)
   * or a wake-up it had not passed on yet, wake-ups from before may be gone with it.
   */
  cliEnded(proc: Proc): void {
    if (!(proc.dead || proc.error !== undefined)) return;
    const holding = this.holder?.proc === proc || this.deferrals.some((d) => d.where.kind === 'process' && d.where.proc === proc);
    if (holding) this.cliGaveUp.push(this.step);
  }

  /**
   * Once the pipeline is quiet: every run that found the source busy was followed by a
   * completed pass whose snapshot is no older than that wake-up. A wake-up is excused only
   * when a CLI run that died or failed held the lease or the wake-up after it arrived (nothing
   * retries a CLI run, and its lease defers every trigger until it expires: the operator sees
   * the failure, the next sync catches up), or when a local host died with its in-memory
   * queue (a restarted host syncs at start).
   */
  checkWakeUps(): void {
    for (const d of this.deferrals) {
      if (this.passes.some((p) => Date.parse(p.watermark) >= d.at)) continue;
      if (this.hostDeaths.some((step) => step >= d.step)) continue;
      if (this.cliGaveUp.some((step) => step >= d.step)) continue;
      const holder = d.holder?.proc;
      if (holder?.kind === 'cli' && (holder.dead || holder.error !== undefined)) continue;
      const covered = this.passes.some((p) => Date.parse(p.watermark) >= d.at);
      if (!covered) {
        const holder = d.holder ? `${d.holder.owner}@${d.holder.epoch} (process ${d.holder.proc.id}, ${d.holder.proc.kind}${d.holder.proc.dead ? ', died' : ''})` : 'nobody';
        const where = d.where.kind === 'process' ? `process ${d.where.proc.id}` : d.where.kind === 'queue' ? 'a rerun task' : 'the rerun flag';
        this.violations.push(`step ${d.step}: a wake-up at ${new Date(d.at).toISOString()} (process ${d.by.id} found the source busy; holder ${holder}; last with ${where}) caused no later pass`);
      }
    }
  }
}
