import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAdminHandler, type AdminDeps, type AdminOptions } from '../../admin/admin.ts';
import { HttpError } from '../../../shared/core/errors.ts';

/**
 * The admin function's own handler, called in this process with the API Gateway events the
 * HTTP API would send: the console's sync, resync, reset and run history are the admin
 * function's code, locally and against the deployed stack alike.
 */
export class AdminClient {
  private readonly handler: ReturnType<typeof createAdminHandler>;

  constructor(deps: AdminDeps, options: AdminOptions) {
    this.handler = createAdminHandler(deps, options);
  }

  /** `route` as API Gateway names it (`POST /admin/sources/{sourceId}/sync`); a non-2xx answer is an HttpError with its message. */
  async call<T>(route: string, input: { sourceId?: string; body?: unknown; query?: Record<string, string> } = {}): Promise<T> {
    const [method = 'GET', template = '/'] = route.split(' ', 2);
    const path = template.replace('{sourceId}', encodeURIComponent(input.sourceId ?? ''));
    const event = {
      version: '2.0', routeKey: route, rawPath: path, rawQueryString: new URLSearchParams(input.query ?? {}).toString(), headers: {},
      ...(input.query ? { queryStringParameters: input.query } : {}),
      ...(input.sourceId !== undefined ? { pathParameters: { sourceId: input.sourceId } } : {}),
      body: input.body === undefined ? '' : JSON.stringify(input.body), isBase64Encoded: false,
      requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tributary-console' } },
    } as unknown as APIGatewayProxyEventV2;
    const result = await this.handler(event, {} as Context) as APIGatewayProxyStructuredResultV2;
    const body = JSON.parse(result.body ?? '{}') as T & { error?: string };
    const status = result.statusCode ?? 200;
    if (status >= 300) throw new HttpError(status, body.error ?? `admin ${route} answered ${status}`);
    return body;
  }
}
