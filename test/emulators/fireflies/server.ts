/**
 * The GraphQL endpoint over loopback HTTP (fastify), and the emulator's handle.
 *
 * Sources:
 * - Transport: `POST https://api.fireflies.ai/graphql` with JSON `{query, variables?,
 *   operationName?}` and `Authorization: Bearer <api key>`
 *   (https://docs.fireflies.ai/fundamentals/authorization, /getting-started/quickstart).
 * - Order of checks follows Apollo Server 4, which Fireflies runs (Apollo Sandbox,
 *   https://docs.fireflies.ai/fundamentals/introspection): the key first (auth_failed), then the
 *   rate limit (too_many_requests, HTTP 429 — twentyhq/twenty's Fireflies backfill keys on 429),
 *   then parse (400 GRAPHQL_PARSE_FAILED), validation against the schema (400
 *   GRAPHQL_VALIDATION_FAILED — unknown fields and arguments, wrong variable types), variable
 *   coercion (400 BAD_USER_INPUT), execution. Resolver errors come back with HTTP 200 next to
 *   `data` with the failed field set to null, as graphql-js executes them. Whether Fireflies
 *   lifts extensions.status into the HTTP status for resolver errors is not documented; the
 *   emulator does it only for the request-level 401 and 429.
 * - Every answer is counted against the key's budget once it is authenticated, including
 *   invalid documents; refused (429) requests are not.
 */

import Fastify, { type FastifyInstance } from 'fastify';
import { execute, getOperationAST, GraphQLError, Kind, parse, validate, type DocumentNode, type SelectionSetNode } from 'graphql';
import { authFailed, formatError, requestError, tooManyRequests } from './errors.ts';
import { PLAN_LIMITS, RateLimiter, type RateLimits } from './ratelimit.ts';
import { rootValue, type ResolverContext } from './resolvers.ts';
import { firefliesSchema } from './schema.ts';
import { WebhookHub, type FiredDelivery, type WebhookRegistration } from './webhooks.ts';
import { FirefliesWorkspace, type Plan } from './workspace.ts';

export interface FirefliesEmulatorOptions {
  /** Clock for `date` filters, rate-limit windows and webhook timestamps (epoch ms). @default Date.now */
  readonly now?: () => number;
  /** Plan of the team: its rate limits and paid-only fields. @default 'business' */
  readonly plan?: Plan;
  /** Override the plan's limits (tests set them low). */
  readonly rateLimits?: RateLimits;
  /** `transcripts(limit: 51+)`: refuse with invalid_arguments, or clamp to 50. @default 'error' */
  readonly limitPolicy?: 'error' | 'clamp';
  /** `transcripts` without `limit` (undocumented). @default 50 */
  readonly defaultLimit?: number;
  /** A delivery not answered within this is failed. @default 10_000 */
  readonly webhookTimeoutMs?: number;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly at: number;
  readonly userId: string | undefined;
  readonly operationName: string | undefined;
  /** Root fields of the executed operation (query names), e.g. ['transcripts']. */
  readonly rootFields: readonly string[];
  readonly variables: Readonly<Record<string, unknown>>;
  readonly status: number;
  /** Fireflies `code`s (or Apollo extension codes) of the errors returned. */
  readonly errorCodes: readonly string[];
}

type Body = Record<string, unknown>;

export class FirefliesEmulator extends FirefliesWorkspace {
  /** The GraphQL endpoint, `http://127.0.0.1:<port>/graphql`. */
  url = '';
  readonly requests: RecordedRequest[] = [];
  private plan: Plan;
  private readonly limiter: RateLimiter;
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  private constructor(private readonly options: FirefliesEmulatorOptions) {
    const now = options.now ?? (() => Date.now());
    super(now, new WebhookHub(now, options.webhookTimeoutMs ?? 10_000));
    this.plan = options.plan ?? 'business';
    this.limiter = new RateLimiter(now, options.rateLimits ?? PLAN_LIMITS[this.plan]);
    this.app.post('/graphql', async (request, reply) => {
      const { status, body } = this.handle(request.headers.authorization, request.body);
      return reply.code(status).type('application/json; charset=utf-8').send(body);
    });
    this.app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
      void reply.code(error.statusCode ?? 400).send({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
    });
  }

  static async start(options: FirefliesEmulatorOptions = {}): Promise<FirefliesEmulator> {
    const emulator = new FirefliesEmulator(options);
    const address = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    emulator.url = `${address}/graphql`;
    return emulator;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  /** Switches the plan (paid-only fields) and its default rate limits. */
  setPlan(plan: Plan): void {
    this.plan = plan;
    this.limiter.set(PLAN_LIMITS[plan]);
  }

  setRateLimits(limits: RateLimits): void {
    this.limiter.set(limits);
  }

  /** Forgets all counted requests. */
  resetRateLimits(): void {
    this.limiter.reset();
  }

  /** Subscribes `ownerEmail`'s meetings (the whole team with teamWide, Super Admins only). */
  registerWebhook(ownerEmail: string, registration: WebhookRegistration, teamWide = false): void {
    const owner = this.userByEmail(ownerEmail);
    if (!owner) throw new Error(`${ownerEmail} is not a seeded user`);
    this.webhooks.register(owner, registration, teamWide);
  }

  clearWebhooks(): void {
    this.webhooks.clear();
  }

  /** Every webhook delivery so far, in order. */
  get deliveries(): readonly FiredDelivery[] {
    return this.webhooks.deliveries;
  }

  /** Requests whose operation had `rootField` (any status, or only `status`). */
  count(rootField: string, status?: number): number {
    return this.requests.filter((r) => r.rootFields.includes(rootField) && (status === undefined || r.status === status)).length;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private handle(authorization: string | undefined, raw: unknown): { status: number; body: Body } {
    const payload = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Body;
    const variables = (payload['variables'] && typeof payload['variables'] === 'object' ? payload['variables'] : {}) as Record<string, unknown>;
    const operationName = typeof payload['operationName'] === 'string' ? payload['operationName'] : undefined;
    const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const caller = key !== undefined ? this.userByKey(key) : undefined;
    const userId = caller?.id;
    let rootFields: string[] = [];
    const answer = (status: number, body: Body): { status: number; body: Body } => {
      const errors = (body['errors'] as { code?: string; extensions?: { code?: string } }[] | undefined) ?? [];
      this.requests.push({
        at: this.now(), userId, operationName, rootFields, variables, status,
        errorCodes: errors.map((e) => e.code ?? e.extensions?.code ?? 'UNKNOWN'),
      });
      return { status, body };
    };

    if (!caller) return answer(401, { errors: [authFailed().toJSON()] });

    if (typeof payload['query'] !== 'string' || payload['query'].trim() === '') {
      return answer(400, { errors: [{ message: 'GraphQL operations must contain a non-empty `query`.', extensions: { code: 'BAD_REQUEST' } }] });
    }
    let document: DocumentNode | undefined;
    let parseError: GraphQLError | undefined;
    try {
      document = parse(payload['query']);
      rootFields = rootFieldsOf(document, operationName);
    } catch (error) {
      parseError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
    }

    const retryAfter = this.limiter.take(key!, rootFields);
    if (retryAfter !== undefined) return answer(429, { errors: [tooManyRequests(retryAfter).toJSON()] });
    if (!document) return answer(400, requestError([parseError!], 'GRAPHQL_PARSE_FAILED'));

    const schema = firefliesSchema();
    const invalid = validate(schema, document);
    if (invalid.length > 0) return answer(400, requestError(invalid, 'GRAPHQL_VALIDATION_FAILED'));

    const contextValue: ResolverContext = {
      workspace: this, caller, plan: this.plan,
      limitPolicy: this.options.limitPolicy ?? 'error', defaultLimit: this.options.defaultLimit ?? 50,
    };
    const result = execute({ schema, document, rootValue, contextValue, variableValues: variables, operationName }) as Awaited<ReturnType<typeof execute>>;
    if (result.data === undefined) return answer(400, requestError(result.errors ?? [], 'BAD_USER_INPUT'));
    const errors = result.errors?.map(formatError);
    return answer(200, { data: result.data, ...(errors ? { errors } : {}) });
  }
}

/** The root field names the selected operation asks for. */
function rootFieldsOf(document: DocumentNode, operationName: string | undefined): string[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
  const walk = (set: SelectionSetNode, seen: Set<string>): string[] => set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet, seen);
    const name = s.name.value;
    const target = fragments.get(name);
    if (!target || seen.has(name)) return [];
    return walk(target, new Set([...seen, name]));
  });
  return walk(operation.selectionSet, new Set());
}

export const startFireflies = (options?: FirefliesEmulatorOptions): Promise<FirefliesEmulator> => FirefliesEmulator.start(options);
