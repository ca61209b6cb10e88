/**
 * Tributary as `tributary sync` runs it: the local stack of the CLI (state and queues in one
 * SQLite file, LanceDB, both on disk) opened from a config file, the filesystem
 * connector, and `syncSources`, which returns once every change is in the index. The only
 * substitutions are the embedder (the shared counting one) and a pass-through vector store
 * that counts writes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncSources } from '../../../functions/local/sync.ts';
import { loadConfig } from '../../../shared/config/load.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { ForwardingVectorStore } from '../../../shared/adapters/forwarding-vector-store.ts';
import type { VectorRecord } from '../../../shared/ports/index.ts';
import { openLocalStack, type LocalStack } from '../../../shared/wiring/local-stack.ts';
import type { BenchSystem, IndexEntry, SyncOutcome, SystemContext } from './system.ts';

export const SOURCE_ID = 'bench';
/** Environment variable the config names for the webhook secret (the value is passed in-process). */
export const WEBHOOK_SECRET_ENV = 'TRIBUTARY_BENCH_WEBHOOK_SECRET';

/** Pass-through VectorStore that counts the vectors written and deleted. */
export class CountingVectorStore extends ForwardingVectorStore {
  upserts = 0;
  deletes = 0;

  override async upsert(records: readonly VectorRecord[]): Promise<void> {
    this.upserts += records.length;
    await super.upsert(records);
  }

  override async insert(records: readonly VectorRecord[]): Promise<void> {
    this.upserts += records.length;
    await super.insert(records);
  }

  override async delete(ids: readonly string[]): Promise<void> {
    this.deletes += ids.length;
    await super.delete(ids);
  }
}

export class TributarySystem implements BenchSystem {
  private constructor(
    /** The stack with the bench's embedder and counting vector store in its deps. */
    readonly stack: LocalStack,
    private readonly vectors: CountingVectorStore,
    private readonly close_: () => Promise<void>,
  ) {}

  static async open(ctx: SystemContext, options: { watch?: boolean } = {}): Promise<TributarySystem> {
    const configPath = join(ctx.workDir, 'tributary.config.json');
    await writeFile(configPath, JSON.stringify({
      stateDir: join(ctx.workDir, 'state'),
      chunking: ctx.chunking,
      server: { port: 0, host: '127.0.0.1' },
      sources: [{
        id: SOURCE_ID, kind: 'filesystem', root: ctx.corpusDir, include: ['**/*.md'], watch: options.watch ?? false,
        webhook: { secretEnv: WEBHOOK_SECRET_ENV },
      }],
    }, null, 2));
    const loaded = loadConfig({ path: configPath, cwd: ctx.workDir, allowDemo: false });
    const stack = await openLocalStack(loaded, { log: silentLogger });
    const vectors = new CountingVectorStore(stack.deps.vectors);
    const benchStack: LocalStack = { ...stack, deps: { ...stack.deps, embedder: ctx.embedder, vectors } };
    return new TributarySystem(benchStack, vectors, () => stack.close());
  }

  async sync(): Promise<SyncOutcome> {
    const before = { upserts: this.vectors.upserts, deletes: this.vectors.deletes };
    const [report] = await syncSources(this.stack, { sourceIds: [SOURCE_ID], full: false, allowMassDelete: false });
    if (!report || report.status !== 'synced' || report.tasksFailed > 0) {
      throw new Error(`tributary sync did not complete: ${JSON.stringify(report)}`);
    }
    return {
      upserts: this.vectors.upserts - before.upserts,
      deletes: this.vectors.deletes - before.deletes,
      reported: {
        docsChanged: report.docsChanged, docsDeleted: report.docsDeleted, docsUnchanged: report.docsUnchanged,
        chunksEmbedded: report.chunksEmbedded, embeddingCalls: report.embeddingCalls,
        vectorsUpserted: report.vectorsUpserted, vectorsDeleted: report.vectorsDeleted,
      },
    };
  }

  async contents(): Promise<IndexEntry[]> {
    const rows = await this.vectors.scan(`${SOURCE_ID}#`);
    return rows.map((r) => ({ docId: String(r.metadata['docId']), text: String(r.metadata['text']) }));
  }

  async close(): Promise<void> {
    await this.close_();
  }
}
