/**
 * Notion's REST API through the official SDK, loaded on first use (`await import`), with every
 * request sent by the kit's HTTP client: the client paces (`requestsPerMinute`, Notion's ~3
 * req/s), retries 429/5xx honouring `Retry-After`, and maps 401/403/404/4xx to the kit's typed
 * errors (docs/connectors.md §2.1). The SDK's own retries are off, so one rule set decides.
 *
 * Only the calls the connector makes are exposed, with the few fields it reads.
 */
import type { Client } from '@notionhq/client';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, type HttpSeams } from '../kit/index.ts';

export interface NotionApiOptions extends HttpSeams {
  readonly sourceId: string;
  readonly apiUrl: string;
  readonly token: () => string | undefined;
  readonly tokenEnv: string;
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly clock: Clock;
}

/** A page, row or data source as the connector reads it. */
export interface NotionObject {
  readonly object: 'page' | 'data_source' | 'database' | 'block';
  readonly id: string;
  readonly last_edited_time?: string;
  readonly in_trash?: boolean;
  readonly archived?: boolean;
  readonly parent?: Parent;
  readonly properties?: Record<string, Record<string, unknown> & { type?: string }>;
  readonly url?: string;
  readonly title?: ReadonlyArray<{ plain_text?: string }>;
  readonly database_parent?: Parent;
  readonly data_sources?: ReadonlyArray<{ id: string; name?: string }>;
  readonly type?: string;
  readonly has_children?: boolean;
  readonly [field: string]: unknown;
}

export interface Parent {
  readonly type: string;
  readonly page_id?: string;
  readonly block_id?: string;
  readonly database_id?: string;
  readonly data_source_id?: string;
}

export interface Listed<T = NotionObject> {
  readonly results: readonly T[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

export class NotionApi {
  private client: Promise<Client> | undefined;
  private http: HttpClient | undefined;

  constructor(private readonly options: NotionApiOptions) {}

  /** Requests sent, retries and waits so far. */
  get stats(): HttpClient['stats'] | undefined {
    return this.http?.stats;
  }

  /** Pages and data sources, most recently edited first. */
  async search(startCursor: string | undefined, pageSize: number): Promise<Listed> {
    const c = await this.sdk();
    return c.search({ sort: { timestamp: 'last_edited_time', direction: 'descending' }, page_size: pageSize, ...(startCursor ? { start_cursor: startCursor } : {}) }) as unknown as Listed;
  }

  async page(id: string): Promise<NotionObject> {
    return (await this.sdk()).pages.retrieve({ page_id: id }) as unknown as NotionObject;
  }

  async block(id: string): Promise<NotionObject> {
    return (await this.sdk()).blocks.retrieve({ block_id: id }) as unknown as NotionObject;
  }

  async children(blockId: string, startCursor: string | undefined, pageSize: number): Promise<Listed> {
    const c = await this.sdk();
    return c.blocks.children.list({ block_id: blockId, page_size: pageSize, ...(startCursor ? { start_cursor: startCursor } : {}) }) as unknown as Listed;
  }

  async database(id: string): Promise<NotionObject> {
    return (await this.sdk()).databases.retrieve({ database_id: id }) as unknown as NotionObject;
  }

  async dataSource(id: string): Promise<NotionObject> {
    return (await this.sdk()).dataSources.retrieve({ data_source_id: id }) as unknown as NotionObject;
  }

  /** Rows of a data source, oldest edit first; from `since` (inclusive, minute precision) when given. */
  async query(dataSourceId: string, since: string | undefined, startCursor: string | undefined, pageSize: number): Promise<Listed & { request_status?: { type?: string } }> {
    const c = await this.sdk();
    return c.dataSources.query({
      data_source_id: dataSourceId, page_size: pageSize,
      sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
      ...(since ? { filter: { timestamp: 'last_edited_time', last_edited_time: { on_or_after: since } } } : {}),
      ...(startCursor ? { start_cursor: startCursor } : {}),
    }) as unknown as Listed & { request_status?: { type?: string } };
  }

  /** The SDK client, imported and built on the first call: kinds not configured never load it. */
  private sdk(): Promise<Client> {
    this.client ??= (async () => {
      const token = this.options.token();
      if (!token) {
        throw new ConfigError(`notion source "${this.options.sourceId}": environment variable ${this.options.tokenEnv} is not set; ` +
          'set it to the integration secret (locally), or add it to aws.secrets (deployed)', { sourceId: this.options.sourceId, key: 'tokenEnv' });
      }
      const http = new HttpClient({
        sourceId: this.options.sourceId, baseUrl: this.options.apiUrl, provider: 'Notion',
        authHint: `check that ${this.options.tokenEnv} holds the integration's secret and that the pages are shared with it (… → Connections)`,
        requestsPerMinute: this.options.requestsPerMinute, burst: this.options.burst, timeoutMs: this.options.timeoutMs, maxRetryWaitMs: this.options.maxRetryWaitMs,
        clock: this.options.clock,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}), ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.random ? { random: this.options.random } : {}), ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      });
      this.http = http;
      const { Client: NotionClient } = await import('@notionhq/client');
      return new NotionClient({
        auth: token, baseUrl: this.options.apiUrl.replace(/\/+$/, ''), retry: false,
        // The kit times each attempt and may wait out a rate limit first: the SDK must not give up sooner.
        timeoutMs: 24 * 3_600_000,
        fetch: async (url, init) => {
          const response = await http.request(url, {
            method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>,
            ...(typeof init?.body === 'string' ? { body: init.body } : {}),
          });
          return new Response(response.text, { status: response.status, headers: response.headers });
        },
      });
    })();
    return this.client;
  }
}
